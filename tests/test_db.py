"""The data layer: database URL, the request's session, module tables (jetpy.data.db)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy import select
from werkzeug.test import Client

from jetpy import Application
from jetpy.data.db import Database, DatabaseError, database_url
from jetpy.definitions.config import Config
from jetpy.errors import DefinitionError
from jetpy.project.manager import ModuleError, ModuleManager
from tests.conftest import ProjectFactory

MODEL = """
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Model(DeclarativeBase):
    metadata = MetaData()
"""

NOTES_CLASS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from application.classes.model import Model


class Note(Model):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
"""

NOTES_CONTROLLERS = """
from werkzeug.exceptions import NotFound, abort
from werkzeug.utils import redirect
from sqlalchemy import select

from application.classes.notes import Note
from jetpy import Controller, ControllerRouter


class Main(Controller):
    def get_router(self):
        router = ControllerRouter(self)
        for name in (
            "add", "add_then_404", "add_then_fail", "add_then_redirect", "add_then_abort_redirect",
            "clash_then_abort_redirect",
        ):
            router.add_action(name, resolver=lambda name=name: self._claim(name))
        router.add_action("list", resolver=lambda: self.url_path == "")
        return router

    def _claim(self, name):
        if self.url_path != name:
            return False
        self.set_used_path(name)
        return True

    def _add(self):
        self.db.add(Note(text=self.request.args.get("text", "note")))
        self.db.flush()

    def add_action(self):
        self._add()
        self.output.append("added")

    def add_then_404_action(self):
        self._add()
        raise NotFound()

    def add_then_fail_action(self):
        self._add()
        raise RuntimeError("the action broke after writing")

    def add_then_redirect_action(self):
        self._add()
        return redirect(self.page.url())

    def add_then_abort_redirect_action(self):
        self._add()
        abort(redirect(self.page.url()))  # a redirect raised, not returned

    def clash_then_abort_redirect_action(self):
        self.db.add(Note(id=1, text="first"))
        self.db.flush()
        self.db.add(Note(id=1, text="same id"))  # fails only when committed
        abort(redirect(self.page.url()))

    def list_action(self):
        texts = self.db.scalars(select(Note.text).order_by(Note.id)).all()
        self.output.append("|".join(texts))
"""

DB_FILES: dict[str, str | None] = {
    "application/classes/__init__.py": "",
    "application/classes/model.py": MODEL,
    "application/classes/notes.py": NOTES_CLASS,
    "application/bases/web/pages/en_US/notes/page.yaml": """
        title: Notes
        contents:
          - module: test.notes
        """,
    "application/modules/test/notes/manifest.yaml": "label: Notes\n",
    "application/modules/test/notes/controllers.py": NOTES_CONTROLLERS,
    "application/data/modules.yaml": "test.hello: activated\ntest.notes: activated\n",
}


@pytest.fixture
def notes_app(make_project: ProjectFactory, db_url: str) -> Application:
    app = Application(make_project(DB_FILES))
    from application.classes.model import Model  # the project's, loaded by Application

    Model.metadata.create_all(app.db.engine)
    return app


def notes(app: Application) -> list[str]:
    from application.classes.notes import Note

    with app.db.session() as session:
        return list(session.scalars(select(Note.text).order_by(Note.id)))


# the URL --------------------------------------------------------------------------------
def test_default_url_is_a_sqlite_file_in_application_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JETPY_DATABASE_URL")
    url = database_url(Config(), tmp_path / "application")
    assert url == f"sqlite:///{(tmp_path / 'application' / 'data' / 'site.sqlite3').resolve()}"


def test_config_url_is_used_and_the_environment_overrides_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = Config(database_url="sqlite:///from-config.sqlite3")
    monkeypatch.delenv("JETPY_DATABASE_URL")
    assert database_url(config, tmp_path) == "sqlite:///from-config.sqlite3"
    monkeypatch.setenv("JETPY_DATABASE_URL", "sqlite:///from-env.sqlite3")
    assert database_url(config, tmp_path) == "sqlite:///from-env.sqlite3"


def test_a_bad_url_names_where_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JETPY_DATABASE_URL")
    with pytest.raises(DatabaseError, match=r"`database.url` in config.yaml is not a database URL"):
        database_url(Config(database_url="not a url"), tmp_path)
    monkeypatch.setenv("JETPY_DATABASE_URL", "::")
    with pytest.raises(DatabaseError, match="JETPY_DATABASE_URL is not a database URL"):
        database_url(Config(), tmp_path)


def test_config_database_section_is_validated(make_project: ProjectFactory) -> None:
    project = make_project({"application/config.yaml": "database:\n  ulr: sqlite://\n  echo: 3\n"})
    with pytest.raises(DefinitionError) as error:
        Application(project)
    text = str(error.value)
    assert "database.ulr" in text and "did you mean `url`?" in text
    assert "database.echo" in text and "true or false" in text


