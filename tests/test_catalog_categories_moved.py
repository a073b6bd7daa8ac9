"""Old category paths (application/classes/catalog/old_paths.py): after a category moved to
another parent or got a new slug, the paths it and the categories below it had answer 301 to
their paths now, in each locale, page and query string kept.

The moves go through the categories admin (its real form with the CSRF token), as an editor
makes them; the tree is the one of tests/test_catalog_categories_admin.py: Tools / Hand tools
/ Saws and Garden at the top (Czech: Nářadí / Ruční nářadí / Pily, Zahrada).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import sqlalchemy
from sqlalchemy import select
from werkzeug.test import Client

from application.classes.catalog import Category, CategoryText, OldCategoryPath
from jetpy import Application
from tests.conftest import csrf_token_in as token_of
from tests.test_catalog_categories_admin import URL, add, edit, id_of, tree
from tests.test_catalog_products_admin import a_hammer, app, boss
from tests.test_catalog_statements import statements

__all__ = ["app", "boss", "tree"]  # fixtures


def texts_of(app: Application, id: int) -> dict[str, str]:
    """The category's form fields of its texts now, to post them unchanged."""
    with app.db.session() as db:
        found = db.scalars(select(CategoryText).where(CategoryText.category_id == id)).all()
        fields: dict[str, str] = {}
        for text in found:
            fields[f"name_{text.locale}"] = text.name
            fields[f"slug_{text.locale}"] = text.slug
        return fields


def move(app: Application, boss: Client, id: int, parent: int | None, **texts: str) -> None:
    """Give category `id` the parent `parent` (None: the top) in the admin, texts as they are
    unless `texts` says otherwise."""
    values = texts_of(app, id) | texts | {"parent": "" if parent is None else str(parent)}
    answer = edit(boss, id, **values)
    assert answer.status_code == 303, answer.get_data(as_text=True)


def redirect_of(client: Client, url: str) -> str:
    """Where `url` answers 301 to (its path and query); that address itself answers 200."""
    answer = client.get(url)
    assert answer.status_code == 301, (url, answer.status_code)
    target = urlsplit(answer.headers["Location"])
    found = target.path + (f"?{target.query}" if target.query else "")
    assert client.get(found).status_code == 200, found  # one hop: never a chain or a loop
    return found


def old_paths(app: Application) -> dict[tuple[str, str], int]:
    with app.db.session() as db:
        rows = db.scalars(select(OldCategoryPath)).all()
        return {(row.locale, row.path): row.category_id for row in rows}


@pytest.fixture
def shop(app: Application, boss: Client, tree: dict[str, int]) -> Iterator[dict[str, int]]:
    """The tree, Saws translated to Czech too, and a hammer in Saws."""
    move(app, boss, tree["saws"], tree["hand-tools"], name_cs_CZ="Pily", slug_cs_CZ="pily")
    assert a_hammer(boss, app, category=str(tree["saws"])).status_code == 303
    yield tree


def test_a_move_in_the_admin_keeps_the_old_paths_below_it_in_both_locales(
    app: Application, boss: Client, shop: dict[str, int]
) -> None:
    public = Client(app)
    assert public.get("/products/tools/hand-tools/saws").status_code == 200
    assert old_paths(app) == {}  # a new text is no move
    move(app, boss, shop["hand-tools"], shop["garden"])

    assert redirect_of(public, "/products/tools/hand-tools") == "/products/garden/hand-tools"
    assert (
        redirect_of(public, "/products/tools/hand-tools/saws") == "/products/garden/hand-tools/saws"
    )
    # page-N of a list and the query string go along (page 2 of Saws does not exist, but
    # what the new address answers is the new address's business)
    old = public.get("/products/tools/hand-tools/saws/page-2?sort=price&in_stock=1")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(
        "/products/garden/hand-tools/saws/page-2?sort=price&in_stock=1"
    )
    assert (
        redirect_of(public, "/cs/produkty/naradi/rucni-naradi/pily?sort=-name")
        == "/cs/produkty/zahrada/rucni-naradi/pily?sort=-name"
    )
    old = public.get("/cs/produkty/naradi/rucni-naradi/page-3?price_min=10")
    assert old.headers["Location"].endswith("/cs/produkty/zahrada/rucni-naradi/page-3?price_min=10")
    # what did not move is live as it was; a path no category ever had stays a 404
    assert public.get("/products/tools").status_code == 200
    assert public.get("/products/garden/saws").status_code == 404
    assert public.get("/products/tools/saws").status_code == 404
    # a product's URL has no category path: it stays, and its breadcrumb follows the move
    page = public.get("/products/claw-hammer.html").get_data(as_text=True)
    assert 'href="/products/garden/hand-tools/saws"' in page
    assert public.get("/cs/produkty/kladivo.html").status_code == 200
    assert old_paths(app) == {
        ("en_US", "tools/hand-tools"): shop["hand-tools"],
        ("en_US", "tools/hand-tools/saws"): shop["saws"],
        ("cs_CZ", "naradi/rucni-naradi"): shop["hand-tools"],
        ("cs_CZ", "naradi/rucni-naradi/pily"): shop["saws"],
    }


