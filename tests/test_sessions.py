"""Sessions: a signed id in the cookie, the data in the store; lazy, saved only when changed."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.errors import JetpyError
from jetpy.kernel.sessions import ABSOLUTE_TIMEOUT, MemorySessionStore, Session, SessionManager
from tests.conftest import ProjectFactory

COOKIE = "jetpy_session_web"

CONTROLLERS = """
from werkzeug.utils import redirect

from jetpy import Controller


class Main(Controller):
    def default_action(self):
        args = self.request.args
        session = self.session
        if "set" in args:
            session[args["set"]] = args.get("value", "")
        if "rotate" in args:
            session.rotate()
        if "clear" in args:
            session.clear()
        if "bad" in args:
            session["bad"] = object()
        if "go" in args:
            return redirect("/")
        self.render("show.html", id=session.id, data=dict(session))
"""

FILES = {
    "application/modules/test/session/manifest.yaml": "label: Session\n",
    "application/modules/test/session/controllers.py": CONTROLLERS,
    "application/modules/test/session/views/show.html": (
        '<p id="id">{{ id }}</p><p id="data">{{ data | tojson }}</p>'
    ),
    "application/bases/web/pages/en_US/session/page.yaml": (
        "title: Session\ncontents:\n  - module: test.session\n"
    ),
    "application/data/modules.yaml": "test.hello: activated\ntest.session: activated\n",
}


@pytest.fixture
def app(make_project: ProjectFactory) -> Application:
    return Application(make_project(FILES), use_cache=False)


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def shown(response: TestResponse) -> tuple[str, dict[str, str]]:
    """The session id and data the page showed."""
    text = response.get_data(as_text=True)
    id = text.split('<p id="id">')[1].split("</p>")[0]
    data = text.split('<p id="data">')[1].split("</p>")[0].replace("&#34;", '"')
    return id, json.loads(data)


def set_cookie_header(response: TestResponse) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    return header


def test_a_request_that_never_touches_the_session_sets_no_cookie(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []
    assert "Vary" not in response.headers


def test_a_session_only_read_sets_no_cookie(client: Client) -> None:
    response = client.get("/session/")
    assert shown(response)[1] == {}
    assert response.headers.getlist("Set-Cookie") == []
    assert "Cookie" in response.headers["Vary"]  # made for this browser: not for shared caches


def test_a_changed_session_is_saved_and_read_back(client: Client) -> None:
    first = client.get("/session/?set=colour&value=blue")
    header = set_cookie_header(first)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert f"Max-Age={ABSOLUTE_TIMEOUT}" in header
    assert "Secure" not in header  # plain http: a browser would drop a Secure cookie
    id = shown(first)[0]
    again = client.get("/session/")
    assert shown(again) == (id, {"colour": "blue"})
    assert again.headers.getlist("Set-Cookie") == []  # unchanged: not sent again


def test_the_cookie_carries_only_a_signed_id(app: Application, client: Client) -> None:
    client.get("/session/?set=user&value=alice")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    id = shown(client.get("/session/"))[0]
    assert cookie.value.startswith(id + ".") and "alice" not in cookie.value
    assert app.sessions.session_id("web", cookie.value) == id


def test_a_forged_cookie_is_an_empty_session(app: Application, client: Client) -> None:
    client.get("/session/?set=user&value=alice")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    id, _, signature = cookie.value.partition(".")
    for forged in (
        id + "." + ("A" if signature[0] != "A" else "B") + signature[1:],
        cookie.value.replace(id[0], "x" if id[0] != "x" else "y", 1),
        "garbage",
        "",
    ):
        client.set_cookie(COOKIE, forged)
        assert shown(client.get("/session/"))[1] == {}


def test_a_cookie_signed_with_another_key_or_for_another_base_is_refused(
    app: Application, client: Client
) -> None:
    client.get("/session/?set=a&value=1")
    id = shown(client.get("/session/"))[0]
    other_key = SessionManager(["another-secret" * 4], MemorySessionStore()).cookie_value("web", id)
    other_base = app.sessions.cookie_value("admin", id)
    good = app.sessions.cookie_value("web", id)
    for value, expected in ((other_key, {}), (other_base, {}), (good, {"a": "1"})):
        client.set_cookie(COOKIE, value)
        assert shown(client.get("/session/"))[1] == expected


def test_a_signed_id_unknown_to_the_store_is_an_empty_session(
    app: Application, client: Client
) -> None:
    client.set_cookie(COOKIE, app.sessions.cookie_value("web", "never-stored"))
    assert shown(client.get("/session/"))[1] == {}


def test_the_timeouts_come_from_the_config(make_project: ProjectFactory) -> None:
    config = "sessions: {idle_timeout: 600, absolute_timeout: 3600}\n"
    app = Application(make_project({**FILES, "application/config.yaml": config}), use_cache=False)
    assert (app.sessions.idle_timeout, app.sessions.absolute_timeout) == (600, 3600)
    assert "Max-Age=3600" in set_cookie_header(Client(app).get("/session/?set=a"))


@pytest.mark.parametrize("config", ["idle_timeout: 0", "absolute_timeout: -5"])
def test_a_timeout_that_is_not_positive_is_refused(
    make_project: ProjectFactory, config: str
) -> None:
    files = {**FILES, "application/config.yaml": f"sessions: {{{config}}}\n"}
    with pytest.raises(JetpyError, match="must be positive numbers of seconds"):
        Application(make_project(files), use_cache=False)


def test_rotate_gives_a_new_id_and_keeps_the_data(client: Client) -> None:
    before, data = shown(client.get("/session/?set=a&value=1"))
    old_cookie = client.get_cookie(COOKIE)
    assert old_cookie is not None
    after, kept = shown(client.get("/session/?rotate=1"))
    assert after != before and kept == data == {"a": "1"}
    assert shown(client.get("/session/"))[0] == after
    assert client.get_cookie(COOKIE).value != old_cookie.value  # type: ignore[union-attr]


def test_clear_removes_the_cookie(client: Client) -> None:
    client.get("/session/?set=a")
    response = client.get("/session/?clear=1")
    header = set_cookie_header(response)
    assert header.startswith(f"{COOKIE}=;") and "Max-Age=0" in header
    assert client.get_cookie(COOKIE) is None


def test_a_redirect_carries_the_cookie(client: Client) -> None:
    response = client.get("/session/?set=a&value=1&go=1")
    assert response.status_code == 302
    set_cookie_header(response)
    assert shown(client.get("/session/"))[1] == {"a": "1"}


def test_behind_a_trusted_proxy_on_https_the_cookie_is_secure(
    make_project: ProjectFactory,
) -> None:
    files = {**FILES, "application/config.yaml": "behind_proxy: true\n"}
    client = Client(Application(make_project(files), use_cache=False))
    response = client.get("/session/?set=a", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in set_cookie_header(response)
    plain = Client(client.application).get("/session/?set=b", headers={"X-Forwarded-Proto": "http"})
    assert "Secure" not in set_cookie_header(plain)


def test_an_untrusted_proxy_header_does_not_make_the_cookie_secure(client: Client) -> None:
    response = client.get("/session/?set=a", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in set_cookie_header(response)
    secure = Client(client.application).get("/session/?set=b", base_url="https://localhost/")
    assert "Secure" in set_cookie_header(secure)


def test_without_a_secret_key_sessions_say_where_keys_come_from() -> None:
    with pytest.raises(JetpyError, match=r"application/data/secret_key, \$JETPY_SECRET_KEY"):
        SessionManager([], MemorySessionStore()).signer("web")


def test_a_value_that_is_not_json_is_a_logged_error(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/session/?bad=1")
    assert response.status_code == 500
    assert response.headers.getlist("Set-Cookie") == []
    assert "is not JSON" in caplog.text


def test_the_session_mapping_tracks_changes() -> None:
    session = Session({"a": 1}, "id1", stored=True)
    assert not session.modified and session["a"] == 1 and len(session) == 1
    session["b"] = 2
    assert session.modified and list(session) == ["a", "b"]
    session.modified = False
    del session["a"]
    assert session.modified
    session.modified = False
    session.rotate()
    assert session.modified and session.id != "id1" and dict(session) == {"b": 2}
    assert session.dropped == ["id1"] and not session.stored  # the old record goes
    session.clear()
    assert dict(session) == {} and session.dropped == ["id1"]  # the new id was never stored
