"""Hostile paths: never a 500, never a file outside the allow-list."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from tests.conftest import ProjectFactory

SECRET = "TOP-SECRET-CONTENT"

HOSTILE = [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/%2E%2E/application/config.yaml",
    "/.%2e/application/config.yaml",
    "/..%2fapplication%2fconfig.yaml",
    "/items/..%2F..%2Fsecret.txt",
    "/%252e%252e/secret.txt",
    "/..%5c..%5csecret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/%ef%bc%8e%ef%bc%8e/secret.txt",
    "/cs/../robots.txt",
    "/cs/%2e%2e/robots.txt",
    "/public/../secret.txt",
    "/public/%2e%2e/secret.txt",
    "/public/..%2f..%2fsecret.txt",
    "/public/%2fetc%2fpasswd",
    "/public//etc/passwd",
    "/%00",
    "/robots.txt%00.yaml",
    "/about/%00/",
    "/%ff%fe/",
    "/items/%c3%28.html",
    "/" + "a" * 10_000,
    "/" + "a/" * 5_000,
    "/items/" + "%e2%82%ac" * 3_000,
    "//evil.example.com/",
    "/\\evil.example.com/",
    "/.git/config",
    "/application/config.yaml",
    "/bases/web/base.yaml",
    "/page.yaml",
    "/about/page.yaml",
    "/404.html",
]


@pytest.fixture
def hostile_client(make_project: ProjectFactory) -> Client:
    from jetpy import Application

    root = make_project(
        {
            "secret.txt": SECRET,
            "application/secret.txt": SECRET,
            "public/ok.css": "ok",
        }
    )
    (root / "application" / "config.yaml").write_text(f"# {SECRET}\ndebug: false\n")
    return Client(Application(root))


def raw_path(path: str) -> str:
    """PATH_INFO as a real server passes it: percent-decoded bytes as latin-1."""
    from urllib.parse import unquote_to_bytes

    return unquote_to_bytes(path).decode("latin-1")


def check(client: Client, **kwargs: object) -> None:
    response = client.get(**kwargs)  # type: ignore[arg-type]
    try:
        body = response.get_data(as_text=True)
        assert response.status_code < 500, body
        assert SECRET not in body
        assert "Traceback" not in body
        location = response.headers.get("Location", "")
        assert not location.startswith("//") and "evil" not in location
    finally:
        response.close()


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_path_through_the_client(hostile_client: Client, path: str) -> None:
    check(hostile_client, path=path)


@pytest.mark.parametrize("path", HOSTILE)
def test_hostile_path_as_raw_bytes(hostile_client: Client, path: str) -> None:
    check(hostile_client, path="/", environ_overrides={"PATH_INFO": raw_path(path)})


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/%2e%2e/x", 400),
        ("/a/%00/", 400),
        ("/%ff/", 400),
        ("/" + "a" * 10_000, 414),
    ],
)
def test_bad_paths_get_a_clear_4xx(hostile_client: Client, path: str, status: int) -> None:
    response = hostile_client.get("/", environ_overrides={"PATH_INFO": raw_path(path)})
    assert response.status_code == status
    assert str(status) in response.get_data(as_text=True)


def test_decoded_utf8_leftover_reaches_the_controller(make_project: ProjectFactory) -> None:
    from jetpy import Application

    controllers = """
from jetpy import Controller


class Main(Controller):
    def resolve(self):
        self.set_used_path(self.url_path)
        return True

    def default_action(self):
        self.render("hello.html", name=self.url_path)

    def menu_action(self):
        pass
"""
    root = make_project(
        {
            "application/modules/test/hello/controllers.py": controllers,
            "application/bases/web/pages/en_US/items/page.yaml": "title: I\n",
        }
    )
    client = Client(Application(root))
    body = client.get("/%C4%8Dl%C3%A1nek/a%20b//c/").get_data(as_text=True)
    assert "Hello článek/a b/c!" in body
