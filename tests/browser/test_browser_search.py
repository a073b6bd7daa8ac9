"""A visitor searches from the header's box, reads highlighted results, pages through them
and opens one; the same on a phone-sized screen and in Czech."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import LiveSite, screenshot

pytestmark = pytest.mark.slow


def test_searching_from_the_header_box_pages_and_opens_a_result(
    page: Page, live_site: LiveSite
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_site.url("/articles/"))
    box = page.get_by_role("searchbox", name="Search the site")
    box.fill("modul")  # the beginning of a word is enough
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == live_site.url("/search/?q=modul")
    assert page.inner_text("h1") == "Search"
    assert page.input_value("#search-page-q") == "modul"  # the query stays in the boxes
    assert page.input_value("#site-search-q") == "modul"
    count = page.inner_text(".search-count")
    assert "results for “modul”" in count and "page 1 of" in count
    marks = page.locator(".search-results mark")
    assert marks.count() > 5
    assert all(text.lower().startswith("modul") for text in marks.all_inner_texts())
    assert page.locator(".search-result").count() == 10
    screenshot(page, "search-results")

    with page.expect_navigation():
        page.click(".pager a[href*='page-2']")
    assert page.url == live_site.url("/search/page-2?q=modul")
    assert "page 2 of" in page.inner_text(".search-count")
    first = page.locator(".search-result h2 a").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.inner_text("h1") == title
    assert "/articles/" in page.url or "/products/" in page.url


def test_a_phone_searches_in_czech_and_gets_a_correction(page: Page, live_site: LiveSite) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_site.url("/cs/"))
    box = page.get_by_role("searchbox", name="Hledat na webu")
    box_width = box.bounding_box()
    assert box_width is not None and box_width["width"] > 250  # a line of its own
    box.fill("sluchatka")  # without accents, as phones often type
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == live_site.url("/cs/hledani/?q=sluchatka")
    assert "Výsledky pro „sluchatka“" in page.inner_text(".search-count")
    assert "sluchátka" in [
        text.lower() for text in page.locator(".search-results mark").all_inner_texts()
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sideways
    screenshot(page, "search-results-phone")

    page.fill("#search-page-q", "sluchatak")  # a typo
    with page.expect_navigation():
        page.click(".search-form button")
    assert "Zobrazujeme výsledky pro" in page.inner_text(".search-corrected")
    assert page.locator(".search-result").count() > 0
