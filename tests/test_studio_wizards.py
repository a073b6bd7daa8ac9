"""The CRUD wizard (jetpy.studio.wizards): a module made from a model spec works at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.orm import Session
from werkzeug.test import Client

from jetpy import Application
from jetpy.data.db import import_classes, project_model
from jetpy.definitions.writer import WriteError
from jetpy.modules.discovery import use_project_imports
from jetpy.project.loader import load_project
from jetpy.studio.wizards import CrudSpec, FieldSpec, crud_module
from tests.conftest import PASSWORD, REPO, copy_example, csrf_token_in, log_in

SPEC = CrudSpec(
    module="shop.brands.admin",
    model="Brand",
    table="shop_brands",
    fragment="brands",
    titles={"en_US": "Brands", "cs_CZ": "Značky"},
    singular={"en_US": "brand", "cs_CZ": "značka"},
    fields=[
        FieldSpec("name", "text", {"en_US": "Name", "cs_CZ": "Název"}, required=True, size=80),
        FieldSpec("country", "text", {"en_US": "Country", "cs_CZ": "Země"}),
        FieldSpec("founded", "integer", {"en_US": "Founded", "cs_CZ": "Založeno"}),
        FieldSpec("active", "boolean", {"en_US": "Active", "cs_CZ": "Aktivní"}),
        FieldSpec("notes", "long_text", {"en_US": "Notes"}, in_grid=False),
    ],
)


@pytest.fixture
def project_copy(tmp_path: Path) -> Iterator[Path]:
    """A copy of the example project's definitions and code."""
    root = copy_example(tmp_path / "project")
    use_project_imports(root)
    yield root
    use_project_imports(REPO)


@pytest.fixture
def root(project_copy: Path, db_url: str) -> Path:
    """The copy on an empty test database with the shared tables and the superuser `boss`."""
    root = project_copy
    import_classes()
    model = project_model()
    assert model is not None
    engine = sqlalchemy.create_engine(db_url)
    model.metadata.create_all(engine)
    from application.classes.admin_users import create_administrator

    with Session(engine) as db:
        create_administrator(db, "boss", "boss@example.com", PASSWORD, superuser=True)
        db.commit()
    engine.dispose()
    return root


