"""The example application's migrations build exactly the schema its models describe."""

from __future__ import annotations

import sys
from typing import Any

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from jetpy.auth.throttle import FAILURES_TABLE
from jetpy.cli.main import main
from jetpy.data.db import application_tables
from jetpy.project.loader import load_project
from tests.conftest import REPO


def jetpy(*args: str) -> str:
    for name in [n for n in sys.modules if n == "application" or n.startswith("application.")]:
        del sys.modules[name]  # as a new process: the models are read afresh
    result = CliRunner().invoke(main, [*args[:2], "-p", str(REPO), *args[2:]])
    assert result.exit_code == 0, result.output
    return result.output


JETPY_TABLES = [FAILURES_TABLE]


def compared(table: str = "", application: bool = False) -> dict[str, Any]:
    """Options comparing the application's tables (not jetpy's `jetpy_*`), or one table."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, other: Any) -> bool:
        owner = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        if application:
            # the site search's index is no model: a virtual table (FTS5, with its shadow
            # tables) or a tsvector table, made by its revision (tests/test_search.py checks it)
            return not str(owner).startswith(("jetpy_", "search_index"))
        return owner == table

    return {"compare_type": True, "include_object": include}


def test_upgrade_gives_the_models_schema_and_seed_fills_it(db_url: str) -> None:
    jetpy("db", "upgrade")
    project = load_project(REPO, use_cache=False)
    states = {name: module.state for name, module in project.modules.items()}
    tables = application_tables(project.modules, states)
    engine = sqlalchemy.create_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=compared(application=True))
            differences = compare_metadata(context, tables[0].metadata)
            assert differences == [], "the models changed: run `jetpy db revision -m …`"
            # jetpy's own tables, made by their revisions on branches of their own
            for table in JETPY_TABLES:
                context = MigrationContext.configure(connection, opts=compared(table.name))
                assert compare_metadata(context, table.metadata) == [], table.name
        assert {t.name for t in tables} <= set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()

    assert "seeded 50 articles and 199 products" in jetpy("db", "seed")
    assert "nothing was added" in jetpy("db", "seed")  # a second run changes nothing
    jetpy("db", "downgrade", "base")
    engine = sqlalchemy.create_engine(db_url)
    try:
        assert set(sqlalchemy.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


CHILD_TABLES = ["article_localization", "catalog_product_texts", "catalog_prices"]
CHILD_TABLES += ["catalog_availabilities"]


def counted(url: str) -> dict[str, int]:
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar_one()
                for name in CHILD_TABLES
            }
    finally:
        engine.dispose()


def test_upgrading_a_filled_database_keeps_the_child_rows(db_url: str) -> None:
    # the media library's revision rebuilds `article` and `catalog_products` on SQLite (batch
    # mode); with foreign keys on, that cascaded into the texts, prices and stock and lost them
    jetpy("db", "upgrade")
    jetpy("db", "seed")
    jetpy("db", "downgrade", "5c7f4043597f")  # the revision before the media library
    before = counted(db_url)
    assert all(before.values()), before
    jetpy("db", "upgrade")
    assert counted(db_url) == before
    engine = sqlalchemy.create_engine(db_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        engine.dispose()