def test_a_category_moved_twice_answers_with_its_newest_path(
    app: Application, boss: Client, shop: dict[str, int]
) -> None:
    public = Client(app)
    move(app, boss, shop["hand-tools"], shop["garden"])
    move(app, boss, shop["hand-tools"], None, slug_en_US="hand-tools-and-saws")  # and renamed
    for old in ("/products/tools/hand-tools/saws", "/products/garden/hand-tools/saws"):
        assert redirect_of(public, old) == "/products/hand-tools-and-saws/saws"
    assert redirect_of(public, "/products/garden/hand-tools") == "/products/hand-tools-and-saws"
    # moved and renamed in one save: the top with the old slug was never its path
    assert public.get("/products/hand-tools").status_code == 404
    for old in ("/cs/produkty/naradi/rucni-naradi", "/cs/produkty/zahrada/rucni-naradi"):
        assert redirect_of(public, old) == "/cs/produkty/rucni-naradi"


def test_a_category_moved_back_is_live_again_and_its_other_path_redirects(
    app: Application, boss: Client, shop: dict[str, int]
) -> None:
    public = Client(app)
    move(app, boss, shop["hand-tools"], shop["garden"])
    move(app, boss, shop["hand-tools"], shop["tools"])
    assert public.get("/products/tools/hand-tools/saws").status_code == 200
    assert public.get("/cs/produkty/naradi/rucni-naradi/pily").status_code == 200
    assert (
        redirect_of(public, "/products/garden/hand-tools/saws") == "/products/tools/hand-tools/saws"
    )
    kept = old_paths(app)
    assert ("en_US", "tools/hand-tools") not in kept  # live again: no old path
    assert kept[("en_US", "garden/hand-tools")] == shop["hand-tools"]


def test_a_new_category_on_an_old_path_wins_and_takes_it_over(
    app: Application, boss: Client, shop: dict[str, int]
) -> None:
    public = Client(app)
    move(app, boss, shop["hand-tools"], shop["garden"], slug_en_US="power-tools")
    answer = add(boss, name_en_US="Hand tools", slug_en_US="hand-tools", parent=str(shop["tools"]))
    assert answer.status_code == 303
    newcomer = id_of(app, "hand-tools")
    page = public.get("/products/tools/hand-tools")
    assert page.status_code == 200  # the live category, not the old path
    assert "/products/tools/hand-tools/saws" not in page.get_data(as_text=True)
    # the moved category's subcategory keeps its old path: the newcomer has no Saws
    assert (
        redirect_of(public, "/products/tools/hand-tools/saws")
        == "/products/garden/power-tools/saws"
    )
    # the newcomer moves away too: the path is its old one now (its newest owner)
    move(app, boss, newcomer, shop["garden"])
    assert redirect_of(public, "/products/tools/hand-tools") == "/products/garden/hand-tools"
    assert old_paths(app)[("en_US", "tools/hand-tools")] == newcomer


def test_a_deleted_category_leaves_no_redirect(
    app: Application, boss: Client, shop: dict[str, int]
) -> None:
    public = Client(app)
    saws = shop["saws"]
    move(app, boss, saws, shop["garden"])
    assert redirect_of(public, "/products/tools/hand-tools/saws") == "/products/garden/saws"
    with app.db.session() as db:  # the hammer out of it (the admin refuses to delete it)
        for product in db.get(Category, saws).products:  # type: ignore[union-attr]
            product.category_id = None
        db.commit()
    url = f"{URL}?delete={saws}"
    answer = boss.post(url, data={"csrf_token": token_of(boss.get(url))}, follow_redirects=True)
    assert "Deleted Saws." in answer.get_data(as_text=True)
    for gone in ("/products/tools/hand-tools/saws", "/products/garden/saws"):
        assert public.get(gone).status_code == 404, gone
    assert public.get("/cs/produkty/naradi/rucni-naradi/pily").status_code == 404
    assert saws not in old_paths(app).values()


def test_a_slug_changed_in_one_locale_redirects_in_that_locale_only(
    app: Application, boss: Client, shop: dict[str, int]
) -> None:
    public = Client(app)
    move(app, boss, shop["tools"], None, slug_cs_CZ="naradi-a-nastroje")
    assert (
        redirect_of(public, "/cs/produkty/naradi/rucni-naradi/pily")
        == "/cs/produkty/naradi-a-nastroje/rucni-naradi/pily"
    )
    assert public.get("/products/tools/hand-tools/saws").status_code == 200
    assert {locale for locale, _ in old_paths(app)} == {"cs_CZ"}
    # a Czech path is no English one
    assert public.get("/products/naradi/rucni-naradi").status_code == 404


def test_a_move_made_by_a_script_is_kept_too(app: Application, shop: dict[str, int]) -> None:
    with app.db.session() as db:
        category = db.get(Category, shop["hand-tools"])
        assert category is not None
        category.parent = db.get(Category, shop["garden"])  # through the relationship
        db.commit()
    public = Client(app)
    assert redirect_of(public, "/products/tools/hand-tools") == "/products/garden/hand-tools"