def test_the_crud_wizard_makes_a_module_that_works_at_once(root: Path) -> None:
    message = crud_module(load_project(root, use_cache=False), SPEC)
    assert "installed and activated shop.brands.admin" in message
    assert "created tables shop_brands" in message
    folder = root / "application/modules/shop/brands/admin"
    names = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert "models.py" in names and "controllers.py" in names and "manifest.yaml" in names
    assert "pages/admin/cs_CZ/brands/page.yaml" in names
    assert "menu_items/admin.yaml" in names and "dictionaries/cs_CZ.yaml" in names
    assert any(
        name.startswith("migrations/") and name.endswith("_create_shop_brands.py") for name in names
    )

    app = Application(root)  # jetpy check's problems would stop it here
    client = Client(app)
    assert log_in(client, "boss", url="/admin/brands/").status_code == 303
    grid = client.get("/admin/brands/").get_data(as_text=True)
    assert "<h1>Brands</h1>" in grid or ">Brands</h1>" in grid
    form = client.get("/admin/brands/?add")
    assert "Add brand" in form.get_data(as_text=True)
    saved = client.post(
        "/admin/brands/?add",
        data={
            "csrf_token": csrf_token_in(form),
            "name": "Acme",
            "country": "CZ",
            "founded": "1990",
            "active": "y",
            "notes": "first",
        },
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    assert "Acme" in client.get("/admin/brands/").get_data(as_text=True)
    refused = client.post(
        "/admin/brands/?add",
        data={"csrf_token": csrf_token_in(form), "name": "", "founded": "many"},
    )
    assert refused.status_code == 200 and "Enter the name." in refused.get_data(as_text=True)
    czech = client.get("/admin/cs/brands/?add").get_data(as_text=True)
    assert "Přidat: značka" in czech and "Název" in czech
    menu = client.get("/admin/").get_data(as_text=True)
    assert "/admin/brands/" in menu


REFUSED = [
    ({"module": "brands"}, "three lower-case parts"),
    ({"module": "content.articles.admin"}, "exists already"),
    ({"model": "brand"}, "class name"),
    ({"table": "Drop Table"}, "lower-case"),
    ({"fragment": "../x"}, "slash|dot"),
    ({"fragment": "articles"}, "has a page `articles`"),
    ({"fields": []}, "at least one field"),
    ({"fields": [FieldSpec("id")]}, "not id"),
    ({"fields": [FieldSpec("a"), FieldSpec("a")]}, "twice"),
    ({"fields": [FieldSpec("a", "blob")]}, "kind must be"),
    ({"titles": {"en_US": "Brands"}}, "title in cs_CZ"),
]


def test_a_spec_that_would_not_work_is_refused_before_anything_is_written(
    project_copy: Path,
) -> None:
    project = load_project(project_copy, use_cache=False)
    for change, message in REFUSED:
        spec = CrudSpec(**{**SPEC.__dict__, **change})  # type: ignore[arg-type]
        with pytest.raises(WriteError, match=message):  # StudioError or InvalidName
            crud_module(project, spec)
    assert not (project_copy / "application/modules/shop").exists()


def test_the_crud_wizard_in_the_studio(root: Path) -> None:
    import re

    from jetpy.studio.server import PREFIX, Studio

    client = Client(Studio(root, "t", []))
    client.get(f"{PREFIX}/?token=t")
    page = client.get(f"{PREFIX}/modules/crud")
    assert page.status_code == 200 and "Label cs_CZ" in page.get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    data = {
        "csrf": token.group(1),
        "module": "shop.brands.admin",
        "model": "Brand",
        "table": "shop_brands",
        "fragment": "brands",
        "title_en_US": "Brands",
        "title_cs_CZ": "Značky",
        "singular_en_US": "brand",
        "singular_cs_CZ": "značka",
        "field_name": ["name", "", ""],
        "field_kind_0": "text",
        "field_label_en_US_0": "Name",
        "field_label_cs_CZ_0": "Název",
        "field_required_0": "on",
        "field_grid_0": "on",
        "field_size_0": "80",
    }
    bad = client.post(f"{PREFIX}/modules/crud", data={**data, "table": "Bad Table"})
    assert bad.status_code == 200 and "lower-case" in bad.get_data(as_text=True)
    assert 'value="shop.brands.admin"' in bad.get_data(as_text=True)  # nothing typed is lost
    made = client.post(f"{PREFIX}/modules/crud", data=data)
    assert made.status_code == 303 and "installed%20and%20activated" in made.location
    assert "shop.brands.admin" in client.get(made.location).get_data(as_text=True)
    preview = Client(client.application.preview_app)  # type: ignore[attr-defined]
    login = preview.get("/admin/brands/")  # the page exists: it answers the admin login form
    assert login.status_code == 200 and 'name="password"' in login.get_data(as_text=True)


HOSTILE = 'x", []) or __import__("os").system("id") #\n"""'


def test_labels_titles_and_names_typed_in_the_wizard_stay_text_in_the_code_it_writes() -> None:
    import ast

    from jetpy.studio.wizards import _controllers, _models, _revision

    spec = CrudSpec(
        module="shop.brands.admin",
        model="Brand",
        table="shop_brands",
        fragment="brands",
        titles={"en_US": HOSTILE},
        singular={"en_US": HOSTILE},
        fields=[FieldSpec("name", "text", {"en_US": HOSTILE}, required=True)],
    )
    for source in (_controllers(spec, "en_US"), _models(spec), _revision(spec, "abc")):
        tree = ast.parse(source)
        called = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        assert "__import__" not in called
    texts = {
        node.value
        for node in ast.walk(ast.parse(_controllers(spec, "en_US")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert HOSTILE in texts  # the label, as typed
    assert f"Add {HOSTILE}" in texts
