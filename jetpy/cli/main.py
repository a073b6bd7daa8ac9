"""The `jetpy` command: run, check, pages."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from jetpy.app import Application
from jetpy.cli.db import db
from jetpy.cli.delivery import delivery_lines
from jetpy.cli.dictionaries import dictionaries
from jetpy.cli.modulecli import ModuleCommandGroup
from jetpy.cli.modules import modules
from jetpy.cli.queues import queues, worker
from jetpy.cli.serve import serve
from jetpy.cli.studio import studio
from jetpy.errors import DefinitionError
from jetpy.kernel import logs
from jetpy.modules.scaffold import new


def _load(project: Path, use_cache: bool = True, debug: bool | None = None) -> Application:
    try:
        return Application(project, use_cache=use_cache, debug=debug)
    except DefinitionError as error:
        click.secho(str(error), fg="red", err=True)
        raise SystemExit(1) from None


project_option = click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: os.environ.get("JETPY_PROJECT", "."),
    show_default="current folder",
    help="The project folder (the one holding application/).",
)


@click.group(cls=ModuleCommandGroup)
@click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    is_eager=True,  # read before --help, which lists the modules' commands
    help="The project folder for commands of modules (default: $JETPY_PROJECT or .).",
)
def main(project: Path | None) -> None:
    """jetpy: bases, page trees, layouts with positions and module controllers.

    Activated modules add their own commands (from their cli.py) to this list.
    """


@main.command()
@project_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--debug/--no-debug",
    default=None,
    help="Reloader, debugger and template reloading on or off (default: config.yaml's debug).",
)
def run(project: Path, host: str, port: int, debug: bool | None) -> None:
    """Serve the project with the werkzeug development server."""
    from werkzeug.serving import run_simple

    app = _load(project, debug=debug)
    logs.configure(app.config)  # text or JSON lines as config.yaml says
    debug = app.config.debug
    watched = (
        [
            str(p)
            for top in ("bases", "modules", "classes", "dictionaries", "menus")
            for p in (app.project.app_dir / top).rglob("*")
            if p.suffix in {".yaml", ".html", ".txt"}
        ]
        if debug
        else []
    )
    config = app.project.app_dir / "config.yaml"
    if debug and config.exists():
        watched.append(str(config))
    click.echo(
        f"jetpy: serving {app.root} on http://{host}:{port}/"
        + (" (debug: reloader and debugger on)" if debug else "")
    )
    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":  # once, not again in the reloader's child
        for line in delivery_lines(app):
            click.echo(f"jetpy: {line}")
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, extra_files=watched)


@main.command()
@project_option
def check(project: Path) -> None:
    """Validate every definition; list all problems, each with file, key and fix."""
    try:
        app = Application(project, use_cache=False)
    except DefinitionError as error:
        click.secho(str(error), fg="red", err=True)
        sys.exit(1)
    warnings = [problem for problem in app.problems() if problem.warning]
    for problem in warnings:
        click.secho(f"warning: {problem}", fg="yellow", err=True)
    pages = sum(len(tree) for tree in app.trees.values())
    click.secho(
        f"OK: {len(app.bases)} bases, {pages} pages, {len(app.modules)} modules", fg="green"
    )
    for line in delivery_lines(app):
        click.echo(line)


@main.command()
@project_option
def pages(project: Path) -> None:
    """List each base, locale and page with its URL, layout and mounted modules."""
    app = _load(project)
    for base in app.bases.values():
        state = "" if base.active else " (inactive)"
        click.secho(f"base {base.id}{state}", bold=True)
        for locale in base.locales.values():
            urls = ", ".join(str(url) for url in locale.urls)
            click.echo(f"  {locale.name}  {urls}")
            tree = app.trees[(base.id, locale.name)]
            for page in sorted(tree, key=lambda p: p.relative_path):
                depth = page.relative_path.count("/") + 1 if page.relative_path else 0
                definition = page.definition
                if definition.output is not None or definition.output_file is not None:
                    shown = "static output"
                else:
                    mounted = [
                        f"{c.module}:{c.controller}.{c.action}@{c.position}"
                        if c.module
                        else f"output@{c.position}"
                        for c in definition.contents
                    ]
                    shown = f"layout {page.layout}" + (f"; {', '.join(mounted)}" if mounted else "")
                flags = "".join(
                    f" [{flag}]"
                    for flag, on in (
                        ("inactive", not definition.active),
                        ("secret", page.is_secret),
                        (f"from module {page.module}", page.module is not None),
                    )
                    if on
                )
                click.echo(f"    {'  ' * depth}{page.id:<20} {page.url():<32} {shown}{flags}")


main.add_command(new)
main.add_command(modules)
main.add_command(dictionaries)
main.add_command(db)
main.add_command(serve)
main.add_command(studio)
main.add_command(worker)
main.add_command(queues)
