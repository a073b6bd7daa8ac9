"""Exact purges of the catalog's cached output (application/classes/catalog/cache_tags.py).

A page served from the cache runs no SQL statement, a page rendered again runs some: that is
how these tests tell a hit from a miss. A change purges the pages that showed what changed
and leaves the others cached.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.test import Client

from application.classes.catalog import Category, CategoryText, Pricelist
from application.classes.catalog.cache_tags import emit_catalog_changes
from jetpy import Application
from tests.test_catalog_products_admin import a_hammer, add, app, boss, category_id, product_id
from tests.test_catalog_statements import statements
from tests.test_output_cache_site import _cache_on, edit

__all__ = ["_cache_on", "app", "boss"]  # fixtures

A, B = "/products/claw-hammer.html", "/products/rake.html"
A_CS = "/cs/produkty/kladivo.html"
KIT = "/products/kit.html"
TOOLS, GARDEN, TOP = "/products/tools", "/products/garden", "/products/"


@pytest.fixture
def shop(app: Application, boss: Client) -> Iterator[Client]:
    """Hammer A and a kit holding it in Tools, rake B in Garden; a visitor without cookies."""
    with app.db.session() as db:
        db.add(
            Category(
                texts=[
                    CategoryText(locale="en_US", name="Garden", slug="garden"),
                    CategoryText(locale="cs_CZ", name="Zahrada", slug="zahrada"),
                ]
            )
        )
        db.commit()
        garden = db.scalar(select(CategoryText.category_id).where(CategoryText.slug == "garden"))
    assert a_hammer(boss, app).status_code == 303
    rake = {"code": "RAKE", "name_en_US": "Rake", "price_CZK": "300", "price_EUR": "12"}
    assert add(boss, **rake, category=str(garden), units_EU="3").status_code == 303
    kit = {"code": "KIT", "name_en_US": "Kit", "kind": "set", "set_items": "HAM-1 1"}
    assert add(boss, **kit, category=category_id(app)).status_code == 303  # in Tools
    yield Client(app)


def cached(app: Application, client: Client, *urls: str) -> dict[str, bool]:
    """URL → whether it was answered from the cache (without a single SQL statement)."""
    found = {}
    for url in urls:
        with statements(app) as run:
            response = client.get(url)
        assert response.status_code == 200, url
        found[url] = not run
    return found


def warm(app: Application, client: Client, *urls: str) -> None:
    for url in urls:
        client.get(url)
    assert all(cached(app, client, *urls).values()), "the pages are cached"


PAGES = (A, A_CS, B, KIT, TOOLS, GARDEN, TOP, "/")


def test_saving_product_a_purges_its_pages_and_lists_but_not_product_b(
    app: Application, boss: Client, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    edit(boss, app, name_en_US="Big hammer")
    hits = cached(app, shop, *PAGES)
    assert not hits[A] and not hits[TOOLS]  # its page, its category's list
    assert not hits[KIT]  # the kit names its item
    assert hits[B] and hits[GARDEN] and hits[TOP]  # unrelated: still cached
    assert "Big hammer" in shop.get(A).get_data(as_text=True)
    assert "Big hammer" in shop.get(TOOLS).get_data(as_text=True)


def test_price_discount_and_stock_purge_the_product_its_sets_and_the_featured(
    app: Application, boss: Client, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    edit(boss, app, price_CZK="99.50")
    hits = cached(app, shop, *PAGES)
    assert not hits[A_CS] and not hits[KIT] and not hits["/"]  # the featured products
    assert hits[B] and hits[GARDEN] and hits[TOP]
    assert "99,50" in shop.get(A_CS).get_data(as_text=True)

    warm(app, shop, *PAGES)
    edit(boss, app, price_CZK="99.50", before_CZK="")  # the discount ends
    assert "150,00" not in shop.get(A_CS).get_data(as_text=True)
    assert cached(app, shop, B)[B]

    warm(app, shop, *PAGES)
    edit(boss, app, price_CZK="99.50", before_CZK="", units_EU="4")  # stock: availability
    assert "In stock" in shop.get(A).get_data(as_text=True)
    hits = cached(app, shop, KIT, B)
    assert not hits[KIT] and hits[B]  # the kit's availability comes from its items


def test_moving_a_product_purges_both_categories(
    app: Application, boss: Client, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    with app.db.session() as db:
        garden = db.scalar(select(CategoryText.category_id).where(CategoryText.slug == "garden"))
    edit(boss, app, category=str(garden))
    hits = cached(app, shop, *PAGES)
    assert not hits[TOOLS] and not hits[GARDEN] and not hits[A]
    assert hits[B] and hits[TOP]
    assert "Claw hammer" in shop.get(GARDEN).get_data(as_text=True)
    assert "Claw hammer" not in shop.get(TOOLS).get_data(as_text=True)


def test_category_rename_and_move_and_pricelist_change_show_at_once(
    app: Application, shop: Client
) -> None:
    warm(app, shop, *PAGES)
    with app.db.session() as db:  # a script (the admin: test_output_cache_categories.py)
        text = db.scalar(select(CategoryText).where(CategoryText.slug == "tools"))
        assert text is not None
        text.name = "Hand tools"
        db.commit()
        emit_catalog_changes(app, db)
    hits = cached(app, shop, *PAGES)
    assert not hits[TOOLS] and not hits[A] and not hits[TOP]  # list, breadcrumb, top list
    assert hits[B] and hits[GARDEN] and hits[A_CS] is False  # the Czech breadcrumb: same row
    assert "Hand tools" in shop.get(A).get_data(as_text=True)

    warm(app, shop, *PAGES)
    with app.db.session() as db:  # Garden goes below Tools
        tools, garden = (
            db.scalar(select(CategoryText.category_id).where(CategoryText.slug == slug))
            for slug in ("tools", "garden")
        )
        moved = db.get(Category, garden)
        assert moved is not None
        moved.parent_id = tools
        db.commit()
        emit_catalog_changes(app, db)
    hits = cached(app, shop, TOOLS, TOP, "/")
    assert not hits[TOOLS] and not hits[TOP] and hits["/"]
    assert "Garden" in shop.get(TOOLS).get_data(as_text=True)  # a subcategory now
    old = shop.get(GARDEN)  # its path is tools/garden now: the cached page gives way to 301
    assert old.status_code == 301 and old.headers["Location"].endswith("/products/tools/garden")
    assert "Rake" in shop.get("/products/tools/garden").get_data(as_text=True)

    warm(app, shop, A, A_CS)
    with app.db.session() as db:
        czk = db.scalar(select(Pricelist).where(Pricelist.code == "CZK"))
        assert czk is not None
        czk.precision = 0
        db.commit()
        emit_catalog_changes(app, db)
    hits = cached(app, shop, A, A_CS)
    assert not hits[A_CS] and hits[A]  # the Czech pages show CZK; the English EUR
    assert "121 Kč" in shop.get(A_CS).get_data(as_text=True).replace("\xa0", " ")


def test_a_rest_write_purges_exactly_too(app: Application, shop: Client) -> None:
    from tests.test_rest_products import Writers, json_of, send

    app.bases["rest"].auth = Writers()
    try:
        warm(app, shop, *PAGES)
        path = f"/rest/products/{product_id(app, 'RAKE')}"
        before = json_of(shop.get(path))
        body = {
            "code": before["code"],
            "category_id": before["category"]["id"],
            "texts": {"en_US": {"name": "Garden rake", "slug": "rake"}},
            "prices": {"EUR": {"amount": "15.00"}, "CZK": {"amount": "300"}},
        }
        json_of(send(shop, "PUT", path, body))
        hits = cached(app, shop, *PAGES)
        assert not hits[B] and not hits[GARDEN]  # the rake's page and its category's list
        assert hits[A] and hits[TOOLS] and hits[KIT]
        assert "Garden rake" in shop.get(B).get_data(as_text=True)
    finally:
        app.bases["rest"].auth = None
