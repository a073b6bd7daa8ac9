"""Module rest.auth.users: API users of the rest base (bearer token, HTTP Basic) and their
roles, the throttle, `jetpy api-user`/`jetpy api-role` and the admin pages of users and roles."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

from jetpy import Application
from jetpy.cli.main import main
from tests.conftest import REPO, signed_in

PASSWORD = "Correct-Horse-42"
ARTICLES = "content.articles.rest"
PRODUCTS = "catalog.products.rest"
NEW_ARTICLE = {
    "published": "2026-11-02T10:00:00+01:00",
    "localizations": {"en_US": {"title": "Written by a robot", "text": "Body."}},
}
CSRF = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')


@pytest.fixture
def engine(db_url: str, example_model: type) -> Iterator[sqlalchemy.Engine]:
    """The test database with the example's tables, this module's, and demo articles/products."""
    from application.classes.demo_catalog import seed_catalog
    from application.classes.demo_content import seed_articles
    from application.modules.rest.auth.users import models  # noqa: F401  (its tables)

    made = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(made)  # type: ignore[attr-defined]
    with Session(made) as db:
        seed_articles(db, count=3)
        seed_catalog(db)
        db.commit()
    yield made
    made.dispose()


EVERYTHING = {f"{m}:{a}": a for m in (ARTICLES, PRODUCTS) for a in ("post", "put", "delete")}


@pytest.fixture
def tokens(engine: sqlalchemy.Engine) -> dict[str, str]:
    """API roles `all` (every write of both modules), `poster` (add articles), `deleter`
    (delete products), `editor` (change articles); API users `writer` (all), `poster`,
    `basic` (HTTP Basic; deleter and editor), `sleeper` (all, deactivated); their tokens."""
    from application.modules.rest.auth.users.users import create_api_role, create_api_user

    made: dict[str, str] = {}
    with Session(engine) as db:
        for role, granted in [
            ("all", list(EVERYTHING)),
            ("poster", [f"{ARTICLES}:post"]),
            ("deleter", [f"{PRODUCTS}:delete"]),
            ("editor", [f"{ARTICLES}:put"]),
        ]:
            create_api_role(db, role, known=EVERYTHING, privileges=granted)
        for name, roles, password in [
            ("writer", ["all"], None),
            ("poster", ["Poster"], None),  # role names are not case-sensitive
            ("basic", ["deleter", "editor"], PASSWORD),
            ("sleeper", ["all"], None),
        ]:
            user, token = create_api_user(db, name, roles=roles, password=password)
            assert token is not None
            made[name] = token
            user.is_active = name != "sleeper"
        db.commit()
    return made


@pytest.fixture
def app(engine: sqlalchemy.Engine) -> Iterator[Application]:
    application = Application(REPO, use_cache=False)
    yield application
    application.db.dispose()


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(name: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def send(
    client: Client, method: str, path: str, data: Any = None, headers: dict[str, str] | None = None
) -> TestResponse:
    body = json.dumps(data) if data is not None else None
    return client.open(
        path, method=method, data=body, content_type="application/json", headers=headers or {}
    )


def error_of(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/json; charset=utf-8"
    assert "Set-Cookie" not in response.headers  # no sessions, no cookies
    error: dict[str, Any] = json.loads(response.get_data(as_text=True))["error"]
    assert (error["status"], error["code"]) == (status, code)
    return error


def count(engine: sqlalchemy.Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(sqlalchemy.text(f"SELECT count(*) FROM {table}")).scalar_one()
        )


def free_products(engine: sqlalchemy.Engine) -> list[int]:
    """Ids of products that no set holds (those can be deleted), lowest first."""
    query = (
        "SELECT id FROM catalog_products WHERE id NOT IN (SELECT item_id FROM catalog_set_items)"
    )
    with engine.connect() as connection:
        return sorted(int(row[0]) for row in connection.execute(sqlalchemy.text(query)))


def first_id(client: Client, resource: str) -> int:
    body = json.loads(client.get(f"/rest/{resource}/").get_data(as_text=True))
    return int(body["items"][0]["id"])


# the provider ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/rest/articles/"),
        ("PUT", "/rest/articles/1"),
        ("DELETE", "/rest/articles/1"),
        ("POST", "/rest/products/"),
        ("PUT", "/rest/products/1"),
        ("DELETE", "/rest/cs/products/1"),
    ],
)
def test_a_write_without_credentials_is_401_with_a_challenge(
    client: Client, tokens: dict[str, str], method: str, path: str
) -> None:
    response = send(client, method, path, NEW_ARTICLE)
    error = error_of(response, 401, "unauthorized")
    assert "needs an API user" in error["message"]
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="rest"'


def test_a_bearer_token_with_the_privilege_writes(
    client: Client, tokens: dict[str, str], engine: sqlalchemy.Engine
) -> None:
    before = count(engine, "article")
    response = send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer(tokens["writer"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert count(engine, "article") == before + 1
    product = free_products(engine)[0]
    response = send(client, "DELETE", f"/rest/products/{product}", None, bearer(tokens["writer"]))
    assert response.status_code == 204
    assert client.get(f"/rest/products/{product}").status_code == 404


def test_http_basic_with_the_privilege_writes(
    client: Client, tokens: dict[str, str], engine: sqlalchemy.Engine
) -> None:
    product = free_products(engine)[0]
    response = send(client, "DELETE", f"/rest/products/{product}", None, basic("basic", PASSWORD))
    assert response.status_code == 204, response.get_data(as_text=True)
    # the name is not case-sensitive, the password is
    article = first_id(client, "articles")
    changed = {**NEW_ARTICLE, "localizations": {"en_US": {"title": "Changed by Basic"}}}
    response = send(client, "PUT", f"/rest/articles/{article}", changed, basic("BASIC", PASSWORD))
    assert response.status_code == 200, response.get_data(as_text=True)
    wrong = send(
        client, "PUT", f"/rest/articles/{article}", changed, basic("basic", "correct-horse-42")
    )
    error_of(wrong, 401, "unauthorized")


def test_credentials_lacking_the_acl_action_get_403_and_change_nothing(
    client: Client, tokens: dict[str, str], engine: sqlalchemy.Engine
) -> None:
    products = count(engine, "catalog_products")
    product = first_id(client, "products")
    for method, path in [("DELETE", f"/rest/products/{product}"), ("PUT", "/rest/articles/1")]:
        error = error_of(
            send(client, method, path, NEW_ARTICLE, bearer(tokens["poster"])), 403, "forbidden"
        )
        assert f":{method.lower()}`" in error["message"]
    error_of(
        send(client, "POST", "/rest/products/", {}, basic("basic", PASSWORD)), 403, "forbidden"
    )
    assert count(engine, "catalog_products") == products
    # the privilege it has works
    response = send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer(tokens["poster"]))
    assert response.status_code == 201


@pytest.mark.parametrize(
    "header",
    [
        "Bearer jpy_not-a-token",
        "Bearer ",
        "Bearer " + "x" * 300,
        "Token abc",
        "Basic !!!not-base64",
        "Basic " + base64.b64encode(b"no colon").decode(),
        "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
        "Basic " + base64.b64encode(b"nobody:" + PASSWORD.encode()).decode(),
        "Basic " + base64.b64encode(b"writer:" + PASSWORD.encode()).decode(),  # no password set
    ],
)
def test_wrong_or_malformed_credentials_are_401_with_both_challenges(
    client: Client, tokens: dict[str, str], header: str
) -> None:
    response = send(client, "POST", "/rest/articles/", NEW_ARTICLE, {"Authorization": header})
    error = error_of(response, 401, "unauthorized")
    assert "Bearer <token>" in error["message"]
    assert response.headers.getlist("WWW-Authenticate") == [
        'Bearer realm="rest"',
        'Basic realm="rest", charset="UTF-8"',
    ]


def test_a_deactivated_user_is_refused(client: Client, tokens: dict[str, str]) -> None:
    response = send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer(tokens["sleeper"]))
    assert "deactivated" in error_of(response, 401, "unauthorized")["message"]


def test_reads_stay_public_and_ignore_credentials(client: Client, tokens: dict[str, str]) -> None:
    for headers in [{}, bearer("wrong"), bearer(tokens["writer"])]:
        response = client.get("/rest/articles/", headers=headers)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


def test_only_a_hash_of_the_token_is_stored(
    tokens: dict[str, str], engine: sqlalchemy.Engine
) -> None:
    with engine.connect() as connection:
        rows = connection.execute(
            sqlalchemy.text("SELECT name, token_hash, password_hash FROM rest_api_users")
        ).all()
    stored = {name: (token_hash, password_hash) for name, token_hash, password_hash in rows}
    token = tokens["writer"]
    assert token.startswith("jpy_") and len(token) > 40
    assert stored["writer"] == (hashlib.sha256(token.encode()).hexdigest(), None)
    assert PASSWORD not in str(stored["basic"]) and str(stored["basic"][1]).startswith("scrypt$")
    assert all(token not in str(row) for row in rows for token in tokens.values())


def with_limits(app: Application, per_account: int, per_address: int) -> None:
    """Smaller throttle limits than config.yaml's defaults, for a short test."""
    app.throttles.config = dataclasses.replace(
        app.config, throttle_per_account=per_account, throttle_per_address=per_address
    )


