"""Fixtures: small projects built in tmp_path, their application and a test client."""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
import yaml
from sqlalchemy.orm import Session
from werkzeug.test import Client, TestResponse

import jetpy.data.db
from jetpy import Application
from jetpy.data.db import application_tables, import_classes, project_model
from jetpy.modules.discovery import use_project_imports

REPO = Path(__file__).resolve().parent.parent  # the example application's project folder
TEST_DATABASE = "JETPY_TEST_DATABASE_URL"  # e.g. postgresql+psycopg://postgres@127.0.0.1/test

LAYOUT = """<!doctype html><html><head>{{ head() }}</head><body>
<nav>{{ module("test.hello", action="menu") }}</nav>
<main>{{ position("main") }}</main><aside>{{ position("side") }}</aside>
</body></html>"""

HELLO_CONTROLLERS = '''
from jetpy import Controller, ControllerRouter


class Main(Controller):
    def default_action(self):
        self.render("hello.html", name=self.parameters.get("name", "world"))

    def menu_action(self):
        self.render("menu.html")


class Items(Controller):
    """A list and a detail chosen by the leftover path."""

    ITEMS = {"one": "First item", "two": "Second item"}

    def get_router(self):
        router = ControllerRouter(self)
        router.add_action("list", resolver=lambda: self.url_path == "",
                          url_creator=lambda: self.page.url())
        router.add_action("detail", resolver=self.resolve_detail,
                          url_creator=lambda slug: self.page.url(slug + ".html"))
        return router

    def resolve_detail(self):
        slug = self.url_path.removesuffix(".html")
        if self.url_path.endswith(".html") and slug in self.ITEMS:
            self.slug = slug
            self.set_used_path(self.url_path)
            return True
        return False

    def list_action(self):
        links = [self.router.action("detail").url(slug) for slug in self.ITEMS]
        self.render("list.html", links=links)

    def detail_action(self):
        self.breadcrumb.add(self.ITEMS[self.slug])
        self.head.title = self.ITEMS[self.slug]
        self.head.add_css("/public/item.css")
        self.render("detail.html", title=self.ITEMS[self.slug])
'''

DEFAULT_FILES: dict[str, str] = {
    "application/__init__.py": "",
    "application/bases/web/base.yaml": """
        name: Web
        default: true
        direct_files: [robots.txt]
        locales:
          en_US:
            urls: [/]
            title: Site
            meta_tags: [{value: description, content: Default description}]
          cs_CZ:
            urls: [/cs/]
            title: Web
        """,
    "application/bases/web/layouts/default.html": LAYOUT,
    "application/bases/web/pages/en_US/page.yaml": """
        title: Home
        contents:
          - module: test.hello
            parameters: {name: home}
        """,
    "application/bases/web/pages/en_US/robots.txt": "User-agent: *\n",
    "application/bases/web/pages/en_US/about/page.yaml": """
        title: About
        order: 2
        contents:
          - output: "<p>About us</p>"
        """,
    "application/bases/web/pages/en_US/items/page.yaml": """
        title: Items
        order: 1
        contents:
          - module: test.hello
            controller: Items
        """,
    "application/bases/web/pages/cs_CZ/page.yaml": """
        title: Úvod
        contents:
          - module: test.hello
            parameters: {name: domov}
        """,
    "application/data/modules.yaml": "test.hello: activated\n",
    "application/modules/test/hello/manifest.yaml": "label: Hello\n",
    "application/modules/test/hello/controllers.py": HELLO_CONTROLLERS,
    "application/modules/test/hello/views/hello.html": "<p>Hello {{ name }}!</p>",
    "application/modules/test/hello/views/menu.html": (
        "{% for p in [page.ancestors[0]] + page.ancestors[0].children %}"
        '<a href="{{ p.url() }}">{{ p.menu_title }}</a>{% endfor %}'
    ),
    "application/modules/test/hello/views/list.html": (
        '{% for link in links %}<a href="{{ link }}">{{ link }}</a>{% endfor %}'
    ),
    "application/modules/test/hello/views/detail.html": "<h1>{{ title }}</h1>",
}

ProjectFactory = Callable[..., Path]


