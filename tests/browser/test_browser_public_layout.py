"""The public site's layout at 1280 and 390 px, as a visitor's browser draws it.

What a test on the HTML cannot see: a CSS rule the browser drops (an empty side column kept
its 280 px because the rule that removes it nested :has() in :has()), a page wider than a
phone, a menu item cut off at the screen's edge, product cards one a row on a phone.
Screenshots under tests/browser/screenshots/public-*.png.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import LiveSite, screenshot

pytestmark = pytest.mark.slow

CATEGORY = "/products/electronics"
PRODUCT = "/products/bread-at-home-hardcover.html"
ARTICLE = "/articles/bases-and-locales.html"
PAGES = ["/", "/articles/", "/products/", CATEGORY, PRODUCT, ARTICLE, "/search/?q=module"]


def width(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not drawn on {page.url}"
    return box["width"]


def test_a_page_without_side_content_uses_the_whole_width(page: Page, live_site: LiveSite) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_site.url(CATEGORY))
    assert width(page, "main") == width(page, ".columns")  # no empty side column beside it
    tops = [card.bounding_box() for card in page.locator(".product-card").all()[:4]]
    assert len({box["y"] for box in tops if box}) == 1, "four product cards share the first row"
    screenshot(page, "public-category")

    page.goto(live_site.url(PRODUCT))
    media, buy = page.locator(".product-media").bounding_box(), page.locator(".product-buy")
    buy_box = buy.bounding_box()
    assert media and buy_box and buy_box["x"] > media["x"] + media["width"]  # prices beside
    screenshot(page, "public-product")

    # filtered with a wrong price: the message, the price marked, and the whole filter bar
    # ("Clear the filters" included) on one line in both languages
    for path in (f"{CATEGORY}?price_min=12x&price_max=80", "/cs/produkty/elektronika?price_min=x"):
        page.goto(live_site.url(path))
        middles = set()
        for selector in (".filters .check", ".filters select", ".filter-actions a"):
            box = page.locator(selector).bounding_box()
            assert box is not None, (path, selector)
            middles.add(round(box["y"] + box["height"] / 2))
        assert len(middles) == 1, (path, middles)
    page.goto(live_site.url(f"{CATEGORY}?price_min=12x&price_max=80"))
    assert page.locator("#filter-errors li").inner_text().startswith("“Price from”")
    marked = page.locator('input[name="price_min"]').evaluate(
        "e => getComputedStyle(e).borderColor"
    )
    plain = page.locator('input[name="price_max"]').evaluate("e => getComputedStyle(e).borderColor")
    assert marked != plain
    screenshot(page, "public-category-filter-error")

    page.goto(live_site.url(ARTICLE))  # the latest articles are in the side column here
    assert page.locator(".side .box").is_visible()
    assert width(page, "main") < width(page, ".columns") - width(page, ".side")


def test_on_a_phone_nothing_is_wider_than_the_screen(page: Page, live_site: LiveSite) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    for path in PAGES:
        page.goto(live_site.url(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        for link in page.locator(".main-menu a").all():  # the menu wraps, nothing cut off
            box = link.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (path, box)

    page.goto(live_site.url(CATEGORY))
    first, second = (card.bounding_box() for card in page.locator(".product-card").all()[:2])
    assert first and second and first["y"] == second["y"], "two product cards a row"
    screenshot(page, "public-category-390")
