"""`jetpy new`: write a working module or project from the skeletons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

import click

from jetpy.definitions.secretkey import KEY_FILE, write_key_file
from jetpy.errors import JetpyError

SKELETONS = Path(__file__).parent / "skeletons"
_MODULE_NAME = re.compile(r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")


def _render_tree(skeleton: Path, values: dict[str, str]) -> dict[str, str]:
    """The skeleton's files, by path relative to it, with `values` filled in."""
    return {
        source.relative_to(skeleton).with_suffix("").as_posix(): Template(
            source.read_text(encoding="utf-8")
        ).substitute(values)
        for source in sorted(skeleton.rglob("*.tmpl"))
    }


def _write_tree(skeleton: Path, target: Path, values: dict[str, str]) -> list[Path]:
    written = []
    for relative, text in _render_tree(skeleton, values).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def check_module_name(name: str) -> None:
    """Refuse a name that is not a dotted lowercase module name of a sensible length."""
    if not _MODULE_NAME.match(name):
        raise JetpyError(
            f"`{name}` is not a module name: use dotted lowercase identifiers, "
            "e.g. `shop.news.browser`"
        )
    if len(name) > 100:  # a folder name the file system takes, and a readable import path
        raise JetpyError(f"the module name is {len(name)} characters long; use at most 100")


@dataclass(frozen=True)
class ModuleFiles:
    """What `jetpy new module` writes: the module's files and its test, as text."""

    folder: str  # under application/, e.g. modules/shop/news/browser
    files: dict[str, str]  # path relative to `folder` → text
    test_name: str  # the test's file name under the project's tests/
    test: str


def module_files(name: str) -> ModuleFiles:
    """The files of a new module `name` (checked), not yet written anywhere."""
    check_module_name(name)
    ident = name.replace(".", "-")
    label = " ".join(part.replace("_", " ") for part in name.split(".")).capitalize()
    files = _render_tree(SKELETONS / "module", {"name": name, "ident": ident, "label": label})
    return ModuleFiles(
        folder="modules/" + name.replace(".", "/"),
        files=files,
        test_name=f"test_module_{name.replace('.', '_')}.py",
        test=files.pop("test_module.py"),
    )


def new_module(project: Path, name: str) -> list[Path]:
    """Write module `name` (e.g. `shop.news.browser`) and its test into `project`."""
    scaffold = module_files(name)
    app_dir = project / "application"
    if not app_dir.is_dir():
        raise JetpyError(
            f"{project} has no application/ folder; run this in a project "
            "(or create one with `jetpy new project DIR`)"
        )
    module_dir = app_dir / scaffold.folder
    if (module_dir / "manifest.yaml").exists():
        raise JetpyError(f"module `{name}` exists already in {module_dir}")
    written = []
    for relative, text in scaffold.files.items():
        path = module_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    test = project / "tests" / scaffold.test_name
    test.parent.mkdir(exist_ok=True)
    test.write_text(scaffold.test, encoding="utf-8")
    return [*written, test]


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
