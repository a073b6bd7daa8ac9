from __future__ import annotations

from jetpy import Application
from tests.conftest import ProjectFactory


def test_tree_match_is_longest_folder_path(app: Application) -> None:
    tree = app.trees[("web", "en_US")]
    assert tree.match("items/one.html") == (tree.by_id["items"], "one.html")
    assert tree.match("items") == (tree.by_id["items"], "")
    assert tree.match("nothing/here") == (tree.homepage, "nothing/here")
    assert tree.match("") == (tree.homepage, "")


def test_ids_default_to_the_folder_and_homepage(app: Application) -> None:
    tree = app.trees[("web", "en_US")]
    assert set(tree.by_id) == {"_homepage_", "about", "items"}


def test_page_urls_encode_fragments_and_query(app: Application) -> None:
    items = app.page("items")
    assert items.url() == "/items/"
    assert items.url("a b.html") == "/items/a%20b.html"
    assert items.url("x", q="č", page=2) == "/items/x?q=%C4%8D&page=2"
    assert items.url(skip=None) == "/items/"
    assert app.page("_homepage_", locale="cs_CZ").url() == "/cs/"
    # fragments are path segments: numbers are written out, a `/` or any other reserved
    # character inside one is quoted, empty ones stay empty
    assert items.url("a", 2, "b-c.html") == "/items/a/2/b-c.html"
    assert items.url("a/b") == "/items/a%2Fb"
    assert items.url("a", "b/c", "d") == "/items/a/b%2Fc/d"
    assert items.url("a", "", "b") == "/items/a//b"
    assert items.url("žluť", "?#") == "/items/%C5%BElu%C5%A5/%3F%23"


def test_children_in_order_without_inactive(make_project: ProjectFactory) -> None:
    app = Application(
        make_project(
            {
                "application/bases/web/pages/en_US/hidden/page.yaml": "title: Hidden\nactive: false\n",
                "application/bases/web/pages/en_US/first/page.yaml": "title: First\norder: -1\n",
            }
        )
    )
    home = app.page("_homepage_")
    assert [p.id for p in home.children] == ["first", "items", "about"]
    assert [p.id for p in app.page("items").siblings] == ["first", "items", "about"]
    assert home.siblings == [home]


def test_inherited_values(make_project: ProjectFactory) -> None:
    app = Application(
        make_project(
            {
                "application/bases/web/layouts/other.html": "{{ position('main') }}",
                "application/bases/web/pages/en_US/section/page.yaml": """
            title: Section
            layout: other
            secret: true
            ssl_required: true
            http_headers: {X-Section: s, X-Both: section}
            """,
                "application/bases/web/pages/en_US/section/leaf/page.yaml": """
            title: Leaf
            http_headers: {X-Both: leaf}
            """,
                "application/bases/web/pages/en_US/section/open/page.yaml": """
            title: Open
            secret: false
            """,
            }
        )
    )
    leaf = app.page("leaf")
    assert leaf.layout == "other"
    assert leaf.is_secret and leaf.ssl_required
    assert leaf.http_headers == {"X-Section": "s", "X-Both": "leaf"}
    assert not app.page("open").is_secret
    assert app.page("about").layout == "default"
    assert [p.id for p in leaf.ancestors] == ["_homepage_", "section", "leaf"]
    assert leaf.is_in_path_of(leaf) and app.page("section").is_in_path_of(leaf)


def test_meta_tags_merge_locale_defaults_with_the_page(make_project: ProjectFactory) -> None:
    app = Application(
        make_project(
            {
                "application/bases/web/pages/en_US/about/page.yaml": """
            title: About
            meta_tags:
              - {value: description, content: About page}
              - {attribute: property, value: "og:title", content: About}
            """,
            }
        )
    )
    tags = {(t["attribute"], t["value"]): t["content"] for t in app.page("about").meta_tags}
    assert tags == {("name", "description"): "About page", ("property", "og:title"): "About"}


def test_titles_default_to_title(make_project: ProjectFactory) -> None:
    app = Application(
        make_project(
            {
                "application/bases/web/pages/en_US/about/page.yaml": "title: About us\nmenu_title: About\n",
            }
        )
    )
    about = app.page("about")
    assert (about.title, about.menu_title, about.breadcrumb_title) == (
        "About us",
        "About",
        "About us",
    )


def test_app_page_errors_name_what_exists(app: Application) -> None:
    import pytest

    from jetpy import JetpyError

    with pytest.raises(JetpyError, match="no page `nope`"):
        app.page("nope")
    with pytest.raises(JetpyError, match="no base `admin`; bases: web"):
        app.page("about", base="admin")
    with pytest.raises(JetpyError, match="no locale `de_DE`"):
        app.page("about", locale="de_DE")
