"""Module wizards: a CRUD admin module from a model and a list of fields, working at once.

`crud_module()` writes what a developer would write for one admin module, in both locales:

    application/modules/<a>/<b>/<c>/
      manifest.yaml              label, description, ACL actions view/add/edit/delete
      models.py                  the SQLAlchemy model (on the project's declarative base)
      migrations/<rev>_create_<table>.py   its first Alembic revision, on the module's branch
      controllers.py             a CrudController: grid (search, sort, CSV) and a WTForms form
      pages/<base>/<locale>/<fragment>/page.yaml   the page of the module in every locale
      menu_items/<set>.yaml      its item in the admin menu
      dictionaries/<locale>.yaml the labels in the other locales

then installs and activates the module, which creates its table and marks the revision
applied. The files are written all or nothing and checked like every definition; a module
that fails the check is taken away again, and nothing stays half made.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jetpy.definitions.writer import Changes, check_name
from jetpy.modules.i18n import jetpy_phrases
from jetpy.modules.scaffold import module_files
from jetpy.project.loader import Project
from jetpy.project.manager import ModuleManager
from jetpy.studio.edits import StudioError
from jetpy.studio.validate import definition_problems

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
_CLASS = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_MODULE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_RESERVED_FIELDS = {"id", "metadata", "registry", "query"}


@dataclass(frozen=True)
class Kind:
    """What a field kind becomes: column type, form field, and whether it takes a length."""

    column: str
    form_field: str
    sized: bool = False


KINDS = {
    "text": Kind("String({size})", "StringField", sized=True),
    "long_text": Kind("Text()", "TextAreaField"),
    "integer": Kind("Integer()", "IntegerField"),
    "decimal": Kind("Numeric(12, 2)", "DecimalField"),
    "boolean": Kind("Boolean()", "BooleanField"),
    "date": Kind("Date()", "DateField"),
}


@dataclass(frozen=True)
class FieldSpec:
    """One field of the model: its name, kind and label in each locale."""

    name: str
    kind: str = "text"
    labels: dict[str, str] = field(default_factory=dict)  # locale → label
    required: bool = False
    size: int = 200  # the length of a text field
    in_grid: bool = True


@dataclass(frozen=True)
class CrudSpec:
    """What the CRUD wizard makes: a module with a model, a page and a menu item."""

    module: str  # a.b.c
    model: str  # CamelCase class name
    table: str
    fragment: str  # the page's folder, also its id
    titles: dict[str, str]  # locale → page title (plural: "Brands")
    singular: dict[str, str]  # locale → one item ("brand")
    fields: Sequence[FieldSpec]
    base: str = "admin"
    menu_set: str = "admin"
    menu: str = "main"
    order: int = 50


def check_spec(spec: CrudSpec, project: Project) -> None:
    """Refuse a spec that would not make a working module, saying what to change."""
    if not _MODULE.match(spec.module):
        raise StudioError(
            f"module name `{spec.module}` must be three lower-case parts, e.g. shop.brands.admin"
        )
    if spec.module in project.modules:
        raise StudioError(f"module `{spec.module}` exists already; choose another name")
    if not _CLASS.match(spec.model) or keyword.iskeyword(spec.model):
        raise StudioError(f"model `{spec.model}` must be a class name like Brand")
    if not _IDENTIFIER.match(spec.table) or len(spec.table) > 60:
        raise StudioError(f"table `{spec.table}` must be lower-case letters, digits and _")
    check_name(spec.fragment, "URL fragment")
    base = project.bases.get(spec.base)
    if base is None:
        raise StudioError(f"there is no base `{spec.base}` for the module's page")
    for locale in base.locales:
        tree = project.trees.get((spec.base, locale))
        if tree is not None and (spec.fragment in tree.by_id or spec.fragment in tree.by_path):
            raise StudioError(f"base `{spec.base}` has a page `{spec.fragment}` already ({locale})")
        if not spec.titles.get(locale):
            raise StudioError(f"give the page a title in {locale}")
    if not spec.fields:
        raise StudioError("give the model at least one field")
    seen: set[str] = set()
    for item in spec.fields:
        if (
            not _IDENTIFIER.match(item.name)
            or keyword.iskeyword(item.name)
            or item.name in _RESERVED_FIELDS
        ):
            raise StudioError(
                f"field `{item.name}` must be a lower-case name like `title` (not id or a keyword)"
            )
        if item.name in seen:
            raise StudioError(f"field `{item.name}` is listed twice")
        seen.add(item.name)
        if item.kind not in KINDS:
            raise StudioError(f"field `{item.name}`: kind must be one of {', '.join(KINDS)}")
        if not 1 <= item.size <= 10_000:
            raise StudioError(f"field `{item.name}`: length must be from 1 to 10000")


def basic_module(root: Path, name: str) -> str:
    """The basic wizard: what `jetpy new module NAME` writes, through the writer.

    The module's files are written all or nothing and checked once on disk (taken back if
    `jetpy check` finds a problem in them); its test goes into the project's tests/ (outside
    the definitions), unless one of that name is there already.
    """
    scaffold = module_files(name)
    app_dir = root / "application"
    if (app_dir / scaffold.folder / "manifest.yaml").exists():
        raise StudioError(f"module `{name}` exists already; choose another name")
    changes = Changes(app_dir)
    for relative, text in scaffold.files.items():
        changes.write_text(f"{scaffold.folder}/{relative}", text)
    changes.commit()  # the new code can only be imported and checked once it is on disk
    ours = [
        problem
        for problem in definition_problems(root)
        if not problem.warning and scaffold.folder in problem.file
    ]
    if ours:
        _remove(app_dir, scaffold.folder, "application." + name)
        raise StudioError(
            "the module would not work, so it was not kept:\n" + "\n".join(map(str, ours))
        )
    test = root / "tests" / scaffold.test_name
    if test.exists():
        kept = f"tests/{test.name} existed already and was kept as it was"
    else:
        test.parent.mkdir(exist_ok=True)
        partial = test.with_name(f".{test.name}.{uuid.uuid4().hex}")
        partial.write_text(scaffold.test, encoding="utf-8")
        os.replace(partial, test)
        kept = f"its test is tests/{test.name}"
    return (
        f"Module {name} written ({len(scaffold.files)} files; {kept}); "
        "install and activate it below, then mount it on a page."
    )


def crud_module(project: Project, spec: CrudSpec) -> str:
    """Write, check, install and activate the module; what was done, in one sentence."""
    check_spec(spec, project)
    locales = list(project.bases[spec.base].locales)
    folder = "modules/" + spec.module.replace(".", "/")
    changes = Changes(project.app_dir)
    english = "en_US" if "en_US" in locales else locales[0]
    changes.write_yaml(f"{folder}/manifest.yaml", _manifest(spec, english))
    changes.write_text(f"{folder}/__init__.py", "")
    changes.write_text(f"{folder}/models.py", _models(spec))
    revision = uuid.uuid4().hex[:12]
    changes.write_text(
        f"{folder}/migrations/{revision}_create_{spec.table}.py", _revision(spec, revision)
    )
    changes.write_text(f"{folder}/controllers.py", _controllers(spec, english))
    for locale in locales:
        page = {
            "id": spec.fragment,
            "title": spec.titles[locale],
            "order": spec.order,
            "contents": [{"position": "main"}],
        }
        changes.write_yaml(f"{folder}/pages/{spec.base}/{locale}/{spec.fragment}/page.yaml", page)
        if locale != english:
            changes.write_yaml(
                f"{folder}/dictionaries/{locale}.yaml", _dictionary(spec, locale, english)
            )
    changes.write_yaml(
        f"{folder}/menu_items/{spec.menu_set}.yaml",
        {spec.menu: [{"page": spec.fragment, "order": spec.order}]},
    )
    for parent in _package_parents(project, spec.module):
        changes.write_text(f"{parent}/__init__.py", "")
    changes.commit()  # the new code can only be checked once it is on disk: see below
    problems = [problem for problem in definition_problems(project.root) if not problem.warning]
    ours = [problem for problem in problems if folder in problem.file]
    if ours:
        _take_back(project, spec, folder)
        raise StudioError(
            "the module would not work, so it was not kept:\n" + "\n".join(map(str, ours))
        )
    change = ModuleManager(project.root).install(spec.module, activate=True)
    return change.message


def _take_back(project: Project, spec: CrudSpec, folder: str) -> None:
    _remove(project.app_dir, folder, "application." + spec.module)


def _remove(app_dir: Path, folder: str, package: str) -> None:
    """Delete a module just written and forget what of it was imported."""
    undo = Changes(app_dir)
    undo.delete(folder)
    undo.commit()
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]


def _package_parents(project: Project, module: str) -> list[str]:
    """The module's parent folders that do not exist yet (they become packages too)."""
    parts = module.split(".")
    missing = []
    for depth in (1, 2):
        folder = "modules/" + "/".join(parts[:depth])
        if not (project.app_dir / folder).exists():
            missing.append(folder)
    return missing


