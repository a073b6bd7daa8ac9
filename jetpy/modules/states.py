"""Which modules are installed and activated: application/data/modules.yaml."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from jetpy.definitions.generation import bump
from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import Problem, relative

if TYPE_CHECKING:
    from jetpy.modules.discovery import Module

AVAILABLE = "available"
INSTALLED = "installed"
ACTIVATED = "activated"
STATES = (AVAILABLE, INSTALLED, ACTIVATED)


def state_file(app_dir: Path) -> Path:
    return app_dir / "data" / "modules.yaml"


def read_states(app_dir: Path, root: Path, problems: list[Problem]) -> dict[str, str]:
    """Module name → installed or activated; modules not listed are available."""
    file = state_file(app_dir)
    if not file.is_file():
        return {}
    shown = relative(file, root)
    data, found = load_yaml(file, shown)
    problems.extend(found)
    states: dict[str, str] = {}
    for name, state in (data or {}).items():
        if state not in (INSTALLED, ACTIVATED):
            problems.append(
                Problem(
                    shown,
                    str(name),
                    f"state `{state}` is not `installed` or `activated`",
                    "use `jetpy modules install|activate|deactivate|uninstall` to change it",
                )
            )
            continue
        states[str(name)] = state
    return states


def apply_states(
    modules: dict[str, Module],
    states: dict[str, str],
    app_dir: Path,
    root: Path,
    problems: list[Problem],
) -> None:
    """Set each module's state; a listed module that no longer exists is a warning."""
    for module in modules.values():
        module.state = states.get(module.name, AVAILABLE)
    shown = relative(state_file(app_dir), root)
    for name in states:
        if name not in modules:
            problems.append(
                Problem(
                    shown,
                    name,
                    f"module `{name}` is listed but its folder is gone",
                    f"run `jetpy modules uninstall {name}` or restore the module",
                    warning=True,
                )
            )


def write_states(app_dir: Path, states: dict[str, str]) -> None:
    """Write the state file atomically: a crash mid-write leaves the old one in place."""
    file = state_file(app_dir)
    file.parent.mkdir(parents=True, exist_ok=True)
    text = "# Module states, written by `jetpy modules …`; modules not listed are available.\n"
    if states:
        text += yaml.safe_dump(dict(sorted(states.items())), default_flow_style=False)
    temporary = file.with_name(f".{file.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, file)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    bump(app_dir)  # running applications see the new states on their next request
