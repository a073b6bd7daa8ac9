"""The module manager: install, uninstall, activate and deactivate modules of a project.

A module is `available` (its folder exists), `installed` (its install hook ran) or
`activated` (installed, and its contents, pages, listeners and commands are live). The rules:

- `install` runs the module's install hook and makes it installed; `install(activate=True)`
  goes on to activate it. Installing an installed module changes nothing and says so.
- `activate` needs an installed module ("install it first"); `deactivate` keeps it installed.
- `uninstall` of an activated module deactivates it first, then runs the uninstall hook; a
  module whose folder is gone is only dropped from the state file (no hook can run).
- `install` and `activate` refuse a module whose own definitions (manifest, controllers …)
  have problems, naming file and key; `deactivate` and `uninstall` accept it, so a broken
  module can always be switched off.
- A transition writes the state file atomically, after its hook succeeded. A hook that raises
  leaves the state file *and* every file under application/data/ as they were: data/ (less its
  cache/ and SQLite files) is copied aside before the hook and put back on failure.
- `install` creates the tables of the module's `models.py` before its hook runs (the hook may
  fill them) and drops those it created when the hook fails; `uninstall` keeps the tables
  unless asked to drop them (`jetpy modules uninstall --drop-data`).

Hooks live in the module's optional `install.py`: `install(context)` and `uninstall(context)`,
each given an `InstallContext`.
"""

from __future__ import annotations

import difflib
import shutil
import sys
import tempfile
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table

if TYPE_CHECKING:
    from jetpy.data.migrations import Migrations

from jetpy.data.db import Database, database_url, module_tables
from jetpy.definitions.config import Config
from jetpy.errors import JetpyError, Problem, relative
from jetpy.modules.discovery import Module
from jetpy.modules.states import (
    ACTIVATED,
    AVAILABLE,
    INSTALLED,
    read_states,
    state_file,
    write_states,
)
from jetpy.project.loader import Project, load_project

HOOK_FILE = "install.py"
_KEPT_OUT_OF_SNAPSHOT = {"cache"}  # data/cache/ is rebuilt at will; it need not be restored
# SQLite database files: the tables a failed install created are dropped instead
_DATABASE_SUFFIXES = (".sqlite3", ".sqlite", ".db", "-journal", "-wal", "-shm")


def _kept_out(name: str) -> bool:
    return name in _KEPT_OUT_OF_SNAPSHOT or name.endswith(_DATABASE_SUFFIXES)


class ModuleError(JetpyError):
    """A module transition was refused or failed; nothing was changed."""


@dataclass(frozen=True)
class InstallContext:
    """What an install or uninstall hook gets: the module and where the project keeps things."""

    module: Module
    root: Path
    app_dir: Path
    data_dir: Path
    config: Config
    db: Database  # the module's tables exist when install() runs: `with context.db.session() as s`


@dataclass(frozen=True)
class Change:
    """The outcome of one transition: the state before and after, and what to tell the user."""

    module: str
    before: str
    after: str
    message: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