def test_config_database_url_reaches_the_application(
    make_project: ProjectFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JETPY_DATABASE_URL")
    url = f"sqlite:///{tmp_path / 'configured.sqlite3'}"
    app = Application(make_project({"application/config.yaml": f"database:\n  url: {url}\n"}))
    assert app.db.url == url


# the session of a request --------------------------------------------------------------
def test_a_successful_request_commits(notes_app: Application) -> None:
    client = Client(notes_app)
    assert client.get("/notes/add?text=kept").status_code == 200
    assert notes(notes_app) == ["kept"]
    assert "kept" in client.get("/notes/").text


def test_a_redirect_commits(notes_app: Application) -> None:
    response = Client(notes_app).get("/notes/add_then_redirect?text=moved")
    assert response.status_code == 302
    assert notes(notes_app) == ["moved"]


def test_a_raised_redirect_commits_too(notes_app: Application) -> None:
    response = Client(notes_app).get("/notes/add_then_abort_redirect?text=raised")
    assert response.status_code == 302
    assert notes(notes_app) == ["raised"]


def test_a_commit_that_fails_answers_the_500_page(
    notes_app: Application, caplog: pytest.LogCaptureFixture
) -> None:
    response = Client(notes_app).get("/notes/clash_then_abort_redirect")
    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert notes(notes_app) == []
    assert "run `jetpy db upgrade`" in caplog.text  # a database error: the log gives a hint


@pytest.mark.parametrize("path, status", [("add_then_404", 404), ("add_then_fail", 500)])
def test_an_error_response_rolls_back(notes_app: Application, path: str, status: int) -> None:
    client = Client(notes_app)
    assert client.get(f"/notes/{path}?text=lost").status_code == status
    assert notes(notes_app) == []


def test_the_session_is_closed_after_every_request(notes_app: Application) -> None:
    client = Client(notes_app)
    for path in ("add", "add_then_404", "add_then_fail", ""):
        client.get(f"/notes/{path}")
        assert notes_app.db.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_request_that_never_asks_opens_no_connection(make_project: ProjectFactory) -> None:
    app = Application(make_project())
    assert Client(app).get("/").status_code == 200
    assert app.db._engine is None  # the engine is made on first use only


def test_there_is_no_request_session_outside_a_request(notes_app: Application) -> None:
    with pytest.raises(DatabaseError, match=r"with app.db.session\(\) as session"):
        notes_app.db.request_session  # noqa: B018


def test_sqlite_checks_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'deep' / 'er' / 'fk.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert (tmp_path / "deep" / "er" / "fk.sqlite3").is_file()  # its folder was made
    database.dispose()


# tables of modules ---------------------------------------------------------------------
AUDIT_MODELS = """
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from application.classes.model import Model


class Entry(Model):
    __tablename__ = "audit_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    what: Mapped[str] = mapped_column(String(100))
"""

AUDIT_INSTALL = """
from application.modules.test.audit.models import Entry


def install(context):
    with context.db.session() as session:
        session.add(Entry(what="installed"))
        session.commit()
"""


def module_project(make_project: ProjectFactory, **files: str | None) -> Path:
    return make_project(
        {
            **DB_FILES,
            "application/modules/test/audit/manifest.yaml": "label: Audit\n",
            "application/modules/test/audit/models.py": AUDIT_MODELS,
            **{name.replace("__", "/"): text for name, text in files.items()},
        }
    )


def tables(manager: ModuleManager) -> set[str]:
    return manager.db.table_names()


def test_install_creates_the_module_tables_before_its_hook(
    make_project: ProjectFactory, db_url: str
) -> None:
    project = module_project(
        make_project, **{"application/modules/test/audit/install.py": AUDIT_INSTALL}
    )
    manager = ModuleManager(project)
    change = manager.install("test.audit")
    assert "created tables audit_entries" in change.message
    assert "audit_entries" in tables(manager)
    with manager.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT what FROM audit_entries").scalars().all()
    assert rows == ["installed"]
    manager.db.dispose()


def test_a_failing_hook_drops_the_tables_it_got(make_project: ProjectFactory, db_url: str) -> None:
    failing = "def install(context):\n    raise RuntimeError('no')\n"
    project = module_project(make_project, **{"application/modules/test/audit/install.py": failing})
    manager = ModuleManager(project)
    with pytest.raises(ModuleError, match="nothing was changed"):
        manager.install("test.audit")
    assert "audit_entries" not in tables(manager)
    assert manager.state("test.audit") == "available"
    manager.db.dispose()


def test_uninstall_keeps_the_tables_unless_asked_to_drop_them(
    make_project: ProjectFactory, db_url: str
) -> None:
    project = module_project(make_project)
    manager = ModuleManager(project)
    manager.install("test.audit")
    change = manager.uninstall("test.audit")
    assert "kept its tables audit_entries" in change.message and "--drop-data" in change.message
    assert "audit_entries" in tables(manager)
    manager.install("test.audit")  # finds its table again
    change = manager.uninstall("test.audit", drop_data=True)
    assert "dropped tables audit_entries" in change.message
    assert "audit_entries" not in tables(manager)
    manager.db.dispose()


def test_a_broken_models_file_refuses_the_install(
    make_project: ProjectFactory, db_url: str
) -> None:
    broken = AUDIT_MODELS + "\nraise ValueError('bad model')\n"
    project = module_project(make_project, **{"application/modules/test/audit/models.py": broken})
    manager = ModuleManager(project)
    with pytest.raises(ModuleError) as error:
        manager.install("test.audit")
    assert "application/modules/test/audit/models.py" in str(error.value)
    assert "bad model" in str(error.value)
    assert manager.state("test.audit") == "available"
    manager.db.dispose()


def test_the_uninstall_cli_takes_drop_data(make_project: ProjectFactory, db_url: str) -> None:
    from click.testing import CliRunner

    from jetpy.cli.main import main

    project = module_project(make_project)
    runner = CliRunner()
    result = runner.invoke(main, ["modules", "install", "-p", str(project), "test.audit"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        main, ["modules", "uninstall", "-p", str(project), "--drop-data", "test.audit"]
    )
    assert result.exit_code == 0, result.output
    assert "dropped tables audit_entries" in result.output
    engine = sqlalchemy.create_engine(db_url)
    assert "audit_entries" not in sqlalchemy.inspect(engine).get_table_names()
    engine.dispose()
