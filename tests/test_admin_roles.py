"""Module admin.auth.roles: roles with privileges picked from admin pages and ACL actions."""

from __future__ import annotations

import html
import re

import sqlalchemy
from werkzeug.test import Client

from jetpy import Application
from tests import test_admin_users
from tests.conftest import log_in, signed_in
from tests.test_admin_users import text_of, token_of

app = test_admin_users.app  # the same administrators and roles


def role(app: Application, name: str) -> tuple[int, str, list[str]] | None:
    from application.classes.admin_users import Role

    with app.db.session() as db:
        found = db.scalars(sqlalchemy.select(Role).filter_by(name=name)).first()
        if found is None:
            return None
        granted = sorted(f"{p.kind}:{p.value}" for p in found.privileges)
        return found.id, found.description, granted


def role_id(app: Application, name: str) -> int:
    found = role(app, name)
    assert found is not None
    return found[0]


def test_the_form_offers_admin_pages_and_module_actions_grouped(app: Application) -> None:
    page = text_of(signed_in(app, "boss").get("/admin/roles/?add"))
    legends = [html.unescape(text) for text in re.findall(r"<legend>([^<]+)</legend>", page)]
    assert legends[:2] == ["Role", "Pages of the administration"]
    # each module's actions under the module's label, not its name
    assert {"Administrators", "Administrators' roles", "Products administration"} <= set(legends)
    values = re.findall(r'name="privileges" value="([^"]+)"', page)
    assert {"visit_page:_homepage_", "visit_page:users", "visit_page:roles"} <= set(values)
    assert "module_action:admin.auth.users:password" in values
    assert "module_action:admin.auth.roles:delete" in values
    assert not any(value.startswith("visit_page:articles-rest") for value in values)
    # REST modules' actions are privileges of API roles, not of an administrator's role
    assert not any(".rest:" in value for value in values)
    assert "REST API" not in page
    # pages by their titles, never their ids; checkboxes in a group, not a bulleted list
    labels = re.findall(r'name="privileges" value="visit_page:[^"]+"[^>]*> <span>([^<]+)<', page)
    assert labels[0] == "Dashboard" and "Sign out" in labels
    assert "_homepage_</" not in page and "<code>" not in page
    assert '<ul class="checks">' in page
    czech = text_of(signed_in(app, "boss").get("/admin/cs/roles/?add"))
    assert "Stránky administrace" in czech and "<span>Administrátoři</span>" in czech
    assert "<legend>Správa produktů</legend>" in czech


def test_a_new_role_grants_what_was_ticked(app: Application) -> None:
    boss = signed_in(app, "boss")
    privileges = [
        "visit_page:_homepage_",
        "visit_page:roles",
        "module_action:admin.auth.roles:view",
    ]
    data = {
        "csrf_token": token_of(boss.get("/admin/roles/?add")),
        "name": "Role viewer",
        "description": "Sees the roles",
        "privileges": privileges,
    }
    response = boss.post("/admin/roles/?add", data=data)
    assert response.status_code == 303
    assert "Added Role viewer." in text_of(boss.get("/admin/roles/"))
    found = role(app, "Role viewer")
    assert found is not None and found[1:] == ("Sees the roles", sorted(privileges))
    # given to the clerk, it opens the roles page (and its menu item), nothing more
    users = f"/admin/users/?edit={_user(app, 'clerk')}"
    edit = {
        "csrf_token": token_of(boss.get(users)),
        "username": "clerk",
        "email": "clerk@example.com",
        "is_active": "y",
        "role_ids": [str(role_id(app, "Role viewer"))],
    }
    assert boss.post(users, data=edit).status_code == 303
    clerk = signed_in(app, "clerk")
    menu = text_of(clerk.get("/admin/"))
    assert 'href="/admin/roles/"' in menu and 'href="/admin/users/"' not in menu
    assert clerk.get("/admin/roles/").status_code == 200
    assert clerk.get("/admin/roles/?add").status_code == 403
    assert clerk.get("/admin/users/").status_code == 403


def _user(app: Application, name: str) -> int:
    from application.classes.admin_users import Administrator

    with app.db.session() as db:
        found = db.scalars(sqlalchemy.select(Administrator).filter_by(username=name)).one()
        return found.id


