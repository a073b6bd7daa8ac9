"""Signed-cookie sessions: lazy, saved only when changed, refused when tampered or expired."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.errors import JetpyError
from jetpy.kernel.sessions import REFRESH_AFTER, Session, SessionCookies
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
    "application/config.yaml": "secret_key: test-secret\n",
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
    assert f"Max-Age={14 * 24 * 3600}" in header
    assert "Secure" not in header  # plain http: a browser would drop a Secure cookie
    id = shown(first)[0]
    again = client.get("/session/")
    assert shown(again) == (id, {"colour": "blue"})
    assert again.headers.getlist("Set-Cookie") == []  # unchanged: not sent again


def test_the_cookie_is_readable_but_not_forgeable(client: Client) -> None:
    client.get("/session/?set=user&value=alice")
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    payload, _, signature = cookie.value.rpartition(".")
    # change one character of the signature, or sign another payload with the old signature
    for forged in (
        payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:],
        cookie.value.replace(cookie.value[3], "x" if cookie.value[3] != "x" else "y", 1),
        "garbage",
        "",
    ):
        client.set_cookie(COOKIE, forged)
        assert shown(client.get("/session/"))[1] == {}


def test_a_cookie_signed_with_another_key_or_for_another_base_is_refused(
    app: Application, client: Client
) -> None:
    other_key = SessionCookies("another-secret").serializer("web").dumps({"i": "x", "d": {"a": 1}})
    other_base = app.sessions.serializer("admin").dumps({"i": "x", "d": {"a": 1}})
    good = app.sessions.serializer("web").dumps({"i": "x", "d": {"a": 1}})
    for value, expected in ((other_key, {}), (other_base, {}), (good, {"a": 1})):
        client.set_cookie(COOKIE, value)
        assert shown(client.get("/session/"))[1] == expected


@pytest.mark.parametrize("payload", [[1, 2], {"i": "", "d": {}}, {"i": "x", "d": []}, {"d": {}}])
def test_a_signed_cookie_of_the_wrong_shape_is_an_empty_session(
    app: Application, client: Client, payload: object
) -> None:
    client.set_cookie(COOKIE, app.sessions.serializer("web").dumps(payload))
    assert shown(client.get("/session/"))[1] == {}


def test_an_expired_session_is_empty(
    app: Application, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - 15 * 24 * 3600)
    old = app.sessions.serializer("web").dumps({"i": "old", "d": {"user": 1}})
    monkeypatch.setattr(time, "time", lambda: now)
    client.set_cookie(COOKIE, old)
    assert shown(client.get("/session/"))[1] == {}


def test_the_max_age_comes_from_the_config(make_project: ProjectFactory) -> None:
    files = {**FILES, "application/config.yaml": "secret_key: s\nsession_max_age: 3600\n"}
    client = Client(Application(make_project(files), use_cache=False))
    assert "Max-Age=3600" in set_cookie_header(client.get("/session/?set=a"))


def test_an_active_session_is_signed_again_once_a_day(
    app: Application, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now - REFRESH_AFTER - 60)
    older = app.sessions.serializer("web").dumps({"i": "kept", "d": {"a": 1}})
    monkeypatch.setattr(time, "time", lambda: now)
    client.set_cookie(COOKIE, older)
    response = client.get("/session/")
    set_cookie_header(response)  # signed again: it lasts 14 days from now
    assert shown(client.get("/session/")) == ("kept", {"a": 1})


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
    files = {**FILES, "application/config.yaml": "secret_key: s\nbehind_proxy: true\n"}
    client = Client(Application(make_project(files), use_cache=False))
    response = client.get("/session/?set=a", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" in set_cookie_header(response)
    plain = client.get("/session/?set=b", headers={"X-Forwarded-Proto": "http"})
    assert "Secure" not in set_cookie_header(plain)


def test_an_untrusted_proxy_header_does_not_make_the_cookie_secure(client: Client) -> None:
    response = client.get("/session/?set=a", headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in set_cookie_header(response)
    secure = client.get("/session/?set=b", base_url="https://localhost/")
    assert "Secure" in set_cookie_header(secure)


def test_without_a_secret_key_sessions_say_how_to_set_one(project: Path) -> None:
    app = Application(project, use_cache=False)
    with pytest.raises(JetpyError, match=r"secret_key` in application/config\.yaml"):
        app.sessions.serializer("web")


def test_a_value_that_is_not_json_is_a_logged_error(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/session/?bad=1")
    assert response.status_code == 500
    assert response.headers.getlist("Set-Cookie") == []
    assert "is not JSON" in caplog.text


def test_the_session_mapping_tracks_changes() -> None:
    session = Session({"a": 1}, "id1", 5.0)
    assert not session.modified and session["a"] == 1 and len(session) == 1
    session["b"] = 2
    assert session.modified and list(session) == ["a", "b"]
    session.modified = False
    del session["a"]
    assert session.modified
    session.modified = False
    session.rotate()
    assert session.modified and session.id != "id1" and dict(session) == {"b": 2}
    session.clear()
    assert dict(session) == {}
    assert "hunter2" not in repr(Session({"note": "hunter2"}))  # values stay out of logs
