"""The audit log: admin CRUD and REST writes each leave one `AuditEntry` (module audit.log)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.data.changes import SECRET, changes_between, is_secret
from tests.conftest import PASSWORD, REPO, signed_in
from tests.conftest import csrf_token_in as token_of

ARTICLES = "/admin/articles/"
PRODUCTS = "/admin/products/"
AUDIT = "/admin/audit/"
REST_WRITES = {
    f"{module}:{action}": action
    for module in ("content.articles.rest", "catalog.products.rest")
    for action in ("post", "put", "delete")
}


@pytest.fixture
def engine(db_url: str, example_model: type) -> Iterator[sqlalchemy.Engine]:
    """Tables, 3 demo articles, the demo catalog, `boss` (superuser), `writer` (articles
    only, no audit page) and an API user `robot` allowed every write."""
    from application.classes.admin_users import Role, create_administrator
    from application.classes.demo_catalog import seed_catalog
    from application.classes.demo_content import seed_articles
    from application.modules.rest.auth.users import models  # noqa: F401  (its tables)
    from application.modules.rest.auth.users.users import create_api_role

    made = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(made)  # type: ignore[attr-defined]
    with Session(made) as db:
        seed_articles(db, count=3)
        seed_catalog(db)
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        writer = create_administrator(db, "writer", "writer@example.com", PASSWORD)
        role = Role(name="Writers")
        role.grant("visit_page", "articles")
        for action in ("view", "add", "edit", "delete"):
            role.grant("module_action", f"content.articles.admin:{action}")
        writer.roles.append(role)
        create_api_role(db, "all", known=REST_WRITES, privileges=list(REST_WRITES))
        db.commit()
    yield made
    made.dispose()


@pytest.fixture
def app(engine: sqlalchemy.Engine) -> Iterator[Application]:
    application = Application(REPO, use_cache=False)
    yield application
    application.db.dispose()


@pytest.fixture
def token(app: Application) -> str:
    from application.modules.rest.auth.users.users import create_api_user

    with app.db.session() as db:
        _, issued = create_api_user(db, "robot", roles=["all"])
        db.commit()
    assert issued is not None
    return issued


def entries(app: Application) -> list[Any]:
    from application.classes.audit import AuditEntry

    with app.db.session() as db:
        found = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        db.expunge_all()
        return list(found)


def article_form(client: Client, url: str, **values: str) -> dict[str, str]:
    data = {"csrf_token": token_of(client.get(url)), "published_at": "2026-01-02T09:30"}
    for locale in ("en_US", "cs_CZ"):
        for name in ("title", "slug", "annotation", "text"):
            data[f"{name}_{locale}"] = ""
    data.update(values)
    return data


def rest(client: Client, method: str, path: str, token: str, data: Any = None) -> TestResponse:
    return client.open(
        path,
        method=method,
        data=json.dumps(data) if data is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


# admin CRUD -----------------------------------------------------------------------------------
def test_admin_add_edit_delete_each_record_one_entry(app: Application) -> None:
    boss = signed_in(app, "boss", ARTICLES)
    data = article_form(boss, ARTICLES + "?add", title_en_US="Audited", text_en_US="<p>One</p>")
    assert boss.post(ARTICLES + "?add", data=data).status_code == 303
    [created] = entries(app)
    assert (created.action, created.entity, created.label) == ("create", "Article", "Audited")
    assert (created.actor_name, created.base, created.module) == (
        "boss",
        "admin",
        "content.articles.admin",
    )
    assert created.changes["localizations.en_US.title"] == [None, "Audited"]
    assert created.changes["draft"] == [None, False]
    article = created.entity_id

    edit = ARTICLES + f"?edit={article}"
    data = article_form(boss, edit, title_en_US="Audited twice", text_en_US="<p>One</p>")
    assert boss.post(edit, data=data).status_code == 303
    updated = entries(app)[-1]
    assert (updated.action, updated.entity_id) == ("update", article)
    assert updated.changes == {
        "localizations.en_US.title": ["Audited", "Audited twice"],
        "localizations.en_US.slug": ["audited", "audited-twice"],
    }

    delete = ARTICLES + f"?delete={article}"
    token = token_of(boss.get(delete))
    assert boss.post(delete, data={"csrf_token": token}).status_code == 303
    created, updated, deleted = entries(app)
    assert (deleted.action, deleted.entity_id, deleted.label) == (
        "delete",
        article,
        "Audited twice",
    )
    assert deleted.changes["localizations.en_US.title"] == ["Audited twice", None]


def test_saving_without_a_change_and_failed_validation_record_nothing(app: Application) -> None:
    boss = signed_in(app, "boss", ARTICLES)
    data = article_form(boss, ARTICLES + "?add", title_en_US="Kept", slug_en_US="kept")
    assert boss.post(ARTICLES + "?add", data=data).status_code == 303
    [created] = entries(app)
    edit = ARTICLES + f"?edit={created.entity_id}"
    same = article_form(boss, edit, title_en_US="Kept", slug_en_US="kept")
    assert boss.post(edit, data=same).status_code == 303  # saved, nothing changed
    untitled = article_form(boss, ARTICLES + "?add", text_en_US="No title")
    assert boss.post(ARTICLES + "?add", data=untitled).status_code == 200  # a form error
    too_long = article_form(boss, edit, title_en_US="x" * 201)
    assert boss.post(edit, data=too_long).status_code == 200
    assert [entry.id for entry in entries(app)] == [created.id]


def test_product_form_records_prices_and_texts(app: Application) -> None:
    from application.classes.catalog.models import Product, SetItem

    boss = signed_in(app, "boss", PRODUCTS)
    with app.db.session() as db:
        in_no_set = ~Product.id.in_(select(SetItem.item_id)) & ~Product.set_items.any()
        product_id = db.scalars(select(Product.id).where(in_no_set).limit(1)).one()
    delete = PRODUCTS + f"?delete={product_id}"
    token = token_of(boss.get(delete))
    assert boss.post(delete, data={"csrf_token": token}).status_code == 303
    [entry] = entries(app)
    assert (entry.action, entry.entity, entry.entity_id) == ("delete", "Product", str(product_id))
    assert any(name.startswith("texts.en_US.") for name in entry.changes)
    assert any(name.startswith("prices.") for name in entry.changes)


def test_password_hashes_are_never_recorded(app: Application) -> None:
    boss = signed_in(app, "boss", "/admin/users/")
    form = boss.get("/admin/users/?add")
    data = {
        "csrf_token": token_of(form),
        "username": "newbie",
        "email": "newbie@example.com",
        "is_active": "y",
        "password": "Another-Horse-77",
        "password_again": "Another-Horse-77",
    }
    response = boss.post("/admin/users/?add", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    [entry] = entries(app)
    assert entry.changes["password_hash"] == [None, SECRET]
    assert "scrypt" not in json.dumps(entry.changes)


def test_bulk_operations_record_one_entry_per_row(app: Application) -> None:
    boss = signed_in(app, "boss", ARTICLES)
    token = token_of(boss.get(ARTICLES))
    for operation in ("unpublish", "delete"):
        bulk = {"csrf_token": token, "bulk": operation, "ids": ["1", "2"], "confirm": "1"}
        assert boss.post(ARTICLES, data=bulk).status_code == 303
    recorded = [(e.action, e.entity_id, dict(e.changes).get("draft")) for e in entries(app)]
    assert sorted(recorded[:2]) == [("update", "1", [False, True]), ("update", "2", [False, True])]
    assert sorted(recorded[2:]) == [("delete", "1", [True, None]), ("delete", "2", [True, None])]
    assert all(e.label and e.actor_name == "boss" for e in entries(app))


def test_a_new_password_is_recorded_without_the_hash(app: Application) -> None:
    from application.classes.admin_users import Administrator

    boss = signed_in(app, "boss", "/admin/users/")
    with app.db.session() as db:
        writer = db.scalars(select(Administrator.id).where(Administrator.username == "writer"))
        url = f"/admin/users/?password={writer.one()}"
    new = "Another-Horse-77"
    data = {"csrf_token": token_of(boss.get(url)), "password": new, "password_again": new}
    assert boss.post(url, data=data).status_code == 303
    [entry] = entries(app)
    assert entry.changes["password_hash"] == [SECRET, SECRET]
    assert entry.changes["session_version"][1] == entry.changes["session_version"][0] + 1


# REST ------------------------------------------------------------------------------------------
def test_rest_post_put_delete_each_record_one_entry(app: Application, token: str) -> None:
    client = Client(app)
    body = {"localizations": {"en_US": {"title": "From the API", "text": "<p>Hi</p>"}}}
    response = rest(client, "POST", "/rest/articles/", token, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    article = response.json["id"]  # type: ignore[index]
    body["localizations"]["en_US"]["title"] = "From the API, again"
    assert rest(client, "PUT", f"/rest/articles/{article}", token, body).status_code == 200
    assert rest(client, "DELETE", f"/rest/articles/{article}", token).status_code == 204
    created, updated, deleted = entries(app)
    assert [e.action for e in (created, updated, deleted)] == ["create", "update", "delete"]
    assert {(e.entity, e.entity_id, e.actor_name, e.base) for e in entries(app)} == {
        ("Article", str(article), "robot", "rest")
    }
    assert created.module == "content.articles.rest"
    assert updated.changes["localizations.en_US.title"] == ["From the API", "From the API, again"]
    assert deleted.label == "From the API, again"


def test_rest_product_update_and_refused_writes(app: Application, token: str) -> None:
    client = Client(app)
    product = client.get("/rest/products/").json["items"][0]  # type: ignore[index]
    full = client.get(f"/rest/products/{product['id']}").json
    assert full is not None
    full["ean"] = "not an ean"
    assert rest(client, "PUT", f"/rest/products/{product['id']}", token, full).status_code == 400
    assert rest(client, "DELETE", "/rest/products/999999", token).status_code == 404
    assert client.delete(f"/rest/products/{product['id']}").status_code == 401
    assert entries(app) == []


# the audit page -------------------------------------------------------------------------------
def test_audit_page_lists_and_filters_entries(app: Application, token: str) -> None:
    client = Client(app)
    body = {"localizations": {"en_US": {"title": "Robot article"}}}
    assert rest(client, "POST", "/rest/articles/", token, body).status_code == 201
    boss = signed_in(app, "boss", AUDIT)
    data = article_form(boss, ARTICLES + "?add", title_en_US="Boss article")
    assert boss.post(ARTICLES + "?add", data=data).status_code == 303
    page = boss.get(AUDIT).get_data(as_text=True)
    assert "Robot article" in page and "Boss article" in page
    only_robot = boss.get(AUDIT + "?actor=robot").get_data(as_text=True)
    assert "Robot article" in only_robot and "Boss article" not in only_robot
    [entry] = [e for e in entries(app) if e.actor_name == "boss"]
    shown = boss.get(AUDIT + f"?view={entry.id}").get_data(as_text=True)
    assert "localizations.en_US.title" in shown and "Boss article" in shown


def test_audit_page_needs_its_privilege(app: Application) -> None:
    writer = signed_in(app, "writer", ARTICLES)
    assert writer.get(AUDIT).status_code == 403
    assert Client(app).get(AUDIT).status_code == 200  # the login form, nothing of the log
    assert "<table" not in Client(app).get(AUDIT).get_data(as_text=True)


def test_article_history_lists_its_entries(app: Application) -> None:
    boss = signed_in(app, "boss", ARTICLES)
    edit = ARTICLES + "?edit=1"
    data = article_form(boss, edit, title_en_US="Renamed first article")
    assert boss.post(edit, data=data).status_code == 303
    history = boss.get(ARTICLES + "?history=1").get_data(as_text=True)
    assert "Renamed first article" in history and "boss" in history
    assert "?history=1" in boss.get(edit).get_data(as_text=True)  # linked from the form


def test_latest_changes_for_the_dashboard(app: Application) -> None:
    from application.classes.audit import latest_changes

    boss = signed_in(app, "boss", ARTICLES)
    for title in ("First", "Second", "Third"):
        data = article_form(boss, ARTICLES + "?add", title_en_US=title)
        assert boss.post(ARTICLES + "?add", data=data).status_code == 303
    with app.db.session() as db:
        assert [entry.label for entry in latest_changes(db, 2)] == ["Third", "Second"]
        assert latest_changes(db, 0) == []


def test_changes_between_hides_secrets_and_cuts_long_values() -> None:
    found = changes_between(
        {"password_hash": "old", "text": "a" * 900, "same": 1},
        {"password_hash": "new", "text": "b" * 900, "same": 1},
    )
    assert found["password_hash"] == (SECRET, SECRET)
    assert len(found["text"][1]) == 500 and found["text"][1].endswith("…")
    assert "same" not in found
    assert is_secret("token_hash") and is_secret("texts.en_US.api_key") and not is_secret("title")