def test_editing_replaces_the_privileges(app: Application) -> None:
    boss = signed_in(app, "boss")
    url = f"/admin/roles/?edit={role_id(app, 'User viewer')}"
    form = text_of(boss.get(url))
    assert 'value="visit_page:users" checked' in form
    data = {
        "csrf_token": token_of(boss.get(url)),
        "name": "User viewer",
        "privileges": ["visit_page:_homepage_", "module_action:admin.auth.users:edit"],
    }
    assert boss.post(url, data=data).status_code == 303
    found = role(app, "User viewer")
    assert found is not None
    assert found[2] == ["module_action:admin.auth.users:edit", "visit_page:_homepage_"]


def test_only_offered_privileges_and_unique_names_are_accepted(app: Application) -> None:
    boss = signed_in(app, "boss")
    token = token_of(boss.get("/admin/roles/?add"))
    for data, error in [
        ({"name": "Sneaky", "privileges": ["module_action:nope:all"]}, "not a valid choice"),
        ({"name": "user VIEWER"}, "Another role has this name."),
        ({"name": ""}, "Enter the name."),
    ]:
        response = boss.post("/admin/roles/?add", data={"csrf_token": token, **data})
        assert response.status_code == 200
        assert error in html.unescape(text_of(response)), data
    assert role(app, "Sneaky") is None


def test_deleting_a_role_takes_it_from_its_administrators(app: Application) -> None:
    boss = signed_in(app, "boss")
    url = f"/admin/roles/?delete={role_id(app, 'User viewer')}"
    assert boss.post(url, data={"csrf_token": token_of(boss.get(url))}).status_code == 303
    assert role(app, "User viewer") is None
    clerk = Client(app)
    assert log_in(clerk, "clerk").status_code == 303
    assert clerk.get("/admin/").status_code == 403  # the role gave the dashboard


def test_names_are_escaped_in_the_grid_and_view(app: Application) -> None:
    boss = signed_in(app, "boss")
    for url in (
        "/admin/roles/",
        f"/admin/roles/?view={role_id(app, 'Pages only <script>alert(1)</script>')}",
    ):
        page = text_of(boss.get(url))
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_post_without_the_csrf_token_is_refused(app: Application) -> None:
    boss = signed_in(app, "boss")
    viewer = role_id(app, "User viewer")
    before = role(app, "User viewer")
    for url, data in {
        "/admin/roles/?add": {"name": "Forged"},
        f"/admin/roles/?edit={viewer}": {"name": "Forged", "privileges": []},
        f"/admin/roles/?delete={viewer}": {},
    }.items():
        for token in ({}, {"csrf_token": "wrong"}):
            assert boss.post(url, data={**data, **token}).status_code == 400, url
    assert role(app, "User viewer") == before and role(app, "Forged") is None


def test_a_non_superuser_gives_a_role_no_privilege_they_lack(app: Application) -> None:
    from application.classes.admin_users import Administrator, Role

    with app.db.session() as db:
        editor = Role(name="Role editor")
        for page in ("_homepage_", "roles"):
            editor.grant("visit_page", page)
        for action in ("view", "add", "edit"):
            editor.grant("module_action", f"admin.auth.roles:{action}")
        clerk = db.scalars(sqlalchemy.select(Administrator).filter_by(username="clerk")).one()
        clerk.roles.append(editor)
        db.commit()
    clerk = signed_in(app, "clerk")
    url = f"/admin/roles/?edit={role_id(app, 'Role editor')}"
    held = [
        "visit_page:_homepage_",
        "visit_page:roles",
        "module_action:admin.auth.roles:add",
        "module_action:admin.auth.roles:edit",
        "module_action:admin.auth.roles:view",
    ]
    data = {"csrf_token": token_of(clerk.get(url)), "name": "Role editor", "privileges": held}
    more = {**data, "privileges": [*held, "module_action:admin.auth.roles:delete"]}
    refused = clerk.post(url, data=more)
    assert refused.status_code == 200
    assert "only give privileges you have yourself" in text_of(refused)
    found = role(app, "Role editor")
    assert found is not None and found[2] == sorted(held)
    # what they have themselves (the users viewer's privileges too) may be given
    given = [*held, "module_action:admin.auth.users:view"]
    assert clerk.post(url, data={**data, "privileges": given}).status_code == 303
    found = role(app, "Role editor")
    assert found is not None and found[2] == sorted(given)
