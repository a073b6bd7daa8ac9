"""Studio edits of menu sets (jetpy.studio.menus) and their screens."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.project.loader import load_project
from jetpy.studio.edits import StudioError
from jetpy.studio.menus import MenuEditor
from jetpy.studio.server import PREFIX, Studio
from jetpy.studio.validate import definition_problems
from tests.conftest import ProjectFactory

FOOTER = """\
# the footer of every page
links:
  label: {en_US: More, cs_CZ: Více}
  items:
    - {page: about, order: 10}   # about us
"""
LAYOUT = """<!doctype html><html><head>{{ head() }}</head><body>
<main>{{ position("main") }}</main><aside>{{ position("side") }}</aside>
<footer>{% for menu in menu("footer") %}{% for item in menu.items %}<a href="{{ item.url }}">{{ item.label }}</a>{% for sub in item.items %}<a href="{{ sub.url }}">{{ sub.label }}</a>{% endfor %}{% endfor %}{% endfor %}</footer>
</body></html>"""


@pytest.fixture
def root(make_project: ProjectFactory) -> Path:
    root = make_project(
        {
            "application/menus/footer.yaml": FOOTER,
            "application/bases/web/layouts/default.html": LAYOUT,
        }
    )
    Application(root)
    return root


def editor(root: Path) -> MenuEditor:
    return MenuEditor(load_project(root, use_cache=False), definition_problems)


def test_items_are_added_nested_moved_and_deleted_keeping_the_file(root: Path) -> None:
    file = root / "application/menus/footer.yaml"
    path = editor(root).save_item(
        "footer",
        "links",
        {"label": {"en_US": "Items", "cs_CZ": "Položky"}, "page": "items", "order": 20},
        new=True,
    )
    assert path == "links/1"
    editor(root).save_item(
        "footer",
        "links/1",
        {"label": {"en_US": "Blog", "cs_CZ": "Blog"}, "url": "https://blog.example/"},
        new=True,
    )
    text = file.read_text()
    assert text.startswith("# the footer of every page\n")
    assert "- {page: about, order: 10}   # about us" in text
    assert "label:\n          en_US: Items" in text or "en_US: Items" in text
    assert "label: Blog" in text and "url: https://blog.example/" in text
    page = Client(Application(root)).get("/").get_data(as_text=True)
    assert page.index(">About<") < page.index(">Items<") < page.index(">Blog<")
    editor(root).move_item("footer", "links/1", -1)
    page = Client(Application(root)).get("/").get_data(as_text=True)
    assert page.index(">Items<") < page.index(">About<")
    editor(root).delete_item("footer", "links/0")
    assert "Items" not in file.read_text()


def test_a_menu_item_to_a_page_no_locale_has_is_kept_with_a_warning(root: Path) -> None:
    editor(root).save_item(
        "footer", "links", {"label": {"en_US": "X"}, "page": "nowhere"}, new=True
    )
    warnings = [p for p in definition_problems(root) if p.warning and "nowhere" in p.message]
    assert len(warnings) == 1  # another base may have the page: jetpy check warns, as by hand


@pytest.mark.parametrize(
    ("path", "values", "message"),
    [
        ("links", {"label": {"en_US": "X"}}, "page or a URL"),
        ("links", {"page": "about", "url": "/x/"}, "not both"),
        ("nope", {"page": "about"}, "no menu `nope`"),
        ("links/9", {"page": "about"}, "no item at"),
        ("links/x", {"page": "about"}, "not an item path"),
    ],
)
def test_bad_items_are_refused(
    root: Path, path: str, values: dict[str, object], message: str
) -> None:
    with pytest.raises(StudioError, match=message):
        editor(root).save_item("footer", path, values, new=True)


def test_the_menu_screens(root: Path) -> None:
    client = Client(Studio(root, "t", []))
    client.get(f"{PREFIX}/?token=t")
    page = client.get(f"{PREFIX}/menus/footer/")
    assert page.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True))
    assert token is not None
    added = client.post(
        f"{PREFIX}/menus/footer/change",
        data={
            "csrf": token.group(1),
            "action": "add",
            "path": "links",
            "label_en_US": "Items",
            "label_cs_CZ": "Položky",
            "page": "items",
            "order": "20",
        },
    )
    assert "message=Menu%20item%20saved." in added.location
    assert "Items" in client.get(added.location).get_data(as_text=True)
    bad = client.post(
        f"{PREFIX}/menus/footer/change",
        data={"csrf": token.group(1), "action": "add", "path": "links", "order": "x"},
    )
    assert "error=" in bad.location
    made = client.post(
        f"{PREFIX}/menus/create",
        data={"csrf": token.group(1), "menu_set": "header", "menu": "main", "label_en_US": "Main"},
    )
    assert made.location.startswith(f"{PREFIX}/menus/header/")
    assert (
        root / "application/menus/header.yaml"
    ).read_text() == "main:\n  label:\n    en_US: Main\n  items: []\n"
    assert client.get(f"{PREFIX}/menus/nope/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:x",
        "data:text/html,x",
        "//evil.example/",
        "vbscript:x",
        "/a b",
    ],
)
def test_a_menu_item_links_only_to_safe_addresses(root: Path, url: str) -> None:
    with pytest.raises(StudioError, match="not a link a menu may hold"):
        editor(root).save_item("footer", "links", {"label": {"en_US": "X"}, "url": url}, new=True)


def test_paths_anchors_and_web_addresses_are_fine(root: Path) -> None:
    for url in (
        "/contact/",
        "#top",
        "https://example.com/x?y=1",
        "mailto:a@example.com",
        "tel:+420123",
    ):
        editor(root).save_item("footer", "links", {"label": {"en_US": "X"}, "url": url}, new=True)


def test_the_list_of_sets_says_what_each_holds(root: Path) -> None:
    nested = FOOTER + (
        "    - {separator: true, order: 20}\n"
        "    - {url: /x, label: X, order: 30, items: [{url: /y, label: Y}, {url: /z, label: Z}]}\n"
        "legal:\n  label: Legal\n  items: []\n"
    )
    (root / "application/menus/footer.yaml").write_text(nested)
    (root / "application/menus/broken.yaml").write_text("links: [unclosed\n")
    (root / "application/menus/latin2.yaml").write_bytes(
        "links: {label: Záhlaví}\n".encode("cp1250")
    )
    (root / "application/menus/listed.yaml").write_text("- {url: /x, label: X}\n")
    client = Client(Studio(root, "t", []))
    client.get(f"{PREFIX}/?token=t")
    page = client.get(f"{PREFIX}/menus/").get_data(as_text=True)
    footer = page[page.index(f'href="{PREFIX}/menus/footer/"') :]
    # two root menus; the about page, X and its two children (the separator is no item)
    assert footer.split("</li>")[0].endswith("<p>2 menus · 4 items of its own</p>")
    for name, said in [
        ("broken", "Its file cannot be read: open it to see why."),  # not YAML
        ("latin2", "Its file cannot be read: open it to see why."),  # not UTF-8
        ("listed", "Its file holds no menus by id: open it to see how to write one."),
    ]:
        card = page[page.index(f'href="{PREFIX}/menus/{name}/"') :]
        assert said in card.split("</li>")[0], name
