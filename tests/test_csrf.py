"""CSRF protection: the token lives in the session; unsafe requests must send it back."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy
from werkzeug.test import Client

from jetpy import Application
from tests.conftest import ProjectFactory
from tests.conftest import csrf_token_in as token_of

FORM = """
from sqlalchemy import text

from jetpy import Controller

DONE = []


class Main(Controller):
    def default_action(self):
        if self.request.method in ("POST", "PUT", "PATCH", "DELETE"):
            DONE.append(self.request.form.get("say", self.request.method))
            self.render("done.html")
        else:
            self.render("form.html")

    def login_action(self):
        self.session.rotate()  # what an auth module does at login
        self.render("form.html")

    def write_action(self):
        # a base without the automatic check: the write happens, then check_csrf() refuses
        self.db.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": "x"})
        self.check_csrf()
        self.render("done.html")


class Hook(Controller):
    csrf_exempt = True  # like a RestController: credentials come with each request

    def default_action(self):
        if self.request.method == "POST":
            DONE.append("hook")
        self.render("done.html")
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
    "application/bases/web/pages/en_US/login/page.yaml": (
        "title: Login\ncontents:\n  - {module: test.form, action: login}\n"
    ),
    "application/bases/web/pages/en_US/hook/page.yaml": (
        "title: Hook\ncontents:\n  - {module: test.form, controller: Hook}\n"
    ),
    "application/data/modules.yaml": "test.hello: activated\ntest.form: activated\n",
}

# a second base at /api/: `errors: json`, so not checked unless its base.yaml says `csrf: true`
API = {
    "application/bases/api/base.yaml": "errors: json\nlocales:\n  en_US:\n    urls: [/api/]\n",
    "application/bases/api/layouts/default.html": "{{ position('main') }}",
    "application/bases/api/pages/en_US/page.yaml": "contents:\n  - module: test.form\n",
    "application/bases/api/pages/en_US/write/page.yaml": (
        "contents:\n  - {module: test.form, action: write}\n"
    ),
}


@pytest.fixture
def form_client(make_project: ProjectFactory) -> tuple[Client, list[str]]:
    app = Application(make_project(FILES), use_cache=False)
    from application.modules.test.form.controllers import (  # type: ignore[import-not-found]
        DONE,
    )

    return Client(app), DONE


def test_a_form_page_keeps_its_token_in_the_session_cookie(
    form_client: tuple[Client, list[str]],
) -> None:
    client, _ = form_client
    response = client.get("/form/")
    assert response.status_code == 200
    [cookie] = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("jetpy_session_web=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert token_of(response) not in cookie  # signed session data, not a bare token cookie
    again = client.get("/form/")
    assert token_of(again) == token_of(response)
    assert again.headers.getlist("Set-Cookie") == []  # the session did not change


def test_a_page_without_a_form_sets_no_cookie(form_client: tuple[Client, list[str]]) -> None:
    client, _ = form_client
    assert client.get("/").headers.getlist("Set-Cookie") == []


def test_a_post_with_the_token_passes(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    response = client.post("/form/", data={"csrf_token": token, "say": "hello"})
    assert response.status_code == 200
    assert done == ["hello"]


def test_scripts_may_send_the_token_in_a_header(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.open("/form/", method=method).status_code == 400
        ok = client.open("/form/", method=method, headers={"X-CSRF-Token": token})
        assert ok.status_code == 200
    assert done == ["PUT", "PATCH", "DELETE"]


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
def test_a_post_with_a_missing_or_wrong_token_is_refused_before_any_module_runs(
    form_client: tuple[Client, list[str]], change: Callable[[str], dict[str, str]]
) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    response = client.post("/form/", data=change(token))
    assert response.status_code == 400
    assert "security token is missing or out of date" in response.get_data(as_text=True)
    assert done == []


def test_a_token_from_another_session_is_refused(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    other = Client(client.application)  # another browser, with a session and token of its own
    assert token_of(other.get("/form/")) != token
    assert other.post("/form/", data={"csrf_token": token, "say": "x"}).status_code == 400
    fresh = Client(client.application)  # a browser without any session
    assert fresh.post("/form/", data={"csrf_token": token, "say": "x"}).status_code == 400
    assert done == []


def test_a_tampered_session_cookie_counts_as_none(form_client: tuple[Client, list[str]]) -> None:
    client, done = form_client
    token = token_of(client.get("/form/"))
    cookie = client.get_cookie("jetpy_session_web")
    assert cookie is not None
    client.set_cookie("jetpy_session_web", cookie.value[:-2] + "xx")
    assert client.post("/form/", data={"csrf_token": token, "say": "x"}).status_code == 400
    assert done == []


def test_the_token_is_worthless_once_the_session_rotates(
    form_client: tuple[Client, list[str]],
) -> None:
    client, done = form_client
    before = token_of(client.get("/form/"))
    after = token_of(client.get("/login/"))  # the session got a new id: a new token
    assert after != before
    assert client.post("/form/", data={"csrf_token": before, "say": "old"}).status_code == 400
    assert client.post("/form/", data={"csrf_token": after, "say": "new"}).status_code == 200
    assert done == ["new"]


def test_an_api_base_is_not_checked_unless_it_asks(make_project: ProjectFactory) -> None:
    client = Client(Application(make_project({**FILES, **API}), use_cache=False))
    from application.modules.test.form.controllers import DONE

    assert client.post("/api/", data={"say": "json"}).status_code == 200
    assert DONE == ["json"]

    strict = {**API, "application/bases/api/base.yaml": "errors: json\ncsrf: true\n"}
    strict["application/bases/api/base.yaml"] += "locales:\n  en_US:\n    urls: [/api/]\n"
    client = Client(Application(make_project({**FILES, **strict}), use_cache=False))
    response = client.post("/api/", data={"say": "refused"})
    assert response.status_code == 400
    assert response.json is not None and "security token" in response.json["error"]["message"]


def test_an_html_base_may_turn_the_check_off(make_project: ProjectFactory) -> None:
    files = {**FILES, "application/bases/web/base.yaml": "csrf: false\n"}
    files["application/bases/web/base.yaml"] += "default: true\nlocales:\n  en_US:\n    urls: [/]\n"
    client = Client(Application(make_project(files), use_cache=False))
    from application.modules.test.form.controllers import DONE

    assert client.post("/form/", data={"say": "webhook"}).status_code == 200
    assert DONE == ["webhook"]


def test_check_csrf_in_an_action_rolls_back_what_it_wrote(
    make_project: ProjectFactory, db_url: str
) -> None:
    engine = sqlalchemy.create_engine(db_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (body VARCHAR(10))")
    app = Application(make_project({**FILES, **API}), use_cache=False)
    try:
        response = Client(app).post("/api/write/", data={"say": "x"})
        assert response.status_code == 400
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 0
    finally:
        app.db.dispose()
        engine.dispose()


def test_an_exempt_page_is_checked_when_the_browser_sends_a_session_cookie(
    form_client: tuple[Client, list[str]],
) -> None:
    client, done = form_client
    # a script without cookies (credentials in each request): no token needed
    assert client.post("/hook/").status_code == 200
    assert done == ["hook"]
    # a browser with a session: another site could make it post, so the token is needed
    token = token_of(client.get("/form/"))
    assert client.get_cookie("jetpy_session_web") is not None
    assert client.post("/hook/").status_code == 400
    assert done == ["hook"]
    assert client.post("/hook/", headers={"X-CSRF-Token": token}).status_code == 200
    assert done == ["hook", "hook"]
