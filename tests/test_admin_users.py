"""Modules admin.auth.users and the admin layout (menu, breadcrumb, flash, locale switch)."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator

import pytest
import sqlalchemy
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from tests.conftest import PASSWORD, REPO, log_in, signed_in
from tests.conftest import csrf_token_in as token_of

NEW_PASSWORD = "Brand-New-Secret-77"


@functools.cache
def password_hash() -> str:
    """One scrypt hash for every administrator of the tests (hashing is slow on purpose)."""
    from jetpy.auth import hash_password

    return hash_password(PASSWORD)


@pytest.fixture
def app(db_url: str, example_model: type) -> Iterator[Application]:
    """The example application with a superuser, a user viewer and one who may not view users."""
    from application.classes.admin_users import Administrator, Role

    def make(name: str, *roles: Role, superuser: bool = False) -> Administrator:
        return Administrator(
            username=name,
            email=f"{name}@example.com",
            password_hash=password_hash(),
            is_superuser=superuser,
            is_active=True,
            session_version=1,
            roles=list(roles),
        )

    engine = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    with Session(engine) as db:
        viewer = Role(name="User viewer")
        for page in ("_homepage_", "users"):
            viewer.grant("visit_page", page)
        viewer.grant("module_action", "admin.auth.users:view")
        pages_only = Role(name="Pages only <script>alert(1)</script>")
        for page in ("_homepage_", "users", "roles"):
            pages_only.grant("visit_page", page)
        db.add_all([make("boss", superuser=True), make("clerk", viewer), make("pages", pages_only)])
        db.commit()
    engine.dispose()
    application = Application(REPO, use_cache=False)
    yield application
    application.db.dispose()


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def menu_labels(response: TestResponse) -> list[str]:
    found = re.search(r'<nav class="admin-menu".*?</nav>', text_of(response), re.S)
    assert found is not None, text_of(response)[:1000]
    return re.findall(r"<a [^>]*>([^<]*)</a>", found.group(0))


def administrator(app: Application, name: str) -> tuple[int, str, bool, int, list[str]] | None:
    from application.classes.admin_users import Administrator

    with app.db.session() as db:
        user = db.scalars(sqlalchemy.select(Administrator).filter_by(username=name)).first()
        if user is None:
            return None
        roles = sorted(role.name for role in user.roles)
        return user.id, user.email, user.is_active, user.session_version, roles


def user_id(app: Application, name: str) -> int:
    found = administrator(app, name)
    assert found is not None
    return found[0]


def add_form(client: Client, **values: str) -> TestResponse:
    token = token_of(client.get("/admin/users/?add"))
    data = {
        "csrf_token": token,
        "username": "newbie",
        "email": "Newbie@Example.com",
        "is_active": "y",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        **values,
    }
    return client.post("/admin/users/?add", data=data)


# the layout ---------------------------------------------------------------------------
def test_the_menu_shows_only_what_the_user_may_open(app: Application) -> None:
    boss, clerk, pages = (signed_in(app, name) for name in ("boss", "clerk", "pages"))
    assert {"Dashboard", "Administrators", "Roles"} <= set(menu_labels(boss.get("/admin/")))
    assert menu_labels(clerk.get("/admin/")) == ["Dashboard", "Administrators"]
    # may visit the page, but not view the module's list: no item, and 403 at its URL
    assert menu_labels(pages.get("/admin/")) == ["Dashboard"]
    assert pages.get("/admin/users/").status_code == 403
    assert pages.get("/admin/roles/").status_code == 403
    assert clerk.get("/admin/users/").status_code == 200


def test_the_layout_has_breadcrumb_locale_switch_and_user(app: Application) -> None:
    boss = signed_in(app, "boss")
    page = text_of(boss.get("/admin/users/?add"))
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', page, re.S)
    assert crumbs is not None
    assert re.findall(r"<li[^>]*>(?:<a [^>]*>)?([^<]+)", crumbs.group(0)) == [
        "Dashboard",
        "Administrators",
        "Add administrator",
    ]
    assert 'href="/admin/cs/users/?add" hreflang="cs"' in page  # the query names the item
    assert '<span class="user-name">boss</span>' in page and 'action="/admin/logout/"' in page
    czech = text_of(boss.get("/admin/cs/users/"))
    assert "Administrátoři" in czech and 'href="/admin/users/" hreflang="en"' in czech


def test_the_dashboard_counts_what_the_user_may_open(app: Application) -> None:
    boss, clerk = signed_in(app, "boss"), signed_in(app, "clerk")
    page = text_of(boss.get("/admin/"))
    card = r'<a href="{}">{}</a></p>\s*<p class="stat-count">{}</p>'
    assert re.search(card.format("/admin/users/", "Administrators", 3), page)
    assert re.search(card.format("/admin/roles/", "Roles", 2), page)
    assert re.search(card.format("/admin/articles/", "Articles", 0), page)
    assert 'href="/admin/articles/?add"' in page  # a quick action
    clerks = text_of(clerk.get("/admin/"))
    assert re.search(card.format("/admin/users/", "Administrators", 3), clerks)
    assert "Roles" not in clerks and "?add" not in clerks  # a viewer gets no quick action


# add, edit, delete ----------------------------------------------------------------------
def test_adding_an_administrator_flashes_and_lists_them(app: Application) -> None:
    boss = signed_in(app, "boss")
    response = add_form(boss, role_ids=str(1))
    assert response.status_code == 303 and response.headers["Location"] == "/admin/users/"
    listed = text_of(boss.get("/admin/users/"))
    assert 'class="flash flash-success"' in listed and "Added newbie." in listed
    assert "newbie@example.com" in listed
    found = administrator(app, "newbie")
    assert found is not None and found[1:] == ("newbie@example.com", True, 1, ["User viewer"])
    assert log_in(Client(app), "newbie", NEW_PASSWORD).status_code == 303


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"password": "short", "password_again": "short"}, "shorter than"),
        ({"password": "newbie-newbie-1", "password_again": "newbie-newbie-1"}, "username"),
        ({"password_again": "Something-Else-88"}, "The passwords differ."),
        ({"username": "Boss"}, "Another administrator has this username."),
        ({"email": "CLERK@example.com"}, "Another administrator has this e-mail address."),
        ({"username": "no spaces"}, "2 to 100 letters"),
        ({"email": "nobody"}, "This is not an e-mail address."),
        ({"role_ids": "999"}, "not a valid choice"),
    ],
)
def test_a_bad_new_administrator_is_refused(
    app: Application, values: dict[str, str], error: str
) -> None:
    boss = signed_in(app, "boss")
    response = add_form(boss, **values)
    assert response.status_code == 200
    assert error in html.unescape(text_of(response))
    assert administrator(app, values.get("username", "newbie")) is None or "username" in values


def test_editing_changes_name_roles_and_flags(app: Application) -> None:
    boss = signed_in(app, "boss")
    clerk = user_id(app, "clerk")
    url = f"/admin/users/?edit={clerk}"
    form = text_of(boss.get(url))
    assert 'value="clerk"' in form and 'id="user-role_ids-0"' in form
    data = {
        "csrf_token": token_of(boss.get(url)),
        "username": "clerk2",
        "email": "clerk2@example.com",
        "is_active": "y",
        "is_superuser": "",
        "role_ids": ["1", "2"],
    }
    assert boss.post(url, data=data).status_code == 303
    found = administrator(app, "clerk2")
    assert found is not None and found[1] == "clerk2@example.com"
    assert found[4] == ["Pages only <script>alert(1)</script>", "User viewer"]


def test_nobody_deactivates_themselves(app: Application) -> None:
    boss = signed_in(app, "boss")
    url = f"/admin/users/?edit={user_id(app, 'boss')}"
    data = {"csrf_token": token_of(boss.get(url)), "username": "boss", "email": "boss@example.com"}
    response = boss.post(url, data=data)
    assert response.status_code == 200 and "You cannot deactivate yourself." in text_of(response)
    found = administrator(app, "boss")
    assert found is not None and found[2] is True


def test_a_viewer_sees_no_edit_links_and_gets_403_on_them(app: Application) -> None:
    clerk = signed_in(app, "clerk")
    listed = text_of(clerk.get("/admin/users/"))
    assert "?view=" in listed and "?edit=" not in listed and "?delete=" not in listed
    assert "?password=" not in listed and "?add" not in listed
    boss = user_id(app, "boss")
    for url in (f"?edit={boss}", f"?delete={boss}", f"?password={boss}", "?add"):
        assert clerk.get("/admin/users/" + url).status_code == 403, url


def test_deleting_another_administrator_but_never_yourself(app: Application) -> None:
    boss = signed_in(app, "boss")
    me, clerk = user_id(app, "boss"), user_id(app, "clerk")
    token = token_of(boss.get(f"/admin/users/?delete={clerk}"))
    response = boss.post(f"/admin/users/?delete={clerk}", data={"csrf_token": token})
    assert response.status_code == 303 and administrator(app, "clerk") is None
    response = boss.post(f"/admin/users/?delete={me}", data={"csrf_token": token})
    assert response.status_code == 303 and administrator(app, "boss") is not None
    assert "You cannot delete yourself." in text_of(boss.get("/admin/users/"))
    assert boss.get(f"/admin/users/?delete={me}").status_code == 303


def test_role_names_are_escaped_in_the_grid(app: Application) -> None:
    page = text_of(signed_in(app, "boss").get("/admin/users/"))
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# passwords -----------------------------------------------------------------------------
def test_a_new_password_signs_the_administrator_out_everywhere(app: Application) -> None:
    boss, clerk = signed_in(app, "boss"), signed_in(app, "clerk")
    url = f"/admin/users/?password={user_id(app, 'clerk')}"
    token = token_of(boss.get(url))
    weak = boss.post(
        url, data={"csrf_token": token, "password": "clerk", "password_again": "clerk"}
    )
    assert weak.status_code == 200 and "shorter than" in text_of(weak)
    data = {"csrf_token": token, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    response = boss.post(url, data=data)
    assert response.status_code == 303
    assert "their other sessions have ended" in text_of(boss.get("/admin/users/"))
    assert '<input type="password"' in text_of(clerk.get("/admin/"))  # signed out
    assert log_in(Client(app), "clerk").status_code == 200  # the old password is refused
    assert log_in(Client(app), "clerk", NEW_PASSWORD).status_code == 303


def test_your_own_new_password_keeps_this_session_only(app: Application) -> None:
    here, there = signed_in(app, "boss"), signed_in(app, "boss")
    url = f"/admin/users/?password={user_id(app, 'boss')}"
    data = {"csrf_token": token_of(here.get(url)), "password": NEW_PASSWORD}
    assert here.post(url, data={**data, "password_again": NEW_PASSWORD}).status_code == 303
    assert "Signed in as boss" in text_of(here.get("/admin/"))
    assert "Signed in as boss" not in text_of(there.get("/admin/"))


# CSRF -----------------------------------------------------------------------------------
def test_every_post_without_the_csrf_token_is_refused(app: Application) -> None:
    boss = signed_in(app, "boss")
    clerk = user_id(app, "clerk")
    before = administrator(app, "clerk")
    posts = {
        "/admin/users/?add": {"username": "x1", "email": "x1@example.com"},
        f"/admin/users/?edit={clerk}": {"username": "hacked", "email": "h@example.com"},
        f"/admin/users/?password={clerk}": {"password": NEW_PASSWORD},
        f"/admin/users/?delete={clerk}": {},
    }
    for url, data in posts.items():
        for token in ({}, {"csrf_token": "wrong"}):
            data = {**data, **token, "password_again": NEW_PASSWORD}
            assert boss.post(url, data=data).status_code == 400, url
    assert administrator(app, "clerk") == before
    assert administrator(app, "x1") is None


def test_only_a_superuser_makes_or_changes_superusers(app: Application) -> None:
    from application.classes.admin_users import Administrator, Role

    with app.db.session() as db:
        keeper = Role(name="Keeper")
        keeper.grant("visit_page", "users")
        for action in ("view", "add", "edit", "password", "delete"):
            keeper.grant("module_action", f"admin.auth.users:{action}")
        clerk = db.scalars(sqlalchemy.select(Administrator).filter_by(username="clerk")).one()
        clerk.roles.append(keeper)
        db.commit()
    clerk_client = signed_in(app, "clerk")
    boss = user_id(app, "boss")
    for url in (f"?edit={boss}", f"?password={boss}", f"?delete={boss}"):
        assert clerk_client.get("/admin/users/" + url).status_code == 403, url
    assert clerk_client.get(f"/admin/users/?view={boss}").status_code == 200
    url = f"/admin/users/?edit={user_id(app, 'pages')}"
    form = text_of(clerk_client.get(url))
    assert 'name="is_active"' in form and 'name="is_superuser"' not in form
    data = {
        "csrf_token": token_of(clerk_client.get(url)),
        "username": "pages",
        "email": "pages@example.com",
        "is_active": "y",
        "is_superuser": "y",
    }
    assert clerk_client.post(url, data=data).status_code == 303
    with app.db.session() as db:
        pages = db.scalars(sqlalchemy.select(Administrator).filter_by(username="pages")).one()
        assert pages.is_superuser is False
    assert add_form(clerk_client, is_superuser="y").status_code == 303
    with app.db.session() as db:
        newbie = db.scalars(sqlalchemy.select(Administrator).filter_by(username="newbie")).one()
        assert newbie.is_superuser is False


def test_a_non_superuser_gives_no_role_with_more_privileges_than_their_own(
    app: Application,
) -> None:
    from application.classes.admin_users import Administrator, Role

    with app.db.session() as db:
        keeper = Role(name="Keeper")
        keeper.grant("visit_page", "users")
        for action in ("view", "add", "edit"):
            keeper.grant("module_action", f"admin.auth.users:{action}")
        powerful = Role(name="Powerful")
        powerful.grant("module_action", "admin.auth.roles:edit")
        clerk = db.scalars(sqlalchemy.select(Administrator).filter_by(username="clerk")).one()
        clerk.roles.append(keeper)
        db.add(powerful)
        db.commit()
        keeper_id, powerful_id = keeper.id, powerful.id
        viewer_id = next(role.id for role in clerk.roles if role.name == "User viewer")
    clerk_client = signed_in(app, "clerk")
    clerk = user_id(app, "clerk")
    url = f"/admin/users/?edit={clerk}"
    data = {
        "csrf_token": token_of(clerk_client.get(url)),
        "username": "clerk",
        "email": "clerk@example.com",
        "is_active": "y",
        "role_ids": [str(viewer_id), str(keeper_id), str(powerful_id)],
    }
    refused = clerk_client.post(url, data=data)
    assert refused.status_code == 200
    assert "only give roles whose privileges you have" in text_of(refused)
    assert administrator(app, "clerk") == (
        clerk,
        "clerk@example.com",
        True,
        1,
        ["Keeper", "User viewer"],
    )
    # roles they hold, or that grant nothing more, are fine (for others too)
    data["role_ids"] = [str(keeper_id)]
    assert clerk_client.post(url, data=data).status_code == 303
    assert add_form(clerk_client, role_ids=str(powerful_id)).status_code == 200
    assert administrator(app, "newbie") is None
    assert add_form(clerk_client, role_ids=str(keeper_id)).status_code == 303
    found = administrator(app, "newbie")
    assert found is not None and found[4] == ["Keeper"]