def write_files(root: Path, files: dict[str, str | None]) -> None:
    """Write `files` below `root`; a value of None deletes the file."""
    for name, text in files.items():
        path = root / name
        if text is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


@pytest.fixture
def make_project(tmp_path: Path) -> ProjectFactory:
    """Build a project in tmp_path: the default files, changed by `files` (None deletes)."""

    def make(files: dict[str, str | None] | None = None, *, defaults: bool = True) -> Path:
        root = tmp_path / "project"
        write_files(root, {**(DEFAULT_FILES if defaults else {}), **(files or {})})
        return root

    return make


@pytest.fixture
def project(make_project: ProjectFactory) -> Path:
    return make_project()


@pytest.fixture
def app(project: Path) -> Application:
    return Application(project)


@pytest.fixture
def client(app: Application) -> Client:
    return Client(app)


@pytest.fixture
def make_client(make_project: ProjectFactory) -> Callable[..., Client]:
    """A client for the default project changed by `files`."""

    def make(files: dict[str, str | None] | None = None) -> Client:
        return Client(Application(make_project(files)))

    return make


# databases -------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _own_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test's applications get a SQLite file of their own unless the test asks `db_url`.

    The engines the test's applications made are disposed after it, so that no connection
    outlives its test (PostgreSQL would count them; psycopg warns when one is collected).
    """
    monkeypatch.setenv("JETPY_DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'site.sqlite3'}")
    monkeypatch.setenv("JETPY_MEDIA_DIR", str(tmp_path / "media"))  # never the project's own
    made: list[sqlalchemy.Engine] = []
    create = jetpy.data.db._create_engine

    def recorded(url: str, echo: bool) -> sqlalchemy.Engine:
        engine = create(url, echo)
        made.append(engine)
        return engine

    monkeypatch.setattr(jetpy.data.db, "_create_engine", recorded)
    yield
    for engine in made:
        engine.dispose()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The test database (emptied), also set as JETPY_DATABASE_URL for the applications made.

    SQLite in tmp_path by default; $JETPY_TEST_DATABASE_URL (PostgreSQL in CI) when set.
    """
    url = os.environ.get(TEST_DATABASE)
    if url:
        empty_database(url)
    else:
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    monkeypatch.setenv("JETPY_DATABASE_URL", url)
    return url


def empty_database(url: str) -> None:
    """Drop everything in the test database (PostgreSQL: the public schema)."""
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # connections left open by earlier tests' applications would hold locks
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
            else:
                sqlalchemy.MetaData().drop_all(connection)
                reflected = sqlalchemy.MetaData()
                reflected.reflect(connection)
                reflected.drop_all(connection)
    finally:
        engine.dispose()


@pytest.fixture
def example_model() -> type:
    """The example application's declarative base, with every shared class imported."""
    use_project_imports(REPO)
    import_classes()
    model = project_model()
    assert model is not None, "application/classes/model.py defines no Model"
    return model  # type: ignore[no-any-return]


@pytest.fixture
def db_engine(db_url: str, example_model: type) -> Iterator[sqlalchemy.Engine]:
    """An engine on the test database holding the tables of the example's shared classes."""
    engine = sqlalchemy.create_engine(db_url)
    if engine.dialect.name == "sqlite":
        sqlalchemy.event.listen(
            engine, "connect", lambda connection, _: connection.execute("PRAGMA foreign_keys=ON")
        )
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(db_engine: sqlalchemy.Engine) -> Iterator[Session]:
    """A session on the test database with the example's shared tables created."""
    with Session(db_engine) as session:
        yield session


EXAMPLE_ARTICLES = 16  # 3 of them not shown (scheduled, draft): two pages of the list of 10


@pytest.fixture
def example_app(db_engine: sqlalchemy.Engine) -> Iterator[Application]:
    """The example application on the test database (`db_url`), with a few demo articles."""
    from application.classes.demo_content import seed_articles

    with Session(db_engine) as session:
        seed_articles(session, count=EXAMPLE_ARTICLES)
        session.commit()
    app = Application(REPO, use_cache=False)
    try:
        yield app
    finally:
        app.db.dispose()


# a copy of the example project -----------------------------------------------------------
# runtime files of application/data, left out of a copy (modules/mail/outbox is code)
EXAMPLE_RUNTIME = {"cache", "secret_key", "media", "outbox", "audit.log"}