class ModuleManager:
    """Module transitions for the project in `project_dir` (it holds `application/`)."""

    def __init__(self, project_dir: str | Path = ".") -> None:
        project = load_project(Path(project_dir), use_cache=False)
        self.project: Project = project
        if not project.app_dir.is_dir():
            raise ModuleError(str(project.problems[0]))
        self.root = project.root
        self.app_dir = project.app_dir
        self.data_dir = project.app_dir / "data"
        self.modules = project.modules
        self._state_shown = relative(state_file(self.app_dir), self.root)
        state_problems = [
            p for p in project.problems if p.file == self._state_shown and not p.warning
        ]
        # entries with a wrong state are read as available; the next write leaves them out
        self.dropped_entries = [p.key for p in state_problems if p.key]
        self.unreadable_state = [p for p in state_problems if not p.key]
        self.states: dict[str, str] = read_states(self.app_dir, self.root, [])
        self.db = Database(database_url(project.config, self.app_dir), project.config.database_echo)

    # looking things up ---------------------------------------------------------
    def state(self, name: str) -> str:
        """The state of module `name`: available, installed or activated."""
        return self.states.get(name, AVAILABLE)

    def module(self, name: str) -> Module:
        """The module called `name`; an unknown name is a ModuleError with a suggestion."""
        module = self.modules.get(name)
        if module is not None:
            return module
        close = difflib.get_close_matches(name.replace("/", "."), list(self.modules), n=1)
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else f"a module is a folder application/modules/{name.replace('.', '/')}/ "
            "with a manifest.yaml"
        )
        known = ", ".join(sorted(self.modules)) or "none"
        raise ModuleError(f"there is no module `{name}`; {hint} (modules: {known})")

    def check_names(self, names: list[str]) -> None:
        """Raise for the first unknown name, before anything changes."""
        for name in names:
            if name not in self.modules and name not in self.states:
                self.module(name)

    def module_problems(self, module: Module) -> list[Problem]:
        """The errors in the module's own files (its manifest, controllers, pages …)."""
        inside = relative(module.dir, self.root) + "/"
        nested = [
            relative(other.dir, self.root) + "/"
            for other in self.modules.values()
            if other is not module and other.dir.is_relative_to(module.dir)
        ]
        return [
            problem
            for problem in self.project.problems
            if not problem.warning
            and problem.file.startswith(inside)
            and not any(problem.file.startswith(prefix) for prefix in nested)
        ]

    # transitions ---------------------------------------------------------------
    def install(self, name: str, activate: bool = False) -> Change:
        """Run the module's install hook and mark it installed (and activated)."""
        before = self.state(name)
        module = self.module(name)
        if before == ACTIVATED or (before == INSTALLED and not activate):
            also = " and activated" if before == ACTIVATED else ""
            return Change(name, before, before, f"{name} is already installed{also}")
        self._refuse_broken(module, "activate" if activate else "install")
        if before == INSTALLED:
            self._write({**self.states, name: ACTIVATED})
            return Change(name, before, ACTIVATED, f"activated {name} (it was installed)")
        after = ACTIVATED if activate else INSTALLED
        tables = self._tables(module)
        created = self.db.create_tables(tables)
        try:
            ran = self._run_hook(module, "install", {**self.states, name: after})
        except ModuleError:
            self.db.drop_tables([table for table in tables if table.name in created])
            raise
        done = "installed and activated" if activate else "installed"
        if created:
            ran += f"; created tables {', '.join(created)}"
            if any((module.dir / "migrations").glob("*.py")):
                # the tables are as its newest revision makes them; later ones upgrade them
                self._migrations().stamp(f"{name}@head")
                ran += " and marked its migrations applied"
        return Change(name, before, after, f"{done} {name}{ran}")

    def uninstall(self, name: str, drop_data: bool = False) -> Change:
        """Run the module's uninstall hook and mark it available (deactivating it first).

        The module's tables are kept unless `drop_data` says to drop them.
        """
        before = self.state(name)
        remaining = {key: value for key, value in self.states.items() if key != name}
        if name not in self.modules and name in self.states:
            self._write(remaining)
            return Change(
                name,
                before,
                AVAILABLE,
                f"dropped {name} from the state file: its folder is gone, so no uninstall "
                "hook could run",
            )
        module = self.module(name)
        if before == AVAILABLE:
            return Change(name, before, before, f"{name} is not installed")
        tables = self._tables(module)
        ran = self._run_hook(module, "uninstall", remaining)
        done = "deactivated and uninstalled" if before == ACTIVATED else "uninstalled"
        if tables and drop_data:
            dropped = self.db.drop_tables(tables)
            ran += f"; dropped tables {', '.join(dropped)}" if dropped else ""
        elif tables:
            names = ", ".join(table.name for table in tables)
            ran += f"; kept its tables {names} (`uninstall --drop-data` drops them)"
        return Change(name, before, AVAILABLE, f"{done} {name}{ran}")

    def activate(self, name: str) -> Change:
        """Make an installed module live."""
        before = self.state(name)
        module = self.module(name)
        if before == ACTIVATED:
            return Change(name, before, before, f"{name} is already activated")
        if before == AVAILABLE:
            raise ModuleError(
                f"{name} is not installed; install it first: "
                f"`jetpy modules install --activate {name}`"
            )
        self._refuse_broken(module, "activate")
        self._write({**self.states, name: ACTIVATED})
        return Change(name, before, ACTIVATED, f"activated {name}")

    def deactivate(self, name: str) -> Change:
        """Switch an activated module off; it stays installed (its data is kept)."""
        before = self.state(name)
        self.module(name)
        if before != ACTIVATED:
            return Change(name, before, before, f"{name} is not activated (it is {before})")
        self._write({**self.states, name: INSTALLED})
        return Change(name, before, INSTALLED, f"deactivated {name} (it stays installed)")

    # the steps -----------------------------------------------------------------
    def _migrations(self) -> Migrations:
        from jetpy.data.migrations import Migrations  # Alembic only when a module has revisions

        return Migrations(self.app_dir, self.db, self.modules, self.states)

    def _tables(self, module: Module) -> list[Table]:
        """The tables of the module's models.py; a models.py that fails is a ModuleError."""
        try:
            return module_tables(module)
        except Exception as exc:
            source = module.dir / "models.py"
            shown = relative(source, self.root)
            raise ModuleError(
                f"{shown} of {module.name} cannot be imported ({_where(exc, source, shown)}): "
                f"{type(exc).__name__}: {exc}\nnothing was changed; fix the file and run the "
                "command again"
            ) from exc

    def _refuse_broken(self, module: Module, verb: str) -> None:
        problems = self.module_problems(module)
        if not problems and module.loaded:
            return
        listed = "".join(
            f"\n  {problem}".replace("\n    fix:", "\n      fix:") for problem in problems
        )
        raise ModuleError(
            f"cannot {verb} {module.name}: its definitions have problems "
            f"(nothing was changed):{listed}\nfix them, then run the command again "
            "(`jetpy check` lists every problem)"
        )

    def _refuse_unreadable_state(self) -> None:
        if self.unreadable_state:
            listed = "\n  ".join(str(problem) for problem in self.unreadable_state)
            raise ModuleError(
                f"the state file cannot be read, so it is not overwritten:\n  {listed}\n"
                f"correct {self._state_shown}, or delete it to make every module available"
            )

    def _write(self, states: dict[str, str]) -> None:
        self._refuse_unreadable_state()
        try:
            write_states(self.app_dir, states)
        except OSError as exc:
            raise ModuleError(
                f"cannot write {self._state_shown}: {exc.strerror or exc}; "
                "it is unchanged (check the folder's permissions and free space)"
            ) from exc
        self.states = dict(states)
        self.dropped_entries = []
        for module in self.modules.values():
            module.state = self.states.get(module.name, AVAILABLE)

    def _run_hook(self, module: Module, hook: str, states: dict[str, str]) -> str:
        """Run `hook` of the module's install.py, then write `states`; all or nothing."""
        self._refuse_unreadable_state()  # before the hook, which would run in vain
        source = module.dir / HOOK_FILE
        shown = relative(source, self.root)
        if not source.is_file():
            self._write(states)
            return ""
        context = InstallContext(
            module, self.root, self.app_dir, self.data_dir, self.project.config, self.db
        )
        with _restored_on_failure(self.data_dir):
            function = _load_hook(module, source, shown, hook)
            if function is not None:
                try:
                    function(context)
                except (Exception, SystemExit) as exc:  # any error refuses the change
                    where = _where(exc, source, shown)
                    raise ModuleError(
                        f"the {hook} hook of {module.name} failed ({where}): "
                        f"{type(exc).__name__}: {exc}\nnothing was changed: the state file and "
                        "application/data/ are as they were; fix the hook and run the "
                        "command again"
                    ) from exc
            self._write(states)
        return f" (ran {hook}() of {shown})" if function is not None else ""


