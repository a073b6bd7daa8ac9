"""Modules: packages under application/modules with a manifest.yaml."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from jetpy.definitions import schema
from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import Problem, relative

if TYPE_CHECKING:
    from jetpy.kernel.controller import Controller

PACKAGE = "application"
_NAME_PART = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(eq=False)
class Module:
    """A module: its manifest, its controller classes and its views."""

    name: str
    dir: Path
    label: str = ""
    description: str = ""
    version: str = "1.0.0"
    acl_actions: dict[str, str] = field(default_factory=dict)
    # event name → handler's name, or {handler, queue} for a queued one (jetpy.modules.events)
    listens: dict[str, Any] = field(default_factory=dict)
    service: bool = False  # runs in workers only: no controllers (jetpy.queue)
    controllers: dict[str, type[Controller]] = field(default_factory=dict)
    loaded: bool = True  # False when its manifest or controllers.py is broken
    state: str = "available"  # or installed, activated (see jetpy.modules.states)

    @property
    def active(self) -> bool:
        """Activated: its contents render, its pages, listeners and commands are live."""
        return self.state == "activated"

    @property
    def package(self) -> str:
        """The Python package of the module, e.g. `application.modules.web.ui`."""
        return f"{PACKAGE}.modules.{self.name}"

    @property
    def views_dir(self) -> Path:
        return self.dir / "views"

    def __str__(self) -> str:
        return self.name


def use_project_imports(root: Path) -> None:
    """Make `import application…` name this project's application package.

    Python has one import system per process; when a process loads a second project (tests
    do), the first project's `application` modules are dropped so they cannot shadow it.
    """
    wanted = str(root.resolve())
    loaded = sys.modules.get(PACKAGE)
    paths = list(getattr(loaded, "__path__", [])) if loaded is not None else []
    if loaded is not None and str(Path(wanted) / PACKAGE) not in paths:
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]
    if wanted in sys.path:
        sys.path.remove(wanted)
    sys.path.insert(0, wanted)
    importlib.invalidate_caches()


def discover(app_dir: Path, root: Path, problems: list[Problem]) -> dict[str, Module]:
    """Find every module, read its manifest and import its controllers."""
    modules: dict[str, Module] = {}
    modules_dir = app_dir / "modules"
    if not modules_dir.is_dir():
        return modules
    for manifest in sorted(modules_dir.rglob("manifest.yaml")):
        module_dir = manifest.parent
        parts = module_dir.relative_to(modules_dir).parts
        shown = relative(manifest, root)
        bad = [part for part in parts if not _NAME_PART.match(part)]
        if bad:
            problems.append(
                Problem(
                    shown,
                    "",
                    f"folder name `{bad[0]}` cannot be part of a module name",
                    "use letters, digits and underscores only",
                )
            )
            continue
        name = ".".join(parts)
        data, found = load_yaml(manifest, shown)
        problems.extend(found)
        if data is None:
            modules[name] = Module(name=name, dir=module_dir, loaded=False)
            continue
        values = schema.validate(data, schema.MANIFEST, shown, problems=problems)
        module = Module(name=name, dir=module_dir, **values)
        before = len(problems)
        module.controllers = _load_controllers(module, root, problems)
        if module.service and (module_dir / "controllers.py").is_file():
            problems.append(
                Problem(
                    shown,
                    "service",
                    "a service module has no pages, yet this one has a controllers.py",
                    "move the controllers to another module, or remove `service: true`",
                )
            )
        module.loaded = len(problems) == before
        modules[name] = module
    return modules


def _load_controllers(
    module: Module, root: Path, problems: list[Problem]
) -> dict[str, type[Controller]]:
    from jetpy.kernel.controller import Controller

    source = module.dir / "controllers.py"
    if not source.is_file():
        return {}
    imported = import_file(f"{module.package}.controllers", source, root, problems)
    if imported is None:
        return {}
    return {
        name: obj
        for name, obj in vars(imported).items()
        if inspect.isclass(obj)
        and issubclass(obj, Controller)
        and obj.__module__ == imported.__name__
    }


def import_file(
    dotted: str, source: Path, root: Path, problems: list[Problem]
) -> ModuleType | None:
    """Import a module of the project; an error becomes a problem naming the line."""
    try:
        return importlib.import_module(dotted)
    except Exception as exc:  # any error in user code is a definition problem
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if Path(tb.tb_frame.f_code.co_filename) == source:
                line = tb.tb_lineno
            tb = tb.tb_next
        if isinstance(exc, SyntaxError) and exc.lineno:
            line = exc.lineno
        problems.append(
            Problem(
                relative(source, root),
                "",
                f"cannot be imported: {type(exc).__name__}: {exc}",
                "fix the error at that line",
                line=line,
            )
        )
        return None


def resolve_callable(
    reference: str, root: Path, shown: str, key: str, problems: list[Problem]
) -> Any:
    """Import `package.module:function`; problems name the file and key that asked for it."""
    module_name, _, attribute = reference.partition(":")
    if not module_name or not attribute:
        problems.append(
            Problem(
                shown,
                key,
                f"`{reference}` is not `module:function`",
                "write e.g. `application.bases.web.init:setup`",
            )
        )
        return None
    try:
        imported = importlib.import_module(module_name)
    except Exception as exc:
        problems.append(
            Problem(
                shown,
                key,
                f"cannot import `{module_name}`: {type(exc).__name__}: {exc}",
                "check the module path and the code in it",
            )
        )
        return None
    target = getattr(imported, attribute, None)
    if not callable(target):
        problems.append(
            Problem(
                shown,
                key,
                f"`{module_name}` has no function `{attribute}`",
                "define it or correct the name",
            )
        )
        return None
    return target
