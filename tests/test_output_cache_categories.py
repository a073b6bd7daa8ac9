"""Category and pricelist edits in the admin (catalog.categories.admin, catalog.pricelists.admin)
purge exactly, with the output cache on.

As in test_output_cache_catalog.py, a page answered without a single SQL statement came from
the cache: a rename or a move shows at once on the pages that show the category, and the
pages of an unrelated category stay cached.
"""

from __future__ import annotations

from werkzeug.test import Client

from jetpy import Application
from tests.test_catalog_categories_admin import edit, id_of
from tests.test_catalog_pricelists_admin import edit as edit_pricelist
from tests.test_catalog_pricelists_admin import pricelist
from tests.test_output_cache_catalog import (
    A_CS,
    GARDEN,
    KIT,
    PAGES,
    TOOLS,
    TOP,
    A,
    B,
    _cache_on,
    app,
    boss,
    cached,
    shop,
    warm,
)

__all__ = ["_cache_on", "app", "boss", "shop"]  # fixtures


def test_renaming_a_category_in_the_admin_shows_at_once_and_leaves_others_cached(
    app: Application, boss: Client, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    tools = id_of(app, "tools")
    answer = edit(boss, tools, name_en_US="Hand tools", slug_en_US="tools", name_cs_CZ="Nářadí")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    hits = cached(app, shop, *PAGES)
    assert not hits[TOOLS] and not hits[TOP]  # its page, the top list
    assert not hits[A] and not hits[KIT]  # the breadcrumbs of its products
    assert hits[B] and hits[GARDEN] and hits["/"]  # another category and its product
    assert "Hand tools" in shop.get(TOOLS).get_data(as_text=True)
    assert "Hand tools" in shop.get(A).get_data(as_text=True)
    assert "Hand tools" in shop.get(TOP).get_data(as_text=True)
    assert "Hand tools" not in shop.get(A_CS).get_data(as_text=True)  # Czech name unchanged


def test_a_new_slug_and_a_move_in_the_admin_show_at_once(
    app: Application, boss: Client, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    garden, tools = id_of(app, "garden"), id_of(app, "tools")
    answer = edit(boss, garden, name_en_US="Garden", slug_en_US="yard", name_cs_CZ="Zahrada")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    hits = cached(app, shop, TOP, B, TOOLS, A)
    assert not hits[TOP] and not hits[B]  # the top list's link, the rake's breadcrumb link
    assert hits[TOOLS] and hits[A]
    assert 'href="/products/yard"' in shop.get(TOP).get_data(as_text=True)
    moved = shop.get(GARDEN)
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/products/yard")

    warm(app, shop, TOOLS, TOP, A, B, "/")
    answer = edit(
        boss, garden, name_en_US="Garden", slug_en_US="yard", parent=str(tools), position="3"
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    hits = cached(app, shop, TOOLS, TOP, A, B, "/")
    assert not hits[TOOLS] and not hits[TOP] and not hits[B]  # old and new parent, trail
    assert hits["/"]  # (A's page goes too: its breadcrumb carries Tools' tag)
    assert 'href="/products/tools/yard"' in shop.get(TOOLS).get_data(as_text=True)
    assert "Rake" in shop.get(TOOLS).get_data(as_text=True)  # Tools lists what is below it
    assert "Garden" not in shop.get(TOP).get_data(as_text=True).split("<main", 1)[1]
    assert "Rake" in shop.get("/products/tools/yard").get_data(as_text=True)


def test_a_pricelist_saved_in_the_admin_purges_the_pages_of_its_prices(
    app: Application, boss: Client, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    czk = pricelist(app, "CZK")
    values = {"code": "CZK", "currency": "CZK", "vat_rates": "21, 12, 0", "default_vat_rate": "21"}
    answer = edit_pricelist(boss, czk.id, **values, precision="0", prices_include_vat="y")
    assert answer.status_code == 303, answer.get_data(as_text=True)
    hits = cached(app, shop, *PAGES)
    assert not hits[A_CS]  # the Czech pages sell in CZK
    assert hits[A] and hits[B] and hits[TOOLS] and hits[TOP]  # the English ones in EUR
    assert "121 Kč" in shop.get(A_CS).get_data(as_text=True).replace("\xa0", " ")


def test_adding_and_deleting_a_subcategory_in_the_admin_purges_its_parent(
    app: Application, boss: Client, shop: Client
) -> None:
    from tests.test_catalog_categories_admin import add, token_of

    warm(app, shop, *PAGES)
    tools = id_of(app, "tools")
    assert add(boss, name_en_US="Saws", parent=str(tools)).status_code == 303
    hits = cached(app, shop, *PAGES)
    # (the top list goes too: `category:<id>` of Tools is also the tag of its subcategories)
    assert not hits[TOOLS] and hits[GARDEN] and hits[B] and hits["/"]
    assert 'href="/products/tools/saws"' in shop.get(TOOLS).get_data(as_text=True)

    warm(app, shop, *PAGES)
    url = f"/admin/categories/?delete={id_of(app, 'saws')}"
    answer = boss.post(url, data={"csrf_token": token_of(boss.get(url))})
    assert answer.status_code == 303
    hits = cached(app, shop, *PAGES)
    assert not hits[TOOLS] and hits[GARDEN] and hits[B]
    assert "/products/tools/saws" not in shop.get(TOOLS).get_data(as_text=True)
    assert shop.get("/products/tools/saws").status_code == 404
