"""Module admin.auth.login in the example application: the admin base at /admin/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import PASSWORD, example_with_admins, log_in

TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')
COOKIE = "jetpy_session_admin"


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """The example application with three administrators in the test database."""
    from application.classes.admin_users import Role, create_administrator

    def people(db: Session) -> None:
        editor = create_administrator(db, "editor", "editor@example.com", PASSWORD)
        outsider = create_administrator(db, "outsider", "outsider@example.com", PASSWORD)
        dashboard = Role(name="Dashboard")
        dashboard.grant("visit_page", "_homepage_")
        editor.roles.append(dashboard)
        outsider.roles.append(Role(name="Nothing"))

    with example_with_admins(db_url, example_model, people) as app:
        yield app


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def form_of(response: TestResponse) -> tuple[str, str]:
    text = response.get_data(as_text=True)
    token, next_url = TOKEN.search(text), NEXT.search(text)
    assert token is not None and next_url is not None, text[:500]
    return token.group(1), next_url.group(1).replace("&amp;", "&")


def session_id(app: Application, client: Client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    found = app.sessions.session_id("admin", cookie.value)
    assert found is not None
    return found


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/cs/", "/admin/articles/?page=2", "/admin/logout/"]
)
def test_every_admin_url_answers_the_login_form_with_200(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert '<input type="password"' in text and "Signed in as" not in text
    assert form_of(response)[1] == url
    assert response.headers["Cache-Control"] == "no-store"


def test_a_wrong_password_says_so(client: Client) -> None:
    response = log_in(client, "boss", "not the password")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert "Signed in as" not in client.get("/admin/").get_data(as_text=True)


def test_login_by_username_or_email_redirects_to_next(app: Application) -> None:
    by_name, by_email = Client(app), Client(app)
    response = log_in(by_name, "boss", url="/admin/?tab=1")
    assert response.status_code == 303 and response.headers["Location"] == "/admin/?tab=1"
    page = by_name.get("/admin/").get_data(as_text=True)
    assert "Signed in as boss (superuser)." in page
    assert log_in(by_email, "BOSS@example.com").headers["Location"] == "/admin/"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_next_never_leaves_the_site(client: Client, target: str) -> None:
    response = log_in(client, "boss", next=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/"


def test_login_gives_a_new_session_id(app: Application, client: Client) -> None:
    client.get("/admin/")
    before = session_id(app, client)
    log_in(client, "boss")
    assert session_id(app, client) != before


def test_a_session_cookie_from_before_login_is_worthless(app: Application) -> None:
    attacker, victim = Client(app), Client(app)
    attacker.get("/admin/")
    planted = attacker.get_cookie(COOKIE)
    assert planted is not None
    victim.set_cookie(COOKIE, planted.value)
    assert log_in(victim, "boss").status_code == 303
    assert "Signed in as" not in attacker.get("/admin/").get_data(as_text=True)


def test_the_login_post_without_csrf_token_is_refused(client: Client) -> None:
    client.get("/admin/")
    data = {"_login": "1", "login": "boss", "password": PASSWORD}
    assert client.post("/admin/", data=data).status_code == 400
    assert "Signed in as" not in client.get("/admin/").get_data(as_text=True)


def test_five_failures_make_further_attempts_wait(client: Client) -> None:
    for _ in range(5):
        log_in(client, "editor", "wrong password")
    response = log_in(client, "editor")  # the right password, but too late
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 14 * 60
    text = response.get_data(as_text=True)
    assert "Too many failed sign-ins. Try again in 15 min" in text
    assert "Signed in as" not in client.get("/admin/").get_data(as_text=True)
    # another name from the same address does not: the count is per account and address
    assert log_in(client, "boss").status_code == 303


def test_an_administrator_without_the_privilege_gets_403(app: Application) -> None:
    outsider, editor = Client(app), Client(app)
    assert log_in(outsider, "outsider").status_code == 303
    denied = outsider.get("/admin/")
    assert denied.status_code == 403
    assert "Access denied" in denied.get_data(as_text=True)
    log_in(editor, "editor")
    assert "Signed in as editor." in editor.get("/admin/").get_data(as_text=True)


def test_logout_ends_the_session(client: Client) -> None:
    log_in(client, "boss")
    token = form_of_logout(client)
    response = client.post("/admin/logout/", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/"
    assert "Signed in as" not in client.get("/admin/").get_data(as_text=True)


def test_an_administrator_without_privileges_for_the_logout_page_signs_out(
    client: Client,
) -> None:
    log_in(client, "editor")  # may visit the dashboard, and nothing was granted for `logout`
    token = form_of_logout(client)
    response = client.post("/admin/logout/", data={"csrf_token": token})
    assert response.status_code == 303
    assert "Signed in as" not in client.get("/admin/").get_data(as_text=True)


def test_logout_without_the_token_changes_nothing(client: Client) -> None:
    log_in(client, "boss")
    assert client.post("/admin/logout/").status_code == 400
    assert "Signed in as boss" in client.get("/admin/").get_data(as_text=True)


def form_of_logout(client: Client) -> str:
    found = TOKEN.search(client.get("/admin/").get_data(as_text=True))
    assert found is not None
    return found.group(1)


def test_a_password_change_signs_out_every_session(app: Application) -> None:
    from application.classes.admin_users import Administrator, change_password

    here, there = Client(app), Client(app)
    log_in(here, "editor")
    log_in(there, "editor")
    with app.db.session() as db:
        editor = db.scalars(sqlalchemy.select(Administrator).filter_by(username="editor")).one()
        change_password(db, editor, "Another-Secret-99")
        db.commit()
    for client in (here, there):
        assert "Signed in as" not in client.get("/admin/").get_data(as_text=True)
    assert log_in(here, "editor").status_code == 200  # the old password is gone
    assert log_in(here, "editor", "Another-Secret-99").status_code == 303


def test_the_public_site_sets_no_session_cookie(client: Client) -> None:
    assert client.get("/").headers.getlist("Set-Cookie") == []


# revocable sessions: a cookie copied earlier opens nothing once the server ended it ---------
@pytest.fixture(params=["database", "redis"])
def store_app(request: pytest.FixtureRequest, app: Application) -> Application:
    """The example application with its sessions in the database, then in Redis."""
    if request.param == "redis":
        from jetpy.data.sessionstores import RedisSessionStore

        store = RedisSessionStore(request.getfixturevalue("redis_url"))
        app.sessions.store = store
        request.addfinalizer(store.client.close)
    return app


def signed_in(client: Client) -> bool:
    return "Signed in as" in client.get("/admin/").get_data(as_text=True)


def copy_of(app: Application, client: Client) -> Client:
    """Another browser holding a copy of `client`'s admin cookie (a stolen cookie)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = Client(app)
    thief.set_cookie(COOKIE, cookie.value, path="/")
    return thief


