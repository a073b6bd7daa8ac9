"""CSRF protection of POST forms: the token in a cookie and a hidden field must match."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from werkzeug.test import Client, TestResponse

from tests.conftest import ProjectFactory

FORM = """
from jetpy import Controller

DONE = []


class Main(Controller):
    def default_action(self):
        if self.request.method == "POST":
            self.check_csrf()
            DONE.append(self.request.form["say"])
            self.render("done.html")
        else:
            self.render("form.html")
"""

FILES = {
    "application/modules/test/form/manifest.yaml": "label: Form\n",
    "application/modules/test/form/controllers.py": FORM,
    "application/modules/test/form/views/form.html": (
        '<form method="post"><input type="hidden" name="csrf_token" '
        'value="{{ csrf_token() }}"><input name="say"></form>'
    ),
    "application/modules/test/form/views/done.html": "<p>done</p>",
    "application/bases/web/pages/en_US/form/page.yaml": (
        "title: Form\ncontents:\n  - module: test.form\n"
    ),
    "application/data/modules.yaml": "test.hello: activated\ntest.form: activated\n",
}

TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')


@pytest.fixture
def form_client(make_project: ProjectFactory) -> tuple[Client, list[str]]:
    from jetpy import Application

    app = Application(make_project(FILES), use_cache=False)
    from application.modules.test.form.controllers import (  # type: ignore[import-not-found]
        DONE,
    )

    return Client(app), DONE


def token_of(response: TestResponse) -> str:
    found = TOKEN.search(response.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def test_a_form_page_sets_the_token_cookie(form_client: tuple[Client, list[str]]) -> None:
    client, _ = form_client
    response = client.get("/form/")
    assert response.status_code == 200
    [cookie] = response.headers.getlist("Set-Cookie")
    token = token_of(response)
    assert cookie.startswith(f"jetpy_csrf={token};")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # plain http: the browser would drop a Secure cookie


def test_the_cookie_is_set_once_and_the_token_kept(form_client: tuple[Client, list[str]]) -> None:
    client, _ = form_client
    first = token_of(client.get("/form/"))
    again = client.get("/form/")
    assert again.headers.getlist("Set-Cookie") == []
    assert token_of(again) == first


def test_a_page_without_a_form_sets_no_cookie(client: Client) -> None:
    assert client.get("/").headers.getlist("Set-Cookie") == []


def test_a_post_with_the_token_passes(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    response = client.post("/form/", data={"csrf_token": token, "say": "hello"})
    assert response.status_code == 200
    assert done == ["hello"]


@pytest.mark.parametrize(
    "change",
    [
        lambda token: {"say": "hi"},  # no field
        lambda token: {"say": "hi", "csrf_token": ""},
        lambda token: {"say": "hi", "csrf_token": token[:-1] + ("A" if token[-1] != "A" else "B")},
        lambda token: {"say": "hi", "csrf_token": token + "x"},
        lambda token: {"say": "hi", "csrf_token": "é" * 43},
    ],
)
def test_a_post_with_a_missing_or_wrong_token_is_refused(
    form_client: tuple[Client, list[str]], change: Callable[[str], dict[str, str]]
) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    response = client.post("/form/", data=change(token))
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.get_data(as_text=True)
    assert done == []


def test_a_post_without_the_cookie_is_refused(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    fresh = Client(client.application)  # another browser: it has no cookie
    assert fresh.post("/form/", data={"csrf_token": token, "say": "x"}).status_code == 400
    assert done == []


def test_a_cookie_planted_with_any_value_is_replaced(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    client.set_cookie("jetpy_csrf", "short")
    response = client.get("/form/")
    token = token_of(response)
    assert token != "short" and len(token) == 43
    assert response.headers.getlist("Set-Cookie")[0].startswith(f"jetpy_csrf={token};")
    client.set_cookie("jetpy_csrf", "short")
    assert client.post("/form/", data={"csrf_token": "short", "say": "x"}).status_code == 400
    assert done == []


def test_on_https_the_cookie_is_secure_and_host_only(
    form_client: tuple[Client, list[str]],
) -> None:
    client, done = form_client
    response = client.get("/form/", base_url="https://localhost")
    [cookie] = response.headers.getlist("Set-Cookie")
    token = token_of(response)
    assert cookie.startswith(f"__Host-jetpy_csrf={token};")
    assert "Secure" in cookie and "Domain" not in cookie
    ok = client.post("/form/", base_url="https://localhost", data={"csrf_token": token, "say": "s"})
    assert ok.status_code == 200
    assert done == ["s"]