def _manifest(spec: CrudSpec, english: str) -> dict[str, object]:
    title = spec.titles[english]
    return {
        "label": f"{title} (admin)",
        "description": f"{title}: a grid, forms to add, edit and delete (the CRUD wizard's)",
        "version": "1.0.0",
        "acl_actions": {
            "view": f"View {title.lower()}",
            "add": f"Add {title.lower()}",
            "edit": f"Edit {title.lower()}",
            "delete": f"Delete {title.lower()}",
        },
    }


def _literal(text: str) -> str:
    """`text` as a Python string literal: what was typed stays text in the code written."""
    return json.dumps(text, ensure_ascii=False)  # JSON's escapes are Python's too


def _docstring(text: str) -> str:
    """`text` on one line, safe inside a triple-quoted docstring."""
    return " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')


def _label(item: FieldSpec, locale: str) -> str:
    return item.labels.get(locale) or item.name.replace("_", " ").capitalize()


def _models(spec: CrudSpec) -> str:
    kinds = sorted({KINDS[item.kind].column.split("(")[0] for item in spec.fields} | {"Integer"})
    columns = []
    for item in spec.fields:
        column_type = KINDS[item.kind].column.format(size=item.size)
        nullable = "False" if item.required or item.kind == "boolean" else "True"
        default = ", default=False" if item.kind == "boolean" else ""
        annotation = _annotation(item)
        columns.append(
            f"    {item.name}: Mapped[{annotation}] = mapped_column({column_type}, "
            f"nullable={nullable}{default})"
        )
    first_text = next((i.name for i in spec.fields if i.kind in ("text", "long_text")), None)
    shown = f'self.{first_text} or f"#{{self.id}}"' if first_text else 'f"#{self.id}"'
    imports = ", ".join(kinds)
    extra = _annotation_imports(spec)
    return f'''"""The model {spec.model}: table `{spec.table}`.

Written by the studio's CRUD wizard; yours to change (with a migration: `jetpy db revision`).
"""

from __future__ import annotations
{extra}
from sqlalchemy import {imports}
from sqlalchemy.orm import Mapped, mapped_column

from application.classes.model import Model


class {spec.model}(Model):
    __tablename__ = "{spec.table}"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
{chr(10).join(columns)}

    def __str__(self) -> str:
        return str({shown})
'''