def test_wrong_tokens_from_an_address_wait_but_a_valid_token_never_does(
    app: Application, client: Client, tokens: dict[str, str]
) -> None:
    with_limits(app, per_account=3, per_address=5)
    for _ in range(5):
        error_of(
            send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer("guess")),
            401,
            "unauthorized",
        )
    response = send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer("guess"))
    error = error_of(response, 429, "too_many_attempts")
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert f"{response.headers['Retry-After']} seconds" in error["message"]
    # Basic credentials from the throttled address wait too, even the right ones
    error_of(
        send(client, "DELETE", "/rest/products/1", None, basic("basic", PASSWORD)),
        429,
        "too_many_attempts",
    )
    # the valid token of the same address is not held up by those failures
    response = send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer(tokens["writer"]))
    assert response.status_code == 201, response.get_data(as_text=True)


def test_basic_failures_for_one_name_throttle_that_name_from_that_address(
    app: Application, client: Client, tokens: dict[str, str]
) -> None:
    with_limits(app, per_account=3, per_address=50)
    here = {"REMOTE_ADDR": "192.0.2.1"}
    for _ in range(3):
        response = client.open(
            "/rest/products/1", method="DELETE", headers=basic("basic", "wrong"), environ_base=here
        )
        error_of(response, 401, "unauthorized")
    response = client.open(
        "/rest/products/1", method="DELETE", headers=basic("basic", PASSWORD), environ_base=here
    )
    error_of(response, 429, "too_many_attempts")
    # from another address the name is not locked: nobody can lock an API user out for all
    response = client.open(
        "/rest/products/1",
        method="DELETE",
        headers=basic("basic", PASSWORD),
        environ_base={"REMOTE_ADDR": "192.0.2.2"},
    )
    assert response.status_code == 204  # `basic` may delete products


