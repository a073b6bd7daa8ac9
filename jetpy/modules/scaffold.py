"""`jetpy new`: write a working module or project from the skeletons."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

import click

from jetpy.definitions.secretkey import KEY_FILE, write_key_file
from jetpy.errors import JetpyError

SKELETONS = Path(__file__).parent / "skeletons"
_MODULE_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def _write_tree(skeleton: Path, target: Path, values: dict[str, str]) -> list[Path]:
    written = []
    for source in sorted(skeleton.rglob("*.tmpl")):
        path = target / source.relative_to(skeleton).with_suffix("")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            Template(source.read_text(encoding="utf-8")).substitute(values), encoding="utf-8"
        )
        written.append(path)
    return written


def new_module(project: Path, name: str) -> list[Path]:
    """Write module `name` (e.g. `shop.news.browser`) and its test into `project`."""
    if not _MODULE_NAME.match(name):
        raise JetpyError(
            f"`{name}` is not a module name: use dotted lowercase identifiers, "
            "e.g. `shop.news.browser`"
        )
    if len(name) > 100:  # a folder name the file system takes, and a readable import path
        raise JetpyError(f"the module name is {len(name)} characters long; use at most 100")
    app_dir = project / "application"
    if not app_dir.is_dir():
        raise JetpyError(
            f"{project} has no application/ folder; run this in a project "
            "(or create one with `jetpy new project DIR`)"
        )
    module_dir = app_dir / "modules" / Path(*name.split("."))
    if (module_dir / "manifest.yaml").exists():
        raise JetpyError(f"module `{name}` exists already in {module_dir}")
    ident = name.replace(".", "-")
    label = " ".join(part.replace("_", " ") for part in name.split(".")).capitalize()
    values = {"name": name, "ident": ident, "label": label}
    skeleton = SKELETONS / "module"
    written = _write_tree(skeleton, module_dir, values)
    test = module_dir / "test_module.py"
    target = project / "tests" / f"test_module_{name.replace('.', '_')}.py"
    target.parent.mkdir(exist_ok=True)
    test.replace(target)
    return [path if path != test else target for path in written]


def new_project(target: Path) -> list[Path]:
    """Write a minimal project that `jetpy run` serves."""
    if target.exists() and any(target.iterdir()):
        raise JetpyError(f"{target} exists and is not empty; choose a new folder")
    label = target.resolve().name.replace("-", " ").replace("_", " ").title()
    written = _write_tree(SKELETONS / "project", target, {"label": label})
    write_key_file(target / "application")  # the project's own key, git-ignored
    return [*written, target / "application" / KEY_FILE]


@click.group()
def new() -> None:
    """Write a new module or project from a working skeleton."""


@new.command("module")
@click.argument("name")
@click.option(
    "--project",
    "-p",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default="current folder",
    help="The project folder.",
)
def module_command(name: str, project: Path) -> None:
    """Write module NAME (dotted, e.g. shop.news.browser) with a micro-router, views, a test."""
    try:
        written = new_module(project, name)
    except JetpyError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"  wrote {path}")
    fragment = name.rsplit(".", 1)[-1]
    click.echo(f"""
Next steps:
  1. mount it on a page, e.g. application/bases/web/pages/en_US/{fragment}/page.yaml:
       title: {fragment.replace("_", " ").title()}
       contents:
         - module: {name}
  2. jetpy modules install --activate {name}
  3. jetpy check && jetpy run""")


@new.command("project")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def project_command(directory: Path) -> None:
    """Write a minimal project into DIRECTORY."""
    try:
        written = new_project(directory)
    except JetpyError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"wrote {len(written)} files into {directory}")
    click.echo(f"\nNext: cd {directory} && jetpy run   (then open http://127.0.0.1:8000/)")