def _annotation(item: FieldSpec) -> str:
    base = {
        "text": "str",
        "long_text": "str",
        "integer": "int",
        "decimal": "Decimal",
        "boolean": "bool",
        "date": "dt.date",
    }[item.kind]
    return base if item.required or item.kind == "boolean" else f"{base} | None"


def _annotation_imports(spec: CrudSpec) -> str:
    lines = []
    if any(item.kind == "date" for item in spec.fields):
        lines.append("import datetime as dt")
    if any(item.kind == "decimal" for item in spec.fields):
        lines.append("from decimal import Decimal")
    return ("\n" + "\n".join(lines) + "\n") if lines else ""


def _revision(spec: CrudSpec, revision: str) -> str:
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    columns = ['        sa.Column("id", sa.Integer(), nullable=False),']
    for item in spec.fields:
        column_type = "sa." + KINDS[item.kind].column.format(size=item.size)
        nullable = "False" if item.required or item.kind == "boolean" else "True"
        columns.append(f'        sa.Column("{item.name}", {column_type}, nullable={nullable}),')
    columns.append(f'        sa.PrimaryKeyConstraint("id", name=op.f("pk_{spec.table}")),')
    return f'''"""create {spec.table} (the CRUD wizard's first revision of {spec.module})

Revision ID: {revision}
Revises:
Create Date: {created}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = None
branch_labels = ("{spec.module}",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "{spec.table}",
{chr(10).join(columns)}
    )


def downgrade() -> None:
    op.drop_table("{spec.table}")
'''