def test_the_rest_base_gets_its_provider_from_base_yaml(app: Application) -> None:
    from application.modules.rest.auth.users.auth import RestAuth

    assert isinstance(app.bases["rest"].auth, RestAuth)


# jetpy api-user ----------------------------------------------------------------------------
def cli(*args: str, input: str | None = None, group: str = "api-user") -> Result:
    for name in [n for n in sys.modules if n == "application" or n.startswith("application.")]:
        del sys.modules[name]  # as a new process does
    return CliRunner().invoke(main, ["-p", str(REPO), group, *args], input=input)


TOKEN_LINE = re.compile(r"\(shown only now, keep it secret\): (jpy_\S+)")


def test_the_cli_creates_a_user_and_prints_its_token_once(
    engine: sqlalchemy.Engine, app: Application
) -> None:
    result = cli(
        "create",
        "shop",
        "--grant",
        f"{PRODUCTS}:put",
        "--grant",
        f"{PRODUCTS}:delete",
        "--description",
        "The shop's sync",
        group="api-role",
    )
    assert result.exit_code == 0, result.output
    assert f"created API role shop granting {PRODUCTS}:delete, {PRODUCTS}:put" in result.output
    result = cli("create", "shop-sync", "--role", "shop")
    assert result.exit_code == 0, result.output
    assert "created API user shop-sync with roles shop" in result.output
    found = TOKEN_LINE.search(result.output)
    assert found is not None
    token = found.group(1)
    client = Client(app)
    product = free_products(engine)[0]
    assert (
        send(client, "DELETE", f"/rest/products/{product}", None, bearer(token)).status_code == 204
    )
    error_of(send(client, "POST", "/rest/articles/", NEW_ARTICLE, bearer(token)), 403, "forbidden")

    # a new token replaces the old one
    result = cli("token", "SHOP-SYNC")
    assert result.exit_code == 0, result.output
    found = TOKEN_LINE.search(result.output)
    assert found is not None and found.group(1) != token
    error_of(send(client, "DELETE", "/rest/products/2", None, bearer(token)), 401, "unauthorized")
    assert cli("token", "nobody").exit_code != 0


