"""`jetpy db …`: create, migrate and seed the database."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from jetpy.cli.modulecli import project_dir, project_option
from jetpy.data.db import Database, DatabaseError, application_tables, database_url
from jetpy.data.migrations import Migrations
from jetpy.errors import JetpyError
from jetpy.project.loader import load_project

F = TypeVar("F", bound=Callable[..., Any])
SEED_MODULE = "application.seed"  # application/seed.py: def seed(session) -> None


def _with_migrations(function: F) -> F:
    """Add `--project/-p`, load the project, and turn errors into a message and exit code 1."""

    @project_option
    @functools.wraps(function)
    def wrapper(project: Path | None, **kwargs: Any) -> Any:
        root = project or project_dir(click.get_current_context())
        try:
            loaded = load_project(root, use_cache=False)
            if not loaded.app_dir.is_dir():
                raise JetpyError(str(loaded.problems[0]))
            database = Database(database_url(loaded.config, loaded.app_dir))
            states = {name: module.state for name, module in loaded.modules.items()}
            migrations = Migrations(loaded.app_dir, database, loaded.modules, states)
            try:
                return function(migrations, **kwargs)
            finally:
                database.dispose()
        except (JetpyError, SQLAlchemyError) as error:
            click.secho(str(error).split("\n(Background")[0], fg="red", err=True)
            raise SystemExit(1) from None

    return wrapper  # type: ignore[return-value]


@click.group("db")
def db() -> None:
    """Create, migrate and seed the database (config.yaml `database.url`, $JETPY_DATABASE_URL).

    A new project: `jetpy db upgrade` (or `jetpy db create` when it has no migrations), then
    `jetpy db seed` for demo data.
    """


@db.command()
@_with_migrations
def create(migrations: Migrations) -> None:
    """Create the missing tables of the shared classes and installed modules, mark them current."""
    tables = application_tables(migrations.modules, migrations.states)
    created = migrations.database.create_tables(tables)
    if migrations.heads():
        migrations.stamp("heads")  # the tables are as the newest revisions would make them
    shown = ", ".join(created) if created else "none (every table exists)"
    click.echo(f"created tables: {shown}")


@db.command()
@click.argument("revision", default="heads")
@_with_migrations
def upgrade(migrations: Migrations, revision: str) -> None:
    """Apply migrations up to REVISION (default: every head, application and modules)."""
    migrations.upgrade(revision)
    click.echo(f"database upgraded to {revision}")


@db.command()
@click.argument("revision")
@_with_migrations
def downgrade(migrations: Migrations, revision: str) -> None:
    """Revert migrations down to REVISION (e.g. `-1` or `application@-1` or `base`)."""
    migrations.downgrade(revision)
    click.echo(f"database downgraded to {revision}")


@db.command()
@click.option("--message", "-m", required=True, help="What the revision changes.")
@click.option(
    "--module", "module_name", default=None, help="Write it for this module (its migrations/)."
)
@click.option(
    "--autogenerate/--empty",
    default=True,
    show_default=True,
    help="Compare the models with the database, or write an empty revision to fill in.",
)
@_with_migrations
def revision(
    migrations: Migrations, message: str, module_name: str | None, autogenerate: bool
) -> None:
    """Write a new migration for the application or one of its modules."""
    module = None
    if module_name is not None:
        module = migrations.modules.get(module_name)
        if module is None:
            known = ", ".join(sorted(migrations.modules)) or "none"
            raise JetpyError(f"there is no module `{module_name}` (modules: {known})")
    path = migrations.revision(message, module, autogenerate)
    click.echo(f"wrote {path}")


@db.command()
@_with_migrations
def current(migrations: Migrations) -> None:
    """Show the revisions the database is at."""
    migrations.current()


@db.command()
@_with_migrations
def history(migrations: Migrations) -> None:
    """List the revisions of the application and its modules."""
    migrations.history()


@db.command()
@_with_migrations
def seed(migrations: Migrations) -> None:
    """Fill the database with the demo data of application/seed.py (`def seed(session)`)."""
    try:
        module = importlib.import_module(SEED_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name not in (SEED_MODULE, "application"):
            raise
        raise JetpyError(
            "application/seed.py is missing; write `def seed(session) -> None` there to add "
            "demo data"
        ) from None
    function = getattr(module, "seed", None)
    if not callable(function):
        raise JetpyError("application/seed.py has no `seed(session)` function; define one")
    tables = application_tables(migrations.modules, migrations.states)
    missing = sorted(t.name for t in tables if t.name not in migrations.database.table_names())
    if missing:
        raise DatabaseError(
            f"the database lacks tables {', '.join(missing)}; run `jetpy db upgrade` "
            "(or `jetpy db create`) first"
        )
    with migrations.database.session() as session:
        summary = function(session)
        session.commit()
    click.echo(summary if isinstance(summary, str) else "seeded the database")