def _controllers(spec: CrudSpec, english: str) -> str:
    form_fields = []
    wtforms = {"Length", "Optional"}
    kinds = set()
    for item in spec.fields:
        kind = KINDS[item.kind]
        kinds.add(kind.form_field)
        label = _label(item, english)
        checks = []
        if item.required and item.kind != "boolean":
            wtforms.add("InputRequired")
            checks.append(f"InputRequired({_literal(f'Enter the {label.lower()}.')})")
        elif item.kind != "boolean":
            checks.append("Optional()")
        if kind.sized:
            checks.append(f"Length(max={item.size})")
        form_fields.append(
            f"    {item.name} = {kind.form_field}({_literal(label)}, [{', '.join(checks)}])"
        )
    columns = ['                Column("id", "ID"),']
    for item in spec.fields:
        if not item.in_grid:
            continue
        searchable = ", searchable=True" if item.kind in ("text", "long_text") else ""
        columns.append(
            f'                Column("{item.name}", '
            f"_({_literal(_label(item, english))}){searchable}),"
        )
    sort = next((i.name for i in spec.fields if i.in_grid and i.kind == "text"), "id")
    singular = spec.singular.get(english) or spec.model.lower()
    validators = ", ".join(sorted(wtforms))
    title = _docstring(spec.titles[english])
    return f'''"""{title}: a grid and forms to add, edit and delete.

Written by the studio's CRUD wizard; yours to change.

The page is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`, `?edit=ID`, `?delete=ID`;
each needs the module's ACL action of the same name (view for the list and the view).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from wtforms import {", ".join(sorted(kinds))}
from wtforms.validators import {validators}

from jetpy.web.crud import CrudController
from jetpy.web.forms import Form
from jetpy.web.grid import Column, Grid

from .models import {spec.model}


class {spec.model}Form(Form):
    """The add and edit form."""

{chr(10).join(form_fields)}


class Main(CrudController):
    """The grid and the forms of {title.lower()}."""

    model = {spec.model}
    form_class = {spec.model}Form
    add_title = {_literal(f"Add {singular}")}
    edit_title = {_literal(f"Edit {singular} “%(item)s”")}

    def get_grid(self) -> Grid:
        _ = self._
        return Grid(
            select({spec.model}),
            [
{chr(10).join(columns)}
            ],
            sort="{sort}",
            export_filename="{spec.table}",
        )

    def title_of(self, item: Any) -> str:
        return str(item)
'''


def _dictionary(spec: CrudSpec, locale: str, english: str) -> dict[str, str]:
    """The module's phrases in `locale`: field labels, and the add and edit headings."""
    phrases: dict[str, str] = {}
    for item in spec.fields:
        translated = item.labels.get(locale)
        if translated:
            phrases[_label(item, english)] = translated
    singular = spec.singular.get(english) or spec.model.lower()
    other = spec.singular.get(locale)
    if other:
        words = jetpy_phrases(locale)
        add, edit = words.get("Add", "Add"), words.get("Edit", "Edit")
        phrases[f"Add {singular}"] = f"{add}: {other}"
        phrases[f"Edit {singular} “%(item)s”"] = f"{edit}: {other} „%(item)s“"
    return phrases
