"""Studio edits of bases (jetpy.studio.bases): create, properties, locales."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.definitions.writer import InvalidName
from jetpy.project.loader import load_project
from jetpy.studio.bases import BaseEditor
from jetpy.studio.edits import StudioError
from jetpy.studio.validate import definition_problems
from tests.conftest import ProjectFactory


@pytest.fixture
def root(make_project: ProjectFactory) -> Path:
    root = make_project()
    Application(root)
    return root


def editor(root: Path) -> BaseEditor:
    return BaseEditor(load_project(root, use_cache=False), definition_problems)


def test_a_new_base_has_its_folder_layout_homepage_and_error_pages(root: Path) -> None:
    editor(root).create("blog", "Blog", "en_US", "/blog", "Our blog")
    base = root / "application/bases/blog"
    assert (base / "base.yaml").read_text() == (
        "name: Blog\nlocales:\n  en_US:\n    urls:\n      - /blog/\n    title: Our blog\n"
    )
    assert sorted(p.name for p in (base / "pages/en_US").iterdir()) == [
        "404.html",
        "500.html",
        "page.yaml",
    ]
    client = Client(Application(root))
    home = client.get("/blog/")
    assert home.status_code == 200 and "Our blog" in home.get_data(as_text=True)
    missing = client.get("/blog/nothing/")
    assert missing.status_code == 404


def test_properties_and_the_default_flag_moves(root: Path) -> None:
    editor(root).create("blog", "Blog", "en_US", "/blog/")
    editor(root).update("blog", {"name": "The Blog", "default": True, "secret": False})
    assert "default: true" in (root / "application/bases/blog/base.yaml").read_text()
    assert "default" not in (root / "application/bases/web/base.yaml").read_text()
    assert Application(root).url_map.default.base.id == "blog"


def test_a_locale_is_added_with_its_pages_copied_from_the_first(root: Path) -> None:
    (root / "application/bases/web/pages/en_US/404.html").write_text("<h1>Lost</h1>")
    editor(root).set_locale("web", "de_DE", ["/de/"], {"title": "Seite"})
    pages = root / "application/bases/web/pages/de_DE"
    assert (pages / "page.yaml").read_text() == "title: Seite\n"
    assert (pages / "404.html").read_text() == "<h1>Lost</h1>"
    client = Client(Application(root))
    assert client.get("/de/").status_code == 200
    assert client.get("/de/nowhere/").get_data(as_text=True) == "<h1>Lost</h1>"
    editor(root).set_locale("web", "de_DE", ["/de/", "/deutsch/"], {"title": "Seite"})
    assert Client(Application(root)).get("/deutsch/").status_code == 301


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda e: e.create("web", "Web", "en_US", "/x/"), "exists already"),
        (lambda e: e.create("b", "B", "english", "/b/"), "not a locale name"),
        (lambda e: e.create("b", "B", "en_US", "/a b/"), "not a URL prefix"),
        (lambda e: e.set_locale("web", "fr_FR", [], {}), "at least one URL"),
        (lambda e: e.set_locale("nope", "fr_FR", ["/fr/"], {}), "no base `nope`"),
        (lambda e: e.update("web", {"colour": "red"}), "no property"),
    ],
)
def test_bad_input_is_refused_with_the_fix(root: Path, call: object, message: str) -> None:
    with pytest.raises(StudioError, match=message):
        call(editor(root))  # type: ignore[operator]


def test_a_hostile_base_id_is_refused(root: Path) -> None:
    with pytest.raises(InvalidName):
        editor(root).create("../x", "X", "en_US", "/x/")
    assert not (root / "application/x").exists()
