"""The admin's design system in a real browser: axe-core on every admin page, a form error
shown inline and in the summary naming the field, the product grid, the current menu item
and an empty grid at 390 px.

axe-core is vendored (tests/browser/vendor/axe.min.js, version and licence in
tests/browser/vendor/README.md) and evaluated in the page through Playwright, which the
Content-Security-Policy does not govern: the tests work offline and change nothing in the site.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.browsing import LiveSite, log_in, screenshot

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# pages where even a moderate violation fails (the grid, form, dashboard and login)
STRICT = ("/admin/", "/admin/products/", "/admin/products/?add")
STRICT_FORM = "/admin/articles/?edit="
NEVER = ("logout", "export=", "history=")  # not pages to look at (a POST, a CSV, a long list)
MOST_PAGES = 60


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.x A and AA, best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => ({violations: r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))}))"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def kind_of(url: str) -> str:
    """One page of each kind: the path and the names (not values) of its query."""
    parts = urlsplit(url)
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return parts.path + "?" + "&".join(names)


def admin_pages(page: Page, live: LiveSite) -> Iterator[str]:
    """The admin's pages reachable by links from the dashboard, one of each kind."""
    seen: set[str] = set()
    queue = [live.url("/admin/")]
    while queue and len(seen) < MOST_PAGES:
        url = queue.pop(0)
        if kind_of(url) in seen:
            continue
        seen.add(kind_of(url))
        page.goto(url)
        yield url
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            href = href.split("#")[0]
            if (
                href.startswith(live.url("/admin/"))
                and not any(word in href for word in NEVER)
                and kind_of(href) not in seen
            ):
                queue.append(href)


