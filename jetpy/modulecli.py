"""Commands that active modules bring in their cli.py, shown under `jetpy`."""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from jetpy.loader import load_project

F = TypeVar("F", bound=Callable[..., Any])


def project_dir(ctx: click.Context) -> Path:
    """The project of this invocation: `jetpy --project DIR`, $JETPY_PROJECT, or `.`."""
    root = ctx.find_root()
    given = root.params.get("project") if root.params else None
    return Path(given or os.environ.get("JETPY_PROJECT", "."))


def pass_app(function: F) -> F:
    """Give a module command the loaded `Application` as its first argument."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from jetpy.cli import _load

        app = _load(project_dir(click.get_current_context()))
        return function(app, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ModuleCommandGroup(click.Group):
    """The `jetpy` group: built-in commands plus those of every activated module."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._module_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, name) or self._module_commands(ctx).get(name)

    def _module_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        found: dict[str, click.Command] | None = ctx.meta.get("jetpy.module_commands")
        if found is not None:
            return found
        found = {}
        ctx.meta["jetpy.module_commands"] = found
        root = project_dir(ctx)
        if not (root / "application").is_dir():
            return found
        project = load_project(root)
        for module in sorted(project.modules.values(), key=lambda m: m.name):
            if not module.active or not (module.dir / "cli.py").is_file():
                continue
            try:
                imported = importlib.import_module(f"{module.package}.cli")
            except Exception as exc:  # a broken module must not break the built-in commands
                click.secho(
                    f"warning: {module.name}/cli.py cannot be imported: "
                    f"{type(exc).__name__}: {exc}",
                    fg="yellow",
                    err=True,
                )
                continue
            for command in vars(imported).values():
                if not isinstance(command, click.Command) or command.name is None:
                    continue
                if command.name in self.commands or command.name in found:
                    click.secho(
                        f"warning: command `{command.name}` of {module.name} is "
                        "already taken; rename it in its cli.py",
                        fg="yellow",
                        err=True,
                    )
                    continue
                found[command.name] = command
        return found