def _runtime(folder: str, names: list[str]) -> set[str]:
    data = Path(folder).name == "data"
    return {
        name
        for name in names
        if name == "__pycache__"
        or (data and (name in EXAMPLE_RUNTIME or name.endswith(".sqlite3")))
    }


def copy_example(
    root: Path, *, config: dict[str, Any] | None = None, mail_queue: str | None = None
) -> Path:
    """Copy the example project (application/ without its runtime files, public/) to `root`.

    `config` is merged into the copy's config.yaml (a key's dict into the key's dict);
    `mail_queue` renames the queue `mail` of mail.outbox's listeners, so that a test on a
    real broker has a queue of its own. The copy's application/data/outbox is its own too.
    """
    shutil.copytree(
        REPO / "application",
        root / "application",
        ignore=_runtime,
    )
    shutil.copytree(REPO / "public", root / "public")
    if config:
        path = root / "application" / "config.yaml"
        settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in config.items():
            if isinstance(value, dict) and isinstance(settings.get(key), dict):
                settings[key] = {**settings[key], **value}
            else:
                settings[key] = value
        path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    if mail_queue is not None:
        manifest = root / "application" / "modules" / "mail" / "outbox" / "manifest.yaml"
        text = manifest.read_text(encoding="utf-8")
        assert "queue: mail}" in text, "mail.outbox's listeners are not on the queue `mail`"
        manifest.write_text(text.replace("queue: mail}", f"queue: {mail_queue}}}"), "utf-8")
    return root


# one seeded site for the whole run (security and browser tests) ----------------------------
PASSWORD = "Correct-Horse-42"  # of the users the tests make, unless a test says otherwise
SITE_PASSWORD = PASSWORD  # of every administrator of `seeded_site`


@dataclass(frozen=True)
class SeededSite:
    """A database with the demo data and a superuser `boss`, and the application on it."""

    url: str
    app: Application


def site_database_url(base: Path, name: str = "site") -> str:
    """SQLite in `base`, or a database next to $JETPY_TEST_DATABASE_URL (created when missing).

    Not the test database itself: `db_url` empties that one before every test. `name` tells
    the sites of a run apart (`<database>_<name>` on PostgreSQL).
    """
    url = os.environ.get(TEST_DATABASE)
    if not url:
        return f"sqlite:///{base / f'{name}.sqlite3'}"
    parsed = sqlalchemy.make_url(url)
    site = parsed.set(database=f"{parsed.database}_{name}")
    engine = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": site.database}
            ).first()
            if exists is None:
                connection.exec_driver_sql(f'CREATE DATABASE "{site.database}"')
    finally:
        engine.dispose()
    url = site.render_as_string(hide_password=False)
    empty_database(url)
    return url


@pytest.fixture(scope="session")
def seeded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededSite]:
    """The example application on a database made once per run: tables, demo data, `boss`.

    Tests that change data use rows of their own (or say which demo rows they change).
    """
    site = seed_site(site_database_url(tmp_path_factory.mktemp("site")))
    yield site
    site.app.db.dispose()


def seed_site(url: str) -> SeededSite:
    """The example application on the empty database `url`: tables, demo data, `boss`."""
    use_project_imports(REPO)  # an earlier test may have loaded another project's `application`
    from application.classes.admin_users import create_administrator
    from application.seed import seed

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JETPY_DATABASE_URL", url)
        # its pictures in a folder of their own, never in the repository's application/data
        patch.setenv("JETPY_MEDIA_DIR", tempfile.mkdtemp(prefix="jetpy-site-media-"))
        app = Application(REPO, use_cache=False)
    states = {name: module.state for name, module in app.modules.items()}
    app.db.create_tables(application_tables(app.modules, states))
    with app.db.session() as session:
        seed(session, app.media)
        create_administrator(session, "boss", "boss@example.com", SITE_PASSWORD, superuser=True)
        session.commit()
    return SeededSite(url, app)


# Redis -----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("JETPY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_START = "redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no"