def problems_of(violations: list[dict[str, Any]], strict: bool) -> list[dict[str, Any]]:
    impacts = ("moderate", "serious", "critical") if strict else ("serious", "critical")
    return [v for v in violations if v["impact"] in impacts]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation_on_any_admin_page(
    browser: Browser, live_site: LiveSite, scheme: str
) -> None:
    context = browser.new_context(
        locale="en-US", viewport={"width": 1280, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    try:
        page.goto(live_site.url("/admin/"))
        login = problems_of(axe_violations(page), strict=True)
        assert login == [], ("login", login)
        log_in(page, live_site, "boss")
        found: dict[str, list[dict[str, Any]]] = {}
        visited = []
        for url in admin_pages(page, live_site):
            visited.append(url)
            path = url.removeprefix(live_site.root)
            strict = path in STRICT or path.startswith(STRICT_FORM)
            problems = problems_of(axe_violations(page), strict)
            if problems:
                found[path] = problems
        assert len(visited) >= 15, visited  # grids, forms, views, deletes of every module
        assert found == {}
    finally:
        context.close()


def test_a_form_error_shows_inline_and_in_the_summary_naming_the_field(
    page: Page, live_site: LiveSite
) -> None:
    log_in(page, live_site, "boss", "/admin/articles/?add")
    title = "#article-title_en_US"
    page.eval_on_selector(title, "field => field.removeAttribute('maxlength')")
    page.fill(title, "x" * 201)
    with page.expect_navigation():
        page.click("#article-save")
    summary = page.locator("#form-errors")
    assert summary.is_visible()
    assert "Title (English): Cannot be longer than 200 characters." in summary.inner_text()
    # the summary has the focus (a screen reader reads it first) and links to the field
    assert page.evaluate("document.activeElement.id") == "form-errors"
    field = page.locator(title)
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby") or ""
    error = page.locator(f"#{described.split()[0]}")
    assert error.inner_text() == "Cannot be longer than 200 characters."
    assert error.is_visible()
    page.click(f"#form-errors a[href='{title}']")
    assert page.evaluate("document.activeElement.id") == title[1:]
    screenshot(page, "admin-article-form-error")


def test_a_price_error_names_the_pricelist_and_the_range(page: Page, live_site: LiveSite) -> None:
    log_in(page, live_site, "boss", "/admin/products/?add")
    page.fill("#product-code", "UI-NEG-1")
    page.fill("#product-name_en_US", "Negative")
    page.fill("#product-price_CZK", "-5")
    with page.expect_navigation():
        page.click("#product-save")
    assert "Price with VAT (CZK): Must be between 0 and 9,999,999,999." in page.inner_text(
        "#form-errors"
    )
    assert page.title() == "Add product | Jetpy Admin"
    # an empty preview shows dashes (drawn by admin.css), never "Net: · VAT: · Gross: CZK"
    assert page.inner_text("#product-preview-EUR").split() == ["Net", "VAT", "Gross", "Discount"]
    drawn = page.eval_on_selector_all(
        "#product-preview-EUR output[data-preview]:not(.field-error)",
        "outs => outs.map(o => getComputedStyle(o, '::before').content)",
    )
    assert drawn == ['"—"'] * 4


def test_the_product_grid_fits_390_px_without_page_overflow(
    browser: Browser, live_site: LiveSite
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_site, "boss", "/admin/products/")
        widths = page.evaluate(
            "({page: document.documentElement.scrollWidth, view: window.innerWidth,"
            " table: document.querySelector('table.grid').scrollWidth,"
            " box: document.querySelector('.table-scroll').clientWidth})"
        )
        assert widths["page"] <= widths["view"], widths  # the page itself never scrolls sideways
        assert widths["table"] > widths["box"]  # the grid scrolls inside its own box
        # the menu stays one line (it scrolls sideways instead of wrapping)
        heights = page.evaluate(
            "[...document.querySelectorAll('.admin-menu li:not(.separator)')]"
            ".map(li => li.getBoundingClientRect().top)"
        )
        assert len(set(heights)) == 1, heights
        # the pager and the per-page select stay apart and usable
        assert page.locator(".pager a[aria-current=page]").inner_text() == "1"
        assert page.locator("#grid-per-page").is_visible()
        screenshot(page, "admin-product-grid-390")
    finally:
        context.close()


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    """Whether the box `inner` (a DOMRect as a dict) lies within `outer` horizontally."""
    return outer["left"] <= inner["left"] and inner["right"] <= outer["right"]


def test_at_390_px_the_current_menu_item_and_an_empty_grid_are_in_view(
    browser: Browser, live_site: LiveSite
) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    page = context.new_page()
    rect = "e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right}; }"
    try:
        # Redirects comes late in the menu: at 390 px it starts beyond the right edge
        log_in(page, live_site, "boss", "/admin/redirects/?q=no-such-redirect-anywhere")
        current = page.locator(".admin-menu a[aria-current=page]")
        assert current.inner_text() == "Redirects"
        assert inside(current.evaluate(rect), page.locator(".admin-menu").evaluate(rect))
        # the table is wider than its box; the empty state is drawn in the box, not across it
        box = page.locator(".table-scroll")
        assert page.locator("table.grid").evaluate("t => t.scrollWidth") > box.evaluate(
            "b => b.clientWidth"
        )
        title = page.locator(".grid-empty .empty-title")
        assert title.inner_text() == "Nothing found."
        assert inside(title.evaluate(rect), box.evaluate(rect))
        assert inside(page.locator(".grid-empty a.button").evaluate(rect), box.evaluate(rect))
        screenshot(page, "admin-empty-grid-390")
    finally:
        context.close()


def test_the_grid_is_usable_by_keyboard(page: Page, live_site: LiveSite) -> None:
    log_in(page, live_site, "boss", "/admin/articles/")
    page.focus("#grid-q")
    page.keyboard.type("first look")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=first+look" in page.url
    # select all rows with the header checkbox (shown by the admin script)
    page.check("[data-select-all]")
    boxes = page.locator("input[name=ids]")
    assert boxes.count() > 0
    assert all(boxes.nth(n).is_checked() for n in range(boxes.count()))
    # a visible focus ring on the focused control
    page.focus("#grid-q")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