def test_the_cli_refuses_bad_input(engine: sqlalchemy.Engine) -> None:
    result = cli("create", "robots", "--grant", "content.articles.rest:fly", group="api-role")
    assert result.exit_code != 0
    assert "unknown privilege content.articles.rest:fly" in result.output
    assert "content.articles.rest:post" in result.output  # the ones there are
    assert cli("create", "robots", group="api-role").exit_code == 0
    assert "exists already" in cli("create", "ROBOTS", group="api-role").output
    result = cli("create", "robot", "--role", "robots", "--role", "nope")
    assert result.exit_code != 0
    assert "there is no API role nope (roles: robots;" in result.output
    assert "Error: not created: the name must be" in cli("create", "--", "-x").output
    assert "give it a token or a --password" in cli("create", "robot", "--no-token").output
    result = cli("create", "robot", "--no-token", "--password", input="short\nshort\n")
    assert "shorter than 10 characters" in result.output
    result = cli("create", "robot", "--no-token", "--password", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "token" not in result.output and PASSWORD not in result.output
    assert "exists already" in cli("create", "Robot").output
    with Session(engine) as db:
        from application.modules.rest.auth.users.models import ApiUser

        [robot] = db.scalars(select(ApiUser).where(func.lower(ApiUser.name) == "robot")).all()
        assert robot.token_hash is None and robot.password_hash is not None
        assert robot.roles == []  # a user without roles can authenticate but not write


# the admin pages ------------------------------------------------------------------------------
@pytest.fixture
def admin(engine: sqlalchemy.Engine, app: Application) -> Client:
    """A client signed in to the admin base as a superuser."""
    from application.classes.admin_users import create_administrator

    with Session(engine) as db:
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        create_administrator(db, "clerk", "clerk@example.com", PASSWORD)
        db.commit()
    return signed_in(app, "boss")


def csrf_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    found = CSRF.search(response.get_data(as_text=True))
    assert found is not None
    return found.group(1)


SHOWN_TOKEN = re.compile(r'<code id="api-token">(jpy_[A-Za-z0-9_-]+)</code>')


def role_ids(engine: sqlalchemy.Engine) -> dict[str, str]:
    """API role name → id (as the form sends it)."""
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT name, id FROM rest_api_roles")).all()
    return {str(name): str(id) for name, id in rows}


def test_the_admin_adds_edits_and_deletes_api_roles(
    admin: Client, engine: sqlalchemy.Engine
) -> None:
    page = admin.get("/admin/api-roles/?add").get_data(as_text=True)
    assert f'value="{ARTICLES}:post"' in page and f'value="{PRODUCTS}:delete"' in page
    data = {
        "csrf_token": csrf_of(admin, "/admin/api-roles/?add"),
        "name": "importer",
        "description": "nightly import",
        "privileges": [f"{ARTICLES}:post", f"{PRODUCTS}:delete"],
    }
    assert admin.post("/admin/api-roles/?add", data=data).status_code == 303
    listed = admin.get("/admin/api-roles/").get_data(as_text=True)
    assert "importer" in listed and f"{PRODUCTS}:delete, {ARTICLES}:post" in listed
    role = role_ids(engine)["importer"]
    # the same name (any case), an unknown privilege: refused, nothing changes
    data = {**data, "csrf_token": csrf_of(admin, "/admin/api-roles/?add"), "name": "IMPORTER"}
    response = admin.post("/admin/api-roles/?add", data={**data, "privileges": ["x:y"]})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "an API role named IMPORTER exists already" in text and "not a valid choice" in text
    url = f"/admin/api-roles/?edit={role}"
    data = {
        "csrf_token": csrf_of(admin, url),
        "name": "importer",
        "privileges": [f"{ARTICLES}:put"],
    }
    assert admin.post(url, data=data).status_code == 303
    assert count(engine, "rest_api_role_privileges") == 1
    view = admin.get(f"/admin/api-roles/?view={role}").get_data(as_text=True)
    assert "Articles REST API: Edit articles" in view  # labels, not raw values
    # deleting a role takes it from its users
    from application.modules.rest.auth.users.users import create_api_user

    with Session(engine) as db:
        create_api_user(db, "holder", roles=["importer"])
        db.commit()
    url = f"/admin/api-roles/?delete={role}"
    assert admin.post(url, data={"csrf_token": csrf_of(admin, url)}).status_code == 303
    assert count(engine, "rest_api_roles") == 0
    assert count(engine, "rest_api_role_privileges") == 0
    assert count(engine, "rest_api_user_roles") == 0
    assert count(engine, "rest_api_users") == 1


def test_the_admin_adds_an_api_user_and_sees_its_token_once(
    admin: Client, app: Application, engine: sqlalchemy.Engine
) -> None:
    from application.modules.rest.auth.users.users import create_api_role

    with Session(engine) as db:
        create_api_role(db, "poster", known=EVERYTHING, privileges=[f"{ARTICLES}:post"])
        create_api_role(db, "deleter", known=EVERYTHING, privileges=[f"{PRODUCTS}:delete"])
        db.commit()
    roles = role_ids(engine)
    page = admin.get("/admin/api-users/?add").get_data(as_text=True)
    assert f'value="{roles["poster"]}"' in page and f'value="{roles["deleter"]}"' in page
    token = csrf_of(admin, "/admin/api-users/?add")
    data = {
        "csrf_token": token,
        "name": "importer",
        "description": "nightly import",
        "is_active": "y",
        "roles": [roles["poster"], roles["deleter"]],
        "new_token": "y",
    }
    response = admin.post("/admin/api-users/?add", data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    found = SHOWN_TOKEN.search(text)
    assert found is not None, text
    issued = found.group(1)
    assert response.headers["Cache-Control"] == "no-store"
    assert "Added importer." in text
    # never again: the list and the view do not have it
    listed = admin.get("/admin/api-users/").get_data(as_text=True)
    assert "importer" in listed and issued not in listed
    assert issued not in admin.get("/admin/api-users/?view=1").get_data(as_text=True)

    rest = Client(app)
    response = send(rest, "POST", "/rest/articles/", NEW_ARTICLE, bearer(issued))
    assert response.status_code == 201
    error_of(send(rest, "PUT", "/rest/articles/1", NEW_ARTICLE, bearer(issued)), 403, "forbidden")

    # edit: take the article role away, issue a new token
    token = csrf_of(admin, "/admin/api-users/?edit=1")
    data = {**data, "csrf_token": token, "roles": [roles["deleter"]]}
    response = admin.post("/admin/api-users/?edit=1", data=data)
    found = SHOWN_TOKEN.search(response.get_data(as_text=True))
    assert found is not None and found.group(1) != issued
    error_of(
        send(rest, "POST", "/rest/articles/", NEW_ARTICLE, bearer(issued)), 401, "unauthorized"
    )
    newer = found.group(1)
    error_of(send(rest, "POST", "/rest/articles/", NEW_ARTICLE, bearer(newer)), 403, "forbidden")

    # edit without a new token: back to the list, the token stays
    token = csrf_of(admin, "/admin/api-users/?edit=1")
    data = {**data, "csrf_token": token, "new_token": "", "is_active": ""}
    response = admin.post("/admin/api-users/?edit=1", data=data)
    assert response.status_code == 303
    error_of(send(rest, "DELETE", "/rest/products/1", None, bearer(newer)), 401, "unauthorized")

    # delete
    token = csrf_of(admin, "/admin/api-users/?delete=1")
    assert admin.post("/admin/api-users/?delete=1", data={"csrf_token": token}).status_code == 303
    assert count(engine, "rest_api_users") == 0
    assert count(engine, "rest_api_user_roles") == 0
    assert count(engine, "rest_api_roles") == 2  # the roles stay


def test_the_admin_form_checks_name_and_password(admin: Client, tokens: dict[str, str]) -> None:
    token = csrf_of(admin, "/admin/api-users/?add")
    data = {"csrf_token": token, "name": "WRITER", "password": "short", "roles": ["999999"]}
    response = admin.post("/admin/api-users/?add", data=data)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "an API user named WRITER exists already" in text
    assert "shorter than 10 characters" in text
    assert "is not a valid choice" in text
    assert 'id="api-token"' not in text


def test_the_admin_sets_and_removes_the_basic_password(
    admin: Client, app: Application, tokens: dict[str, str], engine: sqlalchemy.Engine
) -> None:
    rest = Client(app)
    with Session(app.db.engine) as db:
        from application.modules.rest.auth.users.models import ApiUser

        writer = db.scalars(select(ApiUser).where(ApiUser.name == "writer")).one()
        url = f"/admin/api-users/?edit={writer.id}"
    data = {
        "csrf_token": csrf_of(admin, url),
        "name": "writer",
        "is_active": "y",
        "roles": [role_ids(engine)["deleter"]],
        "password": "A-fine-password-9",
    }
    assert admin.post(url, data=data).status_code == 303
    product = free_products(engine)[0]
    auth = basic("writer", "A-fine-password-9")
    assert send(rest, "DELETE", f"/rest/products/{product}", None, auth).status_code == 204
    # the token stays as it was
    product = free_products(engine)[0]
    assert (
        send(
            rest, "DELETE", f"/rest/products/{product}", None, bearer(tokens["writer"])
        ).status_code
        == 204
    )
    data = {**data, "csrf_token": csrf_of(admin, url), "password": "", "no_password": "y"}
    assert admin.post(url, data=data).status_code == 303
    error_of(send(rest, "DELETE", "/rest/products/3", None, auth), 401, "unauthorized")


def test_the_admin_pages_need_the_privileges(
    admin: Client, app: Application, engine: sqlalchemy.Engine
) -> None:
    anonymous = Client(app)
    response = anonymous.get("/admin/api-users/")
    assert response.status_code == 200 and 'type="password"' in response.get_data(as_text=True)
    clerk = signed_in(app, "clerk")
    assert clerk.get("/admin/api-users/").status_code == 403
    assert clerk.get("/admin/api-users/?add").status_code == 403
    assert clerk.get("/admin/api-roles/").status_code == 403
    assert clerk.get("/admin/api-roles/?add").status_code == 403
    # the POST without a CSRF token changes nothing
    response = admin.post("/admin/api-users/?add", data={"name": "sneaky", "new_token": "y"})
    assert response.status_code == 400
    assert count(engine, "rest_api_users") == 0


def test_czech_admin_page(admin: Client) -> None:
    text = admin.get("/admin/cs/api-users/?add").get_data(as_text=True)
    assert "Vydat token (zobrazí se jen jednou)" in text
    assert "Role" in text
    text = admin.get("/admin/cs/api-roles/?add").get_data(as_text=True)
    assert "Oprávnění" in text and "Role API" in text


def test_the_admin_menu_offers_api_users_and_roles(admin: Client) -> None:
    for prefix in ["/admin/", "/admin/cs/"]:
        menu = admin.get(prefix).get_data(as_text=True)
        assert f'href="{prefix}api-users/"' in menu and f'href="{prefix}api-roles/"' in menu