def test_a_loop_of_parents_made_by_a_script_ends_and_redirects_nowhere(
    app: Application, shop: dict[str, int]
) -> None:
    with app.db.session() as db:  # the admin refuses it; the database does not
        tools = db.get(Category, shop["tools"])
        assert tools is not None
        tools.parent_id = shop["saws"]
        db.commit()
    public = Client(app)
    for url in ("/products/tools", "/products/tools/hand-tools/saws", "/cs/produkty/naradi"):
        assert public.get(url).status_code == 404, url
    assert old_paths(app)[("en_US", "tools")] == shop["tools"]


@pytest.fixture
def cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")


def test_a_cached_page_of_the_old_path_gives_way_to_the_redirect(
    cache_on: None, app: Application, boss: Client, shop: dict[str, int]
) -> None:
    assert app.output_cache.enabled
    public = Client(app)
    old = "/products/tools/hand-tools/saws"
    served = []
    for _ in range(3):  # rendered, then kept (see tests/test_output_cache_catalog.py)
        with statements(app) as run:
            assert public.get(old).status_code == 200
        served.append(len(run))
    assert served[-1] == 0, served  # from the page cache: not a single statement
    move(app, boss, shop["hand-tools"], shop["garden"])
    assert redirect_of(public, old) == "/products/garden/hand-tools/saws"


REVISION = "c5f0a9d3e281"  # application/migrations/versions/c5f0a9d3e281_category_old_paths.py


def test_upgrading_keeps_the_old_paths_that_old_slugs_answered(db_url: str) -> None:
    """Before the revision, an old category URL was put together from old slugs; the
    upgrade writes those paths down, so that they keep answering."""
    from alembic.script import ScriptDirectory

    from tests.conftest import REPO
    from tests.test_example_migrations import jetpy

    before = ScriptDirectory(str(REPO / "application" / "migrations")).get_revision(REVISION)
    assert before is not None and isinstance(before.down_revision, str)
    jetpy("db", "upgrade", before.down_revision)
    engine = sqlalchemy.create_engine(db_url)
    try:
        with engine.begin() as connection:
            run = connection.exec_driver_sql
            run("INSERT INTO catalog_categories (id, parent_id, position) VALUES (1, NULL, 0)")
            run("INSERT INTO catalog_categories (id, parent_id, position) VALUES (2, 1, 0)")
            run("INSERT INTO catalog_categories (id, parent_id, position) VALUES (3, NULL, 0)")
            for id, locale, slug in [
                (1, "en_US", "electronics"),
                (1, "cs_CZ", "elektronika"),
                (2, "en_US", "phones"),  # no Czech text: no Czech URL
                (3, "en_US", "books"),
            ]:
                run(
                    "INSERT INTO catalog_category_texts (category_id, locale, name, slug, "
                    f"description) VALUES ({id}, '{locale}', '{slug}', '{slug}', '')"
                )
            for id, locale, slug in [
                (1, "en_US", "electro"),
                (2, "en_US", "mobiles"),
                (2, "en_US", "books"),  # another category's slug now: that one's
                (1, "cs_CZ", "elektro"),
                (4, "en_US", "gone"),  # a category deleted since
                (2, "en_US", "other"),
            ]:
                run(
                    "INSERT INTO old_slugs (kind, locale, slug, item_id) "
                    f"VALUES ('category', '{locale}', '{slug}', {id})"
                )
            run(
                "INSERT INTO old_slugs (kind, locale, slug, item_id) VALUES ('product', 'en_US', 'handset', 2)"
            )
        jetpy("db", "upgrade")
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT locale, path, category_id FROM catalog_category_old_paths"
            ).all()
    finally:
        engine.dispose()
    assert {(locale, path): id for locale, path, id in rows} == {
        ("en_US", "electro"): 1,
        ("en_US", "electro/phones"): 2,
        ("en_US", "electro/mobiles"): 2,
        ("en_US", "electro/other"): 2,
        ("en_US", "electronics/mobiles"): 2,
        ("en_US", "electronics/other"): 2,
        ("cs_CZ", "elektro"): 1,
    }
    jetpy("db", "downgrade", before.down_revision)


def test_an_old_path_written_meanwhile_by_another_save_gives_way(
    app: Application, shop: dict[str, int]
) -> None:
    """Two saves keeping the same old path at once (a parent renamed while a category below
    it moves) must not fail on the key: the later write wins (old_paths.keep_paths)."""
    from application.classes.catalog.old_paths import keep_paths

    row = {"locale": "en_US", "path": "tools/hand-tools/saws"}
    with app.db.session() as db:
        connection = db.connection()
        connection.execute(keep_paths(connection), [{**row, "category_id": shop["saws"]}])
        connection.execute(keep_paths(connection), [{**row, "category_id": shop["hand-tools"]}])
        db.commit()
    assert old_paths(app)[("en_US", "tools/hand-tools/saws")] == shop["hand-tools"]
