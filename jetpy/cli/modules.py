"""`jetpy modules …`: list, install, uninstall, activate and deactivate modules."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from jetpy.cli.modulecli import project_dir, project_option
from jetpy.project.manager import Change, ModuleError, ModuleManager

F = TypeVar("F", bound=Callable[..., Any])


def _with_manager(function: F) -> F:
    """Add `--project/-p`, build the ModuleManager, and turn a ModuleError into exit code 1."""

    @project_option
    @functools.wraps(function)
    def wrapper(project: Path | None, **kwargs: Any) -> Any:
        try:
            manager = ModuleManager(project or project_dir(click.get_current_context()))
            return function(manager, **kwargs)
        except ModuleError as error:
            click.secho(str(error), fg="red", err=True)
            raise SystemExit(1) from None

    return wrapper  # type: ignore[return-value]


@click.group("modules")
def modules() -> None:
    """List modules and install, activate, deactivate or uninstall them.

    A module is available (its folder exists), installed (its install hook ran) or
    activated (its contents, pages, listeners and commands are live).
    """


@modules.command("list")
@click.option("--acl", is_flag=True, help="Show each module's ACL actions and their labels.")
@_with_manager
def list_command(manager: ModuleManager, acl: bool) -> None:
    """Every module with its label, version and state."""
    _warn_state(manager)
    rows = [("name", "label", "version", "state")]
    for name, module in sorted(manager.modules.items()):
        state = manager.state(name)
        if manager.module_problems(module) or not module.loaded:
            state += ", broken (see jetpy check)"
        rows.append((name, module.label, module.version, state))
    for name in sorted(set(manager.states) - set(manager.modules)):
        rows.append((name, "(folder gone)", "-", manager.state(name)))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for index, row in enumerate(rows):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        click.secho(f"{line}  {row[3]}".rstrip(), bold=index == 0)
        if acl and index > 0 and row[0] in manager.modules:
            actions = manager.modules[row[0]].acl_actions
            if not actions:
                click.echo("    (no ACL actions)")
            width = max((len(action) for action in actions), default=0)
            for action, label in actions.items():
                click.echo(f"    {action.ljust(width)}  {label}")
    if len(rows) == 1:
        click.echo(
            "no modules: a module is a folder under application/modules/ with a manifest.yaml"
        )


def _transitions(
    names: tuple[str, ...], manager: ModuleManager, step: Callable[[str], Change]
) -> None:
    manager.check_names(list(names))
    _warn_state(manager, unreadable=False)  # a change would be refused with it anyway
    for name in names:
        change = step(name)
        click.secho(change.message, fg="green" if change.changed else None)


def _warn_state(manager: ModuleManager, unreadable: bool = True) -> None:
    for problem in manager.unreadable_state if unreadable else []:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    for name in manager.dropped_entries:
        click.secho(
            f"warning: the entry `{name}` of the state file has a wrong state; it counts as "
            "available and the next change leaves it out",
            fg="yellow",
            err=True,
        )


_NAMES = click.argument("names", metavar="NAME...", nargs=-1, required=True)


@modules.command()
@click.option("--activate", is_flag=True, help="Activate the modules once installed.")
@_NAMES
@_with_manager
def install(manager: ModuleManager, names: tuple[str, ...], activate: bool) -> None:
    """Run each module's install hook and mark it installed (with --activate: activated)."""
    _transitions(names, manager, lambda name: manager.install(name, activate=activate))


@modules.command()
@_NAMES
@click.option(
    "--drop-data",
    is_flag=True,
    help="Also drop the module's database tables (kept by default: reinstalling finds them).",
)
@_with_manager
def uninstall(manager: ModuleManager, names: tuple[str, ...], drop_data: bool) -> None:
    """Deactivate if needed, run each module's uninstall hook and mark it available."""
    _transitions(names, manager, functools.partial(manager.uninstall, drop_data=drop_data))


@modules.command()
@_NAMES
@_with_manager
def activate(manager: ModuleManager, names: tuple[str, ...]) -> None:
    """Make installed modules live: their contents, pages, listeners and commands."""
    _transitions(names, manager, manager.activate)


@modules.command()
@_NAMES
@_with_manager
def deactivate(manager: ModuleManager, names: tuple[str, ...]) -> None:
    """Switch modules off; they stay installed and keep their data."""
    _transitions(names, manager, manager.deactivate)