def _load_hook(
    module: Module, source: Path, shown: str, hook: str
) -> Callable[[InstallContext], Any] | None:
    """Read install.py afresh (a long-lived process must see today's file) and find `hook`."""
    dotted = f"{module.package}.install"
    imported = types.ModuleType(dotted)
    imported.__file__ = str(source)
    imported.__package__ = module.package
    sys.modules[dotted] = imported  # as an import would; dataclasses in it look themselves up
    try:
        code = compile(source.read_bytes(), str(source), "exec")
        exec(code, vars(imported))
    except (Exception, SystemExit) as exc:
        del sys.modules[dotted]
        raise ModuleError(
            f"{shown} of {module.name} cannot be imported ({_where(exc, source, shown)}): "
            f"{type(exc).__name__}: {exc}\nnothing was changed; fix the file and run the "
            "command again"
        ) from exc
    function = getattr(imported, hook, None)
    if function is not None and not callable(function):
        raise ModuleError(
            f"`{hook}` in {shown} is not a function; define `def {hook}(context)` or remove it"
        )
    return function


def _where(exc: BaseException, source: Path, shown: str) -> str:
    """`file:line` of the deepest frame of `source` in the traceback."""
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename) == source:
            line = tb.tb_lineno
        tb = tb.tb_next
    return shown if line is None else f"{shown}:{line}"


@contextmanager
def _restored_on_failure(data_dir: Path) -> Iterator[None]:
    """Copy data/ (less cache/) aside; put it back exactly if the block raises."""
    existed = data_dir.is_dir()
    with tempfile.TemporaryDirectory(prefix="jetpy-data-") as temporary:
        copy = Path(temporary) / "data"
        if existed:
            shutil.copytree(
                data_dir,
                copy,
                symlinks=True,
                ignore=lambda folder, names: (
                    {name for name in names if _kept_out(name)}
                    if Path(folder) == data_dir
                    else set()
                ),
            )
        try:
            yield
        except BaseException:
            _restore(data_dir, copy if existed else None)
            raise


def _restore(data_dir: Path, copy: Path | None) -> None:
    if data_dir.is_dir():
        for entry in data_dir.iterdir():
            if _kept_out(entry.name):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    if copy is not None:
        shutil.copytree(copy, data_dir, symlinks=True, dirs_exist_ok=True)
    elif data_dir.is_dir() and not any(data_dir.iterdir()):
        data_dir.rmdir()


def acl_actions(
    modules: dict[str, Module], activated_only: bool = True
) -> dict[str, dict[str, str]]:
    """Module name → {ACL action: label} from the manifests, for the auth layer."""
    return {
        name: dict(module.acl_actions)
        for name, module in sorted(modules.items())
        if module.acl_actions and (module.active or not activated_only)
    }
