"""Category pages of the public catalog are paged like the article list (the demo data:
Electronics holds 84 products, 24 a page)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import Client

from application.classes.paging import page_of_items, pager
from tests.conftest import SeededSite

CARD = re.compile(r'<li class="card product')


@pytest.fixture
def site(seeded_site: SeededSite) -> Client:
    return Client(seeded_site.app)


def text_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_category_shows_its_first_page_with_a_pager(site: Client) -> None:
    page = text_of(site, "/products/electronics")
    assert len(CARD.findall(page)) == 24
    assert "Products: 84 · page 1 of 4" in page
    assert '<a href="/products/electronics/page-2">2</a>' in page
    assert '<a rel="next" href="/products/electronics/page-2">' in page
    assert 'rel="prev"' not in page


def test_the_next_pages_have_their_path_title_and_breadcrumb(site: Client) -> None:
    page = text_of(site, "/products/electronics/page-4")
    assert len(CARD.findall(page)) == 84 - 3 * 24
    assert "<title>Electronics, page 4 |" in page
    assert '<a rel="prev" href="/products/electronics/page-3">' in page
    assert 'rel="next"' not in page
    assert 'aria-current="page">4</a>' in page
    assert '<a href="/products/electronics">Electronics</a>' in page  # the crumb links page 1
    # the other locale's twin is the same page of the same category
    assert 'hreflang="cs-CZ" href="http://localhost/cs/produkty/elektronika/page-4"' in page
    czech = text_of(site, "/cs/produkty/elektronika/page-2")
    assert "Elektronika, strana 2" in czech and "strana 2 z 4" in czech


def test_page_one_has_one_url_and_pages_past_the_end_are_404(site: Client) -> None:
    moved = site.get("/products/electronics/page-1?sort=price&in_stock=1")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/products/electronics?sort=price&in_stock=1")
    for path in ("page-5", "page-0", "page-01", "page-x", "page-1/page-2"):
        assert site.get(f"/products/electronics/{path}").status_code == 404, path


def test_every_page_link_keeps_the_filters(site: Client) -> None:
    page = text_of(site, "/products/electronics?sort=-price")
    assert '<a href="/products/electronics/page-2?sort=-price">2</a>' in page
    second = text_of(site, "/products/electronics/page-2?sort=-price")
    assert '<a rel="prev" href="/products/electronics?sort=-price">' in second


def test_a_short_category_has_no_pager(site: Client) -> None:
    page = text_of(site, "/products/books")
    assert 'class="pager"' not in page and "page 1 of" not in page


def test_page_of_items_and_pager_numbers() -> None:
    items = list(range(10))
    assert page_of_items(items, 2, 4).items == [4, 5, 6, 7]
    assert page_of_items(items, 4, 4).out_of_range
    assert pager(6, 12) == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert pager(1, 3) == [1, 2, 3]


# paged in SQL (a name sort without filters) or in Python: the same pages -------------------
TRICKY = [  # case, accents, ligatures and ties that only the code breaks
    "Čaj", "caj", "Caj", "Zebra", "éclair", "Eclair", "eclair", "Ärger", "Straße", "strasse",
    "ǅemal", "Ωmega", "alpha", "Alpha", "10 nails", "2 nails", "ﬁsh", "Fish", "Ångström", "zoo",
]  # fmt: skip


def test_sql_paging_gives_the_pages_python_paging_gives(db_engine: sqlalchemy.Engine) -> None:
    from application.classes.catalog import (
        Category,
        CategoryText,
        Product,
        ProductFilter,
        ProductText,
        Sort,
        category_products,
        descendant_ids,
    )
    from application.modules.catalog.products.browser.controllers import Shop, products_page
    from tests.test_catalog_browser import TODAY, seed

    with Session(db_engine) as session:
        seed(session)
        czk, eur = session.info["pricelists"]
        by_slug = {t.slug: t.category for t in session.scalars(select(CategoryText))}
        places = [by_slug["electronics"], by_slug["phones"], by_slug["rugged"], by_slug["books"]]
        for n, name in enumerate(TRICKY):
            texts = [ProductText(locale="en_US", name=name, slug=f"tricky-{n}")]
            if n % 5:  # every fifth is not translated to Czech: not in the Czech lists
                texts.append(ProductText(locale="cs_CZ", name=name.upper(), slug=f"zaludny-{n}"))
            # codes in an order unlike the names', so that ties are broken by the code
            code = f"{chr(ord('Z') - n)}-{n}"
            session.add(Product(code=code, category=places[n % 4], texts=texts))
        session.commit()
        electronics = session.get(Category, by_slug["electronics"].id)
        assert electronics is not None
        below = descendant_ids(session, electronics)
        for locale, pricelist, availability in (("en_US", eur, "EU"), ("cs_CZ", czk, "CZ")):
            shop = Shop(locale, pricelist, availability, TODAY)
            everything = shop.offers(category_products(session, electronics, locale))
            for sort in (Sort.NAME, Sort.NAME_DESC):
                ordered = ProductFilter(sort=sort).apply(everything)
                for per_page in (1, 4, 7, 50):
                    pages = -(-len(ordered) // per_page)
                    for number in range(1, pages + 2):  # and one past the end
                        paged = products_page(
                            session, shop, below, ProductFilter(sort=sort), number, per_page
                        )
                        expected = page_of_items(ordered, number, per_page)
                        assert paged.total == expected.total == len(ordered)
                        assert paged.out_of_range == expected.out_of_range
                        assert [o.product.code for o in paged.items] == [
                            o.product.code for o in expected.items
                        ], (locale, sort, per_page, number)
