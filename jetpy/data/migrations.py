"""Alembic migrations of the application and of its modules.

The application's revisions live in `application/migrations/versions/` (branch `application`),
each module's in its own `migrations/` folder (branch named after the module), so that a
module brings its schema changes with it. `application/migrations/env.py` only calls
`run_migrations()`: jetpy supplies the engine, the models and which tables a branch owns.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.types import TypeDecorator

from jetpy.data.db import Database, application_tables, module_tables, project_model
from jetpy.errors import JetpyError
from jetpy.modules.discovery import Module
from jetpy.modules.states import AVAILABLE

APPLICATION = "application"  # the branch label of the application's own revisions
ENV_PY = '''"""Alembic's entry point for this project: jetpy supplies the engine and the models."""

from jetpy.data.migrations import run_migrations

run_migrations()
'''
SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


class MigrationError(JetpyError):
    """A migration command could not run; the message says why and what to do."""


@dataclass
class Migrations:
    """Alembic, configured for one project: its database, models and installed modules."""

    app_dir: Path
    database: Database
    modules: dict[str, Module]
    states: dict[str, str]
    include: set[str] | None = field(default=None)  # the tables an autogenerate looks at

    @property
    def folder(self) -> Path:
        return self.app_dir / "migrations"

    def installed(self) -> list[Module]:
        return [m for m in self.modules.values() if self.states.get(m.name, AVAILABLE) != AVAILABLE]

    def config(self) -> AlembicConfig:
        """An Alembic config with every version folder of the application and its modules."""
        self.ensure_folder()
        locations = [self.folder / "versions"]
        locations += [
            m.dir / "migrations" for m in self.installed() if (m.dir / "migrations").is_dir()
        ]
        config = AlembicConfig(stdout=sys.stdout)  # as it is now (click swaps it in tests)
        config.set_main_option("script_location", _escape(self.folder))
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(_escape(p) for p in locations))
        config.attributes["jetpy"] = self
        return config

    def ensure_folder(self) -> None:
        """Write application/migrations/ (env.py, the revision template) when missing."""
        (self.folder / "versions").mkdir(parents=True, exist_ok=True)
        for name, text in (("env.py", ENV_PY), ("script.py.mako", SCRIPT_MAKO)):
            if not (self.folder / name).is_file():
                (self.folder / name).write_text(text, encoding="utf-8")

    def heads(self) -> list[str]:
        return list(ScriptDirectory.from_config(self.config()).get_heads())

    # commands ------------------------------------------------------------------------
    def upgrade(self, revision: str = "heads") -> None:
        """Apply revisions up to `revision` (all heads: the application's and the modules')."""
        self._run(command.upgrade, revision)

    def downgrade(self, revision: str) -> None:
        self._run(command.downgrade, revision)

    def stamp(self, revision: str = "heads") -> None:
        """Record `revision` as applied without running it (after `jetpy db create`)."""
        self._run(command.stamp, revision)

    def current(self) -> None:
        self._run(command.current, verbose=False)

    def history(self) -> None:
        self._run(command.history)

    def revision(
        self, message: str, module: Module | None = None, autogenerate: bool = True
    ) -> str:
        """Write a new revision for the application or for `module`; its file's path."""
        branch = module.name if module is not None else APPLICATION
        folder = (module.dir / "migrations") if module is not None else self.folder / "versions"
        if module is not None:
            if self.states.get(module.name, AVAILABLE) == AVAILABLE:
                raise MigrationError(
                    f"{module.name} is not installed; install it first "
                    f"(`jetpy modules install {module.name}`), then write its revisions"
                )
            self.include = {table.name for table in module_tables(module)}
        else:
            owned = {t.name for m in self.modules.values() for t in module_tables(m)}
            self.include = {
                t.name for t in application_tables(self.modules, self.states) if t.name not in owned
            }
        folder.mkdir(parents=True, exist_ok=True)  # before the config lists the folders
        config = self.config()
        script = ScriptDirectory.from_config(config)
        labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
        options: dict[str, Any] = {"message": message, "autogenerate": autogenerate}
        if branch in labels:
            options["head"] = f"{branch}@head"
        else:
            options.update(head="base", branch_label=branch, version_path=str(folder))
        try:
            written = command.revision(config, **options)
        except CommandError as error:
            raise MigrationError(f"alembic: {error}") from None
        finally:
            self.include = None
        scripts = written if isinstance(written, list) else [written]
        return str(scripts[0].path) if scripts and scripts[0] is not None else ""

    def _run(self, function: Any, *args: Any, **kwargs: Any) -> None:
        try:
            function(self.config(), *args, **kwargs)
        except CommandError as error:
            raise MigrationError(f"alembic: {error}") from None


def run_migrations() -> None:
    """The body of application/migrations/env.py: run Alembic online with jetpy's engine."""
    from alembic import context

    migrations = context.config.attributes.get("jetpy")
    if not isinstance(migrations, Migrations):
        raise MigrationError(
            "application/migrations/ is run by jetpy: use `jetpy db upgrade`, "
            "`jetpy db revision -m …`, not the `alembic` command"
        )
    application_tables(migrations.modules, migrations.states)  # import every model
    model = project_model()
    metadata = model.metadata if model is not None else None
    include = migrations.include

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        if include is None:
            return True
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in include

    with migrations.database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys_off(connection)
        try:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                include_object=include_object,
                render_as_batch=sqlite,  # ALTER TABLE on SQLite
                compare_type=True,
                render_item=_render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _sqlite_check_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()  # PRAGMA foreign_keys is ignored inside a transaction
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _sqlite_foreign_keys_off(connection: Any) -> None:
    """Turn SQLite's foreign keys off for the migration run, or fail.

    A batch operation rebuilds a table (copy, drop, rename); with foreign keys on, dropping
    the old table cascades into every child table's rows (an article's texts, a product's
    prices) and they are lost. The engine turns them on at every connect; the pragma only
    takes effect outside a transaction, so this runs before the migration's transaction.
    """
    connection.commit()  # end the transaction SQLAlchemy may have begun
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    state = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    connection.commit()
    if state:
        raise MigrationError(
            "could not turn SQLite's foreign keys off for the migrations (a transaction was "
            "open); no revision was applied"
        )


def _sqlite_check_foreign_keys(connection: Any) -> None:
    """Fail (the migration's transaction is rolled back) when a row points at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        listed = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in broken[:10])
        raise MigrationError(
            f"the migrations left {len(broken)} row(s) whose foreign key points at nothing "
            f"({listed}); nothing was applied"
        )


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write a model's own column type (a TypeDecorator) as the SQL type it stores.

    A revision must not import the application's classes: they change, the revision must not.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _escape(path: Path) -> str:
    return str(path).replace("%", "%%")  # Alembic's config interpolates %(name)s