@pytest.fixture
def redis_url() -> str:
    """The Redis of the tests ($JETPY_TEST_REDIS_URL, database 15 of 127.0.0.1:6379).

    Not reachable: the test skips, saying how to start it; under CI=true it fails instead.
    """
    try:
        import redis

        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1) as client:
            client.ping()
    except Exception as error:
        reason = f"Redis is not reachable at {REDIS_URL} ({error}); start it: {REDIS_START}"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{reason} (CI=true: the Redis tests must run)")
        pytest.skip(reason)
    return REDIS_URL


# RabbitMQ --------------------------------------------------------------------------------
RABBITMQ_URL = os.environ.get("JETPY_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
RABBITMQ_START = "rabbitmq-server -detached && rabbitmqctl await_startup"


@pytest.fixture
def rabbitmq_url() -> str:
    """The RabbitMQ of the tests ($JETPY_TEST_RABBITMQ_URL, guest on 127.0.0.1:5672).

    Not reachable: the test skips, saying how to start it; under CI=true it fails instead.
    """
    try:
        import pika

        pika.BlockingConnection(pika.URLParameters(RABBITMQ_URL)).close()
    except Exception as error:
        reason = (
            f"RabbitMQ is not reachable at {RABBITMQ_URL} ({error}); start it: {RABBITMQ_START}"
        )
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"{reason} (CI=true: the RabbitMQ tests must run)")
        pytest.skip(reason)
    return RABBITMQ_URL


# forms -----------------------------------------------------------------------------------
_CSRF_INPUT = re.compile(r'<input[^>]*\bname="csrf_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]+)"')


def csrf_token_in(response: TestResponse) -> str:
    """The CSRF token of the first form on the page (whatever the order of its attributes)."""
    page = response.get_data(as_text=True)
    field = _CSRF_INPUT.search(page)
    value = _VALUE.search(field.group(0)) if field else None
    assert value is not None, f"the page has no CSRF field: {page[:500]}"
    return value.group(1)


# signing in --------------------------------------------------------------------------------
_NEXT_INPUT = re.compile(r'<input[^>]*\bname="next"[^>]*\bvalue="([^"]*)"')


@contextmanager
def example_with_admins(
    db_url: str, example_model: type, people: Callable[[Session], None] | None = None
) -> Iterator[Application]:
    """The example application on the test database with the tables of its shared classes,
    a superuser `boss` and what `people` adds (administrators with roles; committed here);
    for a fixture: `with example_with_admins(…) as app: yield app`."""
    from application.classes.admin_users import create_administrator

    engine = sqlalchemy.create_engine(db_url)
    example_model.metadata.create_all(engine)  # type: ignore[attr-defined]
    with Session(engine) as db:
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        if people is not None:
            people(db)
        db.commit()
    engine.dispose()
    app = Application(REPO, use_cache=False)
    yield app
    app.db.dispose()


def log_in(
    client: Client,
    name: str,
    password: str = PASSWORD,
    url: str = "/admin/",
    *,
    headers: dict[str, str] | None = None,
    environ_base: dict[str, str] | None = None,
    **fields: str,
) -> TestResponse:
    """Post the login form that `url` answers with (the admin's, a web base's `/account/`, a
    secret page's) as `name`: its CSRF token and `next` as the page gave them; `fields` add
    or replace form fields (`next=` a hostile URL). The response: 303 when it worked, else
    the form again or 429. `headers` and `environ_base` go with both requests (a proxy's
    X-Forwarded-For, a client address of its own for the throttle). The one helper for every
    module that signs in through the form (the browser tests have theirs in browsing.py).
    """
    options: dict[str, Any] = {}
    if headers:
        options["headers"] = headers
    if environ_base:  # left out when None: a client class may set its own default
        options["environ_base"] = environ_base
    page = client.get(url, **options)
    data = {"_login": "1", "csrf_token": csrf_token_in(page), "login": name}
    found = _NEXT_INPUT.search(page.get_data(as_text=True))
    if found:
        data["next"] = html.unescape(found.group(1))
    return client.post(url, data={**data, "password": password, **fields}, **options)


def signed_in(
    app: Application, name: str = "boss", url: str = "/admin/", password: str = PASSWORD
) -> Client:
    """A new client of `app` with `name` signed in through the login form at `url`."""
    client = Client(app)
    response = log_in(client, name, password, url)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client
