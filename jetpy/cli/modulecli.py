"""Commands that active modules bring in their cli.py, shown under `jetpy`."""

from __future__ import annotations

import functools
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from jetpy.project.loader import load_project

F = TypeVar("F", bound=Callable[..., Any])


# `--project/-p` of a subcommand; None: ask project_dir() (`jetpy --project`, $JETPY_PROJECT, .)
project_option = click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The project folder (default: `jetpy --project`, $JETPY_PROJECT or .).",
)


def project_dir(ctx: click.Context) -> Path:
    """The project of this invocation: `jetpy --project DIR`, $JETPY_PROJECT, or `.`."""
    root = ctx.find_root()
    given = root.params.get("project") if root.params else None
    return Path(given or os.environ.get("JETPY_PROJECT", "."))


def pass_app(function: F) -> F:
    """Give a module command the loaded `Application` as its first argument."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from jetpy.cli.main import _load

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
            defined = [c for c in vars(imported).values() if isinstance(c, click.Command)]
            # a subcommand of a group (`@export.command()`) is reached through that group
            nested = {id(sub) for c in defined if isinstance(c, click.Group) for sub in _nested(c)}
            for command in defined:
                if command.name is None or id(command) in nested:
                    continue
                taken = found.get(command.name)
                if command.name not in self.commands and taken is None:
                    found[command.name] = command
                elif isinstance(taken, click.Group) and isinstance(command, click.Group):
                    found[command.name] = merge_groups(taken, command, module.name)
                else:
                    click.secho(
                        f"warning: command `{command.name}` of {module.name} is "
                        "already taken; rename it in its cli.py",
                        fg="yellow",
                        err=True,
                    )
        return found


def merge_groups(first: click.Group, second: click.Group, owner: str) -> click.Group:
    """One group with the subcommands of two modules' groups of the same name (`jetpy export`).

    The modules' own group objects are left as they are: a new group is made, whose callback
    runs both groups' callbacks. A group shared like this is a namespace, so neither may take
    options or arguments; a subcommand name both use keeps the first module's command.
    """
    name = first.name or ""
    if first.params or second.params:
        click.secho(
            f"warning: group `{name}` of {owner} cannot join the group `{name}` of another "
            "module because one of them takes options or arguments; move them to the "
            "subcommands",
            fg="yellow",
            err=True,
        )
        return first
    commands = dict(first.commands)
    for sub_name, command in second.commands.items():
        if sub_name in commands:
            click.secho(
                f"warning: command `{name} {sub_name}` of {owner} is already taken; "
                "rename it in its cli.py",
                fg="yellow",
                err=True,
            )
            continue
        commands[sub_name] = command
    callbacks = [*_callbacks(first), *_callbacks(second)]

    def callback() -> None:
        context = click.get_current_context()
        for each in callbacks:
            context.invoke(each)

    return _MergedGroup(
        name,
        commands=commands,
        callback=callback,
        help=first.help or second.help,
        short_help=first.short_help or second.short_help,
        merged=(first, second),
    )


class _MergedGroup(click.Group):
    """A group made of the groups of several modules; remembers them for further merges."""

    def __init__(self, *args: Any, merged: tuple[click.Group, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.merged = merged


def _nested(group: click.Group) -> list[click.Command]:
    found: list[click.Command] = []
    for command in group.commands.values():
        found.append(command)
        if isinstance(command, click.Group):
            found += _nested(command)
    return found


def _callbacks(group: click.Group) -> list[Callable[..., Any]]:
    if isinstance(group, _MergedGroup):
        return [c for g in group.merged for c in _callbacks(g)]
    return [group.callback] if group.callback is not None else []
