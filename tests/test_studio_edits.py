"""Studio edits of page trees (jetpy.studio.edits), checked in process (jetpy.studio.validate)."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.definitions.writer import InvalidName, Refused
from jetpy.project.loader import load_project
from jetpy.studio.edits import PageEditor, PageRef, StudioError
from jetpy.studio.validate import definition_problems
from tests.conftest import ProjectFactory

HOME = PageRef("web", "en_US")
PAGES = "application/bases/web/pages"


@pytest.fixture
def root(make_project: ProjectFactory) -> Path:
    root = make_project()
    Application(root)  # the project as a server would have it: valid, modules imported
    return root


def editor(root: Path) -> PageEditor:
    return PageEditor(load_project(root, use_cache=False), definition_problems)


def test_a_new_page_is_written_as_a_developer_would_and_served(root: Path) -> None:
    ref = editor(root).create(HOME, "news", {"title": "News"})
    assert ref == PageRef("web", "en_US", "news")
    assert (root / PAGES / "en_US/news/page.yaml").read_text() == "title: News\norder: 3\n"
    response = Client(Application(root)).get("/news/")
    assert response.status_code == 200


def test_contents_are_set_in_page_yaml_order_and_reordered_keeping_the_file(root: Path) -> None:
    edit = editor(root)
    ref = edit.create(HOME, "news", {"title": "News"})
    edit = editor(root)
    edit.set_contents(
        ref,
        [
            {"module": "test.hello", "position": "main", "parameters": {"name": "news"}},
            {"output": "<p>side</p>", "position": "side"},
        ],
    )
    text = (root / PAGES / "en_US/news/page.yaml").read_text()
    assert text == (
        "title: News\norder: 3\ncontents:\n"
        "  - module: test.hello\n    parameters:\n      name: news\n"
        "  - output: <p>side</p>\n    position: side\n"
    )
    page = Client(Application(root)).get("/news/").get_data(as_text=True)
    assert "Hello news!" in page and "<aside><p>side</p></aside>" in page
    editor(root).set_contents(ref, [{"index": 1, "position": "main"}, {"index": 0}])
    text = (root / PAGES / "en_US/news/page.yaml").read_text()
    assert text.index("output: <p>side</p>") < text.index("module: test.hello")
    assert "position: side" not in text  # main is the default: not written


def test_a_content_in_a_position_the_layout_lacks_is_refused_and_nothing_written(
    root: Path,
) -> None:
    before = (root / PAGES / "en_US/about/page.yaml").read_text()
    with pytest.raises(Refused) as refused:
        editor(root).set_contents(
            PageRef("web", "en_US", "about"), [{"output": "<p>x</p>", "position": "footer"}]
        )
    assert "footer" in str(refused.value)
    assert (root / PAGES / "en_US/about/page.yaml").read_text() == before


def test_an_unknown_module_or_action_is_refused(root: Path) -> None:
    with pytest.raises(Refused, match="nope"):
        editor(root).set_contents(HOME, [{"module": "test.hello", "action": "nope"}])


def test_properties_are_set_and_defaults_removed(root: Path) -> None:
    about = PageRef("web", "en_US", "about")
    editor(root).update(about, {"title": "About us", "secret": True, "meta_tags": []})
    text = (root / PAGES / "en_US/about/page.yaml").read_text()
    assert text.startswith("title: About us\norder: 2\n")
    assert "secret: true" in text and "meta_tags" not in text
    editor(root).update(about, {"secret": None})
    assert "secret" not in (root / PAGES / "en_US/about/page.yaml").read_text()
    with pytest.raises(StudioError, match="no property `colour`"):
        editor(root).update(about, {"colour": "red"})


def test_a_page_moves_under_another_and_siblings_are_renumbered(root: Path) -> None:
    edit = editor(root)
    edit.create(PageRef("web", "en_US", "about"), "team", {"title": "Team"})
    moved = editor(root).move(PageRef("web", "en_US", "about"), PageRef("web", "en_US", "items"), 0)
    assert moved.path == "items/about"
    assert (root / PAGES / "en_US/items/about/team/page.yaml").is_file()
    assert not (root / PAGES / "en_US/about").exists()
    client = Client(Application(root))
    assert client.get("/items/about/team/").status_code == 200
    assert client.get("/about/").status_code == 404


def test_reordering_touches_only_the_pages_whose_order_changes(root: Path) -> None:
    items = root / PAGES / "en_US/items/page.yaml"
    about = root / PAGES / "en_US/about/page.yaml"
    editor(root).move(PageRef("web", "en_US", "about"), HOME, 0)  # about first, items second
    assert "order: 1" in about.read_text() and "order: 2" in items.read_text()
    stamp = items.stat().st_mtime_ns
    editor(root).move(PageRef("web", "en_US", "about"), HOME, 0)  # already there
    assert items.stat().st_mtime_ns == stamp


def test_rename_copy_and_delete(root: Path) -> None:
    renamed = editor(root).rename(PageRef("web", "en_US", "about"), "about-us")
    assert Client(Application(root)).get("/about-us/").status_code == 200
    copied = editor(root).copy(renamed, "cs_CZ", "", "o-nas")
    assert copied == PageRef("web", "cs_CZ", "o-nas")
    assert Client(Application(root)).get("/cs/o-nas/").status_code == 200
    assert editor(root).delete(renamed) == ["about-us"]
    assert not (root / PAGES / "en_US/about-us").exists()
    assert (root / PAGES / "cs_CZ/o-nas/page.yaml").is_file()


@pytest.mark.parametrize("name", ["..", "a/b", "x\x00", "con", "x" * 200, "Über"])
def test_hostile_names_are_refused(root: Path, name: str) -> None:
    with pytest.raises(InvalidName):
        editor(root).create(HOME, name, {"title": "X"})
    assert sorted(p.name for p in (root / PAGES / "en_US").iterdir()) == [
        "about",
        "items",
        "page.yaml",
        "robots.txt",
    ]


def test_impossible_moves_are_refused(root: Path) -> None:
    edit = editor(root)
    with pytest.raises(StudioError, match="under itself"):
        edit.move(PageRef("web", "en_US", "items"), PageRef("web", "en_US", "items"), 0)
    with pytest.raises(StudioError, match="homepage"):
        edit.delete(HOME)
    with pytest.raises(StudioError, match="exists already"):
        edit.rename(PageRef("web", "en_US", "about"), "items")
    with pytest.raises(StudioError, match="no page at `nowhere`"):
        edit.update(PageRef("web", "en_US", "nowhere"), {"title": "x"})
