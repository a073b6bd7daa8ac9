"""Module admin.auth.login in the example application: the admin base at /admin/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import REPO

PASSWORD = "Correct-Horse-42"
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')
COOKIE = "jetpy_session_admin"


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """The example application with three administrators in the test database."""
    from application.classes.admin_users import Role, create_administrator

    engine = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    with Session(engine) as db:
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        editor = create_administrator(db, "editor", "editor@example.com", PASSWORD)
        outsider = create_administrator(db, "outsider", "outsider@example.com", PASSWORD)
        dashboard = Role(name="Dashboard")
        dashboard.grant("visit_page", "_homepage_")
        editor.roles.append(dashboard)
        outsider.roles.append(Role(name="Nothing"))
        db.commit()
    engine.dispose()
    app = Application(REPO, use_cache=False)
    yield app
    app.db.dispose()


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def form_of(response: TestResponse) -> tuple[str, str]:
    text = response.get_data(as_text=True)
    token, next_url = TOKEN.search(text), NEXT.search(text)
    assert token is not None and next_url is not None, text[:500]
    return token.group(1), next_url.group(1).replace("&amp;", "&")


def log_in(
    client: Client, name: str, password: str = PASSWORD, url: str = "/admin/", **extra: str
) -> TestResponse:
    token, next_url = form_of(client.get(url))
    data = {"_login": "1", "csrf_token": token, "next": next_url, "login": name}
    return client.post(url, data={**data, "password": password, **extra})


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
    # another name from the same address waits too
    assert log_in(client, "boss").status_code == 429


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
