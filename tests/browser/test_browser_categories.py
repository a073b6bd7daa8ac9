"""Categories in a real browser (module catalog.categories.admin), and the products grid's width.

The grid and the form at 1280 and 390 px (screenshots under tests/browser/screenshots/); a
category renamed in the form shows on the public category page; the products grid's row
actions are visible at 1280 px without scrolling sideways.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.browsing import LiveSite, log_in, screenshot

pytestmark = pytest.mark.slow


@pytest.fixture
def narrow(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    yield page
    context.close()


def widths(page: Page) -> dict[str, int]:
    return page.evaluate(  # type: ignore[no-any-return]
        "({page: document.documentElement.scrollWidth, view: window.innerWidth,"
        " table: document.querySelector('table.grid').scrollWidth,"
        " box: document.querySelector('.table-scroll').clientWidth})"
    )


def test_the_products_grid_shows_its_row_actions_at_1280_px(
    page: Page, live_site: LiveSite
) -> None:
    log_in(page, live_site, "boss", "/admin/products/")
    found = widths(page)
    assert found["table"] <= found["box"], found  # nothing to scroll sideways
    delete = page.locator("tbody tr").first.locator(".grid-actions a", has_text="Delete")
    assert delete.is_visible()
    box = delete.bounding_box()
    scroller = page.locator(".table-scroll").bounding_box()
    assert box is not None and scroller is not None
    assert box["x"] + box["width"] <= scroller["x"] + scroller["width"]
    screenshot(page, "admin-products-1280")


def test_the_products_grid_still_fits_390_px(narrow: Page, live_site: LiveSite) -> None:
    log_in(narrow, live_site, "boss", "/admin/products/")
    found = widths(narrow)
    assert found["page"] <= found["view"], found  # the grid scrolls inside its own box
    screenshot(narrow, "admin-products-390")


def test_the_category_grid_and_form_and_a_rename_that_shows_on_the_site(
    page: Page, narrow: Page, live_site: LiveSite
) -> None:
    log_in(page, live_site, "boss", "/admin/categories/")
    assert page.title() == "Categories | Jetpy Admin"
    rows = page.locator("tbody tr")
    assert rows.count() >= 3
    assert page.locator("tbody .tree-depth").count() >= 1  # subcategories are indented
    found = widths(page)
    assert found["table"] <= found["box"], found
    screenshot(page, "admin-categories")

    # a subcategory: its form, then a new name that the public page shows
    row = page.locator("tbody tr", has=page.locator(".tree-depth")).first
    with page.expect_navigation():
        row.locator(".grid-actions a", has_text="Edit").click()
    assert page.locator("#category-parent").is_visible()
    screenshot(page, "admin-category-form")
    page.fill("#category-name_en_US", "")  # an error first: the summary names the field
    with page.expect_navigation():
        page.click("#category-save")
    assert page.locator(".field-error").count() >= 1
    screenshot(page, "admin-category-form-errors")
    page.fill("#category-name_en_US", "Renamed in the browser")
    with page.expect_navigation():
        page.click("#category-save")
    assert page.locator(".flash").count() == 1
    edited = page.locator("tbody tr", has_text="Renamed in the browser")
    with page.expect_navigation():
        edited.locator(".grid-actions a", has_text="View").click()
    slug = page.locator(".details .detail", has_text="Slug (en_US)").locator("dd").inner_text()
    parent = page.locator(".details .detail", has_text="Parent").locator("dd").inner_text()
    assert slug and parent

    log_in(narrow, live_site, "boss", "/admin/categories/")
    found = widths(narrow)
    assert found["page"] <= found["view"], found
    screenshot(narrow, "admin-categories-390")
    narrow.goto(live_site.url("/admin/categories/?add"))
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(narrow, "admin-category-form-390")

    # the public page of the category (found through its parent's page) has the new name
    narrow.goto(live_site.url("/products/"))
    assert narrow.locator("main").count() == 1
    page.goto(live_site.url("/products/"))
    links = page.locator("main a[href^='/products/']")
    texts = [links.nth(i).get_attribute("href") for i in range(links.count())]
    found_page = False
    for href in texts:
        page.goto(live_site.url(str(href)))
        if page.locator("text=Renamed in the browser").count():
            found_page = True
            break
    assert found_page, "a top category's page names the renamed subcategory"


def test_the_pricelists_grid_and_form(page: Page, narrow: Page, live_site: LiveSite) -> None:
    log_in(page, live_site, "boss", "/admin/pricelists/")
    assert page.title() == "Pricelists | Jetpy Admin"
    assert page.locator("tbody tr").count() >= 2
    found = widths(page)
    assert found["table"] <= found["box"], found
    screenshot(page, "admin-pricelists")
    page.goto(live_site.url("/admin/pricelists/?add"))
    page.fill("#pricelist-code", "usd")
    page.fill("#pricelist-currency", "USD")
    page.fill("#pricelist-vat_rates", "20, 0")
    page.fill("#pricelist-default_vat_rate", "15")
    with page.expect_navigation():
        page.click(".form-actions button[type=submit]")
    assert "Choose one of the VAT rates above." in page.inner_text(".field-error")
    screenshot(page, "admin-pricelist-form-errors")
    log_in(narrow, live_site, "boss", "/admin/pricelists/?add")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(narrow, "admin-pricelist-form-390")
