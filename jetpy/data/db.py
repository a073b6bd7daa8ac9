"""The database: an engine from the config, one session per request, the tables of modules.

Models subclass the application's declarative base (`application/classes/model.py`); the
tables of a module are those of the models defined in its `models.py`.

A request's session is opened on first use (`ctx.db`, `controller.db`), committed when the
response is not an error, rolled back otherwise, and always closed. Event handlers run after
that commit; they open their own session with `app.db.session()`.
"""

from __future__ import annotations

import importlib
import os
from contextvars import ContextVar, Token
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, MetaData, Table, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from jetpy.errors import JetpyError
from jetpy.modules.states import AVAILABLE

if TYPE_CHECKING:
    from jetpy.definitions.config import Config
    from jetpy.modules.discovery import Module

ENVIRONMENT = "JETPY_DATABASE_URL"
DEFAULT_FILE = "data/site.sqlite3"  # under application/
MODEL_BASE = "application.classes.model"  # where the project's declarative base `Model` lives


class DatabaseError(JetpyError):
    """The database cannot be used as configured."""


def database_url(config: Config, app_dir: Path) -> str:
    """`$JETPY_DATABASE_URL`, else `database.url` of config.yaml, else a SQLite file."""
    url = os.environ.get(ENVIRONMENT) or config.database_url
    if not url:
        return f"sqlite:///{(app_dir / DEFAULT_FILE).resolve()}"
    try:
        make_url(url)
    except ArgumentError:
        where = ENVIRONMENT if os.environ.get(ENVIRONMENT) else "`database.url` in config.yaml"
        raise DatabaseError(
            f"{where} is not a database URL: {url!r}; write e.g. "
            "`sqlite:///application/data/site.sqlite3` or "
            "`postgresql+psycopg://user:password@host/database`"
        ) from None
    return url


_OUTSIDE: Any = object()  # the request session's value outside a request


class Database:
    """The application's database: `engine`, `session()` for scripts, the request's session."""

    def __init__(self, url: str, echo: bool = False) -> None:
        self.url = url
        self.echo = echo
        self._engine: Engine | None = None
        self._request: ContextVar[Session | None] = ContextVar("jetpy.data.db", default=_OUTSIDE)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine, made on first use."""
        engine = self._engine
        if engine is None:
            engine = self._engine = _create_engine(self.url, self.echo)
        return engine

    def session(self) -> Session:
        """A new session for scripts, commands and event handlers: `with app.db.session() as s:`."""
        return Session(self.engine)

    def dispose(self) -> None:
        """Close the engine's pooled connections (tests and forked workers)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # the session of a request ----------------------------------------------------
    def open_request(self) -> Token[Session | None]:
        """Start a request: its session opens when first asked for."""
        return self._request.set(None)

    @property
    def in_request(self) -> bool:
        """Whether a request (or a worker's handler) is running here, with a session of its own."""
        return self._request.get() is not _OUTSIDE

    @property
    def request_session(self) -> Session:
        """The current request's session, opened on first use."""
        session = self._request.get()
        if session is None:
            session = Session(self.engine)
            self._request.set(session)
        elif session is _OUTSIDE:
            raise DatabaseError(
                "there is no request here, so no request session; "
                "use `with app.db.session() as session:` in scripts and event handlers"
            )
        return session

    def commit_request(self) -> None:
        """Commit the request's session if it was opened."""
        session = self._request.get()
        if session is not None and session is not _OUTSIDE:
            session.commit()

    def rollback_request(self) -> None:
        """Roll back what the request's session did so far (an error answer)."""
        session = self._request.get()
        if session is not None and session is not _OUTSIDE:
            session.rollback()

    def close_request(self, token: Token[Session | None]) -> None:
        """End a request: what was not committed is rolled back; the session is closed."""
        session = self._request.get()
        self._request.reset(token)
        if session is not None and session is not _OUTSIDE:
            session.close()

    # tables ----------------------------------------------------------------------
    def table_names(self) -> set[str]:
        """The tables that exist in the database."""
        return set(inspect(self.engine).get_table_names())

    def create_tables(self, tables: list[Table]) -> list[str]:
        """Create those of `tables` that do not exist yet; their names."""
        existing = self.table_names()
        missing = [table for table in tables if table.name not in existing]
        if missing:
            metadata(tables).create_all(self.engine, tables=missing)
        return [table.name for table in missing]

    def ensure_table(self, table: Table) -> None:
        """Create `table` when missing; another process creating it at the same moment is fine."""
        try:
            table.create(self.engine, checkfirst=True)
        except DBAPIError:  # the other process won the race: the table must exist now
            if table.name not in self.table_names():
                raise

    def drop_tables(self, tables: list[Table]) -> list[str]:
        """Drop those of `tables` that exist; their names."""
        existing = self.table_names()
        present = [table for table in tables if table.name in existing]
        if present:
            metadata(tables).drop_all(self.engine, tables=present)
        return [table.name for table in present]


def _create_engine(url: str, echo: bool) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo)
        event.listen(engine, "connect", _sqlite_foreign_keys)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_foreign_keys(connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys unchecked unless asked, per connection
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def metadata(tables: list[Table]) -> MetaData:
    """The metadata the tables belong to (all of a project's models share one)."""
    if not tables:
        return MetaData()
    return tables[0].metadata


def project_model() -> Any | None:
    """The project's declarative base `Model` (application/classes/model.py), if it has one."""
    try:
        model = importlib.import_module(MODEL_BASE)
    except ModuleNotFoundError as exc:
        if exc.name is not None and MODEL_BASE.startswith(exc.name):
            return None
        raise
    base = getattr(model, "Model", None)
    return base if isinstance(getattr(base, "metadata", None), MetaData) else None


def module_models(module: Module) -> str | None:
    """The dotted name of the module's models.py, imported; None when it has none."""
    if not (module.dir / "models.py").is_file():
        return None
    name = f"{module.package}.models"
    importlib.import_module(name)
    return name


def module_tables(module: Module) -> list[Table]:
    """The tables of the models defined in the module's models.py."""
    name = module_models(module)
    if name is None:
        return []
    return [table for table, owner in _owned_tables() if owner == name]


def application_tables(modules: dict[str, Module], states: dict[str, str]) -> list[Table]:
    """The tables of the shared classes and of the installed modules, in dependency order."""
    import_classes()
    installed = set()
    for module in modules.values():
        if states.get(module.name, AVAILABLE) != AVAILABLE:
            installed.add(module_models(module))
    of_modules = {f"{module.package}.models" for module in modules.values()}
    return [
        table for table, owner in _owned_tables() if owner not in of_modules or owner in installed
    ]


def import_classes() -> None:
    """Import every module of application/classes/, so that all shared models are mapped."""
    try:
        package = importlib.import_module("application.classes")
    except ModuleNotFoundError:
        return
    folder = Path(next(iter(package.__path__)))
    names = [p.stem for p in folder.glob("*.py") if not p.name.startswith("_")]
    names += [p.parent.name for p in folder.glob("*/__init__.py")]
    for name in sorted(names):
        importlib.import_module(f"application.classes.{name}")


def _owned_tables() -> list[tuple[Table, str]]:
    """Every mapped table in dependency order, with the Python module that defined its model."""
    base = project_model()
    if base is None:
        return []
    owners: dict[str, str] = {}
    for mapper in base.registry.mappers:
        for table in mapper.tables:
            owners.setdefault(table.name, mapper.class_.__module__)
    return [(table, owners.get(table.name, "")) for table in base.metadata.sorted_tables]
