"""`jetpy db …`: create, revision, upgrade, downgrade and seed (jetpy.cli.db, jetpy.data.migrations)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner, Result

from jetpy.cli.main import main
from tests.conftest import ProjectFactory
from tests.test_db import AUDIT_MODELS, DB_FILES

SEED = """
from application.classes.notes import Note


def seed(session):
    session.add_all([Note(text="one"), Note(text="two")])
    return "seeded 2 notes"
"""

NOTES_WITH_TAGS = (
    DB_FILES["application/classes/notes.py"]
    + """

class Tag(Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
"""
)


@pytest.fixture
def project(make_project: ProjectFactory, db_url: str) -> Path:
    return make_project(
        {
            **DB_FILES,
            "application/modules/test/audit/manifest.yaml": "label: Audit\n",
            "application/modules/test/audit/models.py": AUDIT_MODELS,
        }
    )


def jetpy(project: Path, *args: str) -> Result:
    """Run `jetpy <group> <command> -p project …` as a new process would: models read afresh."""
    for name in [n for n in sys.modules if n == "application" or n.startswith("application.")]:
        del sys.modules[name]
    return CliRunner().invoke(main, [*args[:2], "-p", str(project), *args[2:]])


def table_names(url: str) -> set[str]:
    engine = sqlalchemy.create_engine(url)
    try:
        return set(sqlalchemy.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_create_makes_the_shared_tables(project: Path, db_url: str) -> None:
    result = jetpy(project, "db", "create")
    assert result.exit_code == 0, result.output
    assert "created tables: notes" in result.output
    assert table_names(db_url) == {"notes"}  # test.audit is not installed: no table of it
    again = jetpy(project, "db", "create")
    assert "none (every table exists)" in again.output


def test_revision_then_upgrade_builds_the_schema(project: Path, db_url: str) -> None:
    result = jetpy(project, "db", "revision", "-m", "notes")
    assert result.exit_code == 0, result.output
    written = list((project / "application/migrations/versions").glob("*.py"))
    assert len(written) == 1
    text = written[0].read_text()
    assert "branch_labels = ('application',)" in text and "op.create_table('notes'" in text
    assert (project / "application/migrations/env.py").is_file()
    assert table_names(db_url) <= {"alembic_version"}  # writing a revision changes nothing

    result = jetpy(project, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert table_names(db_url) == {"notes", "alembic_version"}

    # a change to the models gives a second revision on the same branch
    (project / "application/classes/notes.py").write_text(NOTES_WITH_TAGS)
    result = jetpy(project, "db", "revision", "-m", "tags")
    assert result.exit_code == 0, result.output
    second = max(
        (project / "application/migrations/versions").glob("*.py"), key=lambda p: p.stat().st_mtime
    )
    assert (
        "tags" in second.read_text()
        and "notes" not in second.read_text().split("def upgrade")[1].split("def downgrade")[0]
    )
    assert jetpy(project, "db", "upgrade").exit_code == 0
    assert "tags" in table_names(db_url)
    result = jetpy(project, "db", "downgrade", "application@-1")
    assert result.exit_code == 0, result.output
    assert "tags" not in table_names(db_url) and "notes" in table_names(db_url)


def test_a_module_has_its_own_branch_of_revisions(project: Path, db_url: str) -> None:
    refused = jetpy(project, "db", "revision", "-m", "audit", "--module", "test.audit")
    assert refused.exit_code == 1 and "install it first" in refused.output
    assert jetpy(project, "modules", "install", "test.audit").exit_code == 0
    # installing created the table; a revision of the module describes it for other databases
    result = jetpy(project, "db", "revision", "-m", "audit", "--module", "test.audit", "--empty")
    assert result.exit_code == 0, result.output
    written = list((project / "application/modules/test/audit/migrations").glob("*.py"))
    assert len(written) == 1 and "branch_labels = ('test.audit',)" in written[0].read_text()
    behind = jetpy(project, "db", "revision", "-m", "app")
    assert behind.exit_code == 1 and "not up to date" in behind.output  # alembic's own check
    assert jetpy(project, "db", "upgrade").exit_code == 0
    result = jetpy(project, "db", "revision", "-m", "app")
    assert result.exit_code == 0, result.output
    app_revision = next((project / "application/migrations/versions").glob("*.py")).read_text()
    assert "notes" in app_revision and "audit_entries" not in app_revision  # not the module's
    result = jetpy(project, "db", "upgrade")  # both heads
    assert result.exit_code == 0, result.output
    current = jetpy(project, "db", "current")
    assert current.exit_code == 0 and current.output.count("(head)") == 2


def test_installing_a_module_with_revisions_marks_them_applied(project: Path, db_url: str) -> None:
    assert jetpy(project, "modules", "install", "test.audit").exit_code == 0
    assert (
        jetpy(
            project, "db", "revision", "-m", "audit", "--module", "test.audit", "--empty"
        ).exit_code
        == 0
    )
    assert jetpy(project, "modules", "uninstall", "--drop-data", "test.audit").exit_code == 0
    assert "alembic_version" not in table_names(db_url)  # nothing applied its revision
    result = jetpy(project, "modules", "install", "test.audit")
    assert result.exit_code == 0, result.output
    assert "marked its migrations applied" in result.output
    current = jetpy(project, "db", "current")
    assert "(head)" in current.output


def test_an_unknown_module_is_named(project: Path) -> None:
    result = jetpy(project, "db", "revision", "-m", "x", "--module", "test.nope")
    assert result.exit_code == 1 and "there is no module `test.nope`" in result.output


def test_seed_needs_the_tables_then_fills_them(project: Path, db_url: str) -> None:
    (project / "application/seed.py").write_text(SEED)
    result = jetpy(project, "db", "seed")
    assert result.exit_code == 1 and "lacks tables notes; run `jetpy db upgrade`" in result.output
    assert jetpy(project, "db", "create").exit_code == 0
    result = jetpy(project, "db", "seed")
    assert result.exit_code == 0, result.output
    assert "seeded 2 notes" in result.output
    engine = sqlalchemy.create_engine(db_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 2
    engine.dispose()


def test_seed_without_a_seed_file_says_what_to_write(project: Path) -> None:
    result = jetpy(project, "db", "seed")
    assert result.exit_code == 1 and "application/seed.py is missing" in result.output


def test_the_alembic_command_is_pointed_at_jetpy(project: Path) -> None:
    assert jetpy(project, "db", "revision", "-m", "x").exit_code == 0
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(project / "application/migrations"))
    script = ScriptDirectory.from_config(config)
    with EnvironmentContext(config, script), pytest.raises(Exception, match="run by jetpy"):
        script.run_env()
