"""Category pages of the public catalog are paged like the article list (the demo data:
Electronics holds 84 products, 24 a page)."""

from __future__ import annotations

import re

import pytest
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