def test_a_cookie_copied_before_logout_is_refused_after_it(store_app: Application) -> None:
    client = Client(store_app)
    log_in(client, "boss")
    thief = copy_of(store_app, client)
    assert signed_in(thief)
    client.post("/admin/logout/", data={"csrf_token": form_of_logout(client)})
    assert not signed_in(thief) and not signed_in(client)
    assert "Signed in as" not in thief.get("/admin/users/").get_data(as_text=True)


def test_a_new_password_set_in_the_admin_ends_the_users_earlier_cookies(
    store_app: Application,
) -> None:
    editor, boss = Client(store_app), Client(store_app)
    log_in(editor, "editor")
    thief = copy_of(store_app, editor)
    log_in(boss, "boss")
    page = boss.get("/admin/users/")
    id = re.search(r"\?password=(\d+)", page.get_data(as_text=True).split("editor@example.com")[1])
    assert id is not None
    url = f"/admin/users/?password={id.group(1)}"
    token = TOKEN.search(boss.get(url).get_data(as_text=True))
    assert token is not None
    data = {"csrf_token": token.group(1), "password": "Another-Secret-99"}
    response = boss.post(url, data={**data, "password_again": "Another-Secret-99"})
    assert response.status_code == 303
    assert not signed_in(editor) and not signed_in(thief)
    assert signed_in(boss)  # the one who changed it goes on


def test_sign_out_everywhere_by_the_user_ends_every_browser_of_theirs(
    store_app: Application,
) -> None:
    here, there, other = Client(store_app), Client(store_app), Client(store_app)
    log_in(here, "boss")
    log_in(there, "boss")
    log_in(other, "editor")
    thief = copy_of(store_app, there)
    data = {"csrf_token": form_of_logout(here), "everywhere": "1"}
    assert here.post("/admin/logout/", data=data).status_code == 303
    assert not any(signed_in(client) for client in (here, there, thief))
    assert signed_in(other)  # another user's session is untouched


def test_sign_out_everywhere_by_an_administrator_ends_the_users_sessions(
    store_app: Application,
) -> None:
    from application.classes.admin_users import Administrator

    editor, boss = Client(store_app), Client(store_app)
    log_in(editor, "editor")
    thief = copy_of(store_app, editor)
    log_in(boss, "boss")
    with store_app.db.session() as db:
        id = db.scalars(sqlalchemy.select(Administrator.id).filter_by(username="editor")).one()
    url = f"/admin/users/?sign_out={id}"
    page = boss.get(url)
    assert page.status_code == 200 and "Sign editor out everywhere?" in page.get_data(as_text=True)
    token = TOKEN.search(page.get_data(as_text=True))
    assert token is not None
    assert boss.post(url).status_code == 400  # not without the CSRF token
    assert signed_in(editor)
    response = boss.post(url, data={"csrf_token": token.group(1)})
    assert response.status_code == 303
    assert "Every session of editor has ended." in boss.get("/admin/users/").get_data(as_text=True)
    assert not signed_in(editor) and not signed_in(thief)
    assert signed_in(boss)


def test_only_those_who_may_set_passwords_may_sign_others_out(app: Application) -> None:
    from application.classes.admin_users import Administrator

    boss, editor = Client(app), Client(app)
    log_in(boss, "boss")
    log_in(editor, "editor")  # may see the dashboard only
    with app.db.session() as db:
        id = db.scalars(sqlalchemy.select(Administrator.id).filter_by(username="boss")).one()
    token = form_of_logout(editor)
    response = editor.post(f"/admin/users/?sign_out={id}", data={"csrf_token": token})
    assert response.status_code == 403
    assert signed_in(boss)


def test_a_cookie_forged_with_the_old_published_key_opens_nothing(app: Application) -> None:
    from itsdangerous import URLSafeTimedSerializer

    from jetpy.kernel.sessions import MemorySessionStore, SessionManager

    client = Client(app)
    log_in(client, "boss")
    real = client.get_cookie(COOKIE)
    assert real is not None
    id = app.sessions.session_id("admin", real.value)
    assert id is not None
    old_key = "change-me-in-production"
    # the old cookie format (data in the cookie) and the new one (a real session's id)
    old_format = URLSafeTimedSerializer(old_key, salt="jetpy.session.admin").dumps(
        {"i": "x", "d": {"_auth": {"user": 1, "version": 1}}}
    )
    new_format = SessionManager([old_key], MemorySessionStore()).cookie_value("admin", id)
    for forged in (old_format, new_format):
        attacker = Client(app)
        attacker.set_cookie(COOKIE, forged, path="/")
        assert not signed_in(attacker)
        assert "Signed in as" not in attacker.get("/admin/users/").get_data(as_text=True)
