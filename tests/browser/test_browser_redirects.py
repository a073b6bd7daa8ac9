"""The redirects list (module web.redirects) in a real browser: the form refuses an unsafe
target in the design system's error summary, the grid lists the saved redirect, the visitor's
browser follows it; axe-core finds nothing on the grid and the form. Screenshots:
tests/browser/screenshots/admin-redirects-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import LiveSite, log_in, screenshot
from tests.browser.test_browser_admin_ui import axe_violations, problems_of

pytestmark = pytest.mark.slow


def test_add_a_redirect_and_follow_it(page: Page, live_site: LiveSite) -> None:
    log_in(page, live_site, "boss", "/admin/redirects/?add")
    assert problems_of(axe_violations(page), strict=True) == []
    page.fill("#redirect-source", "/browser-old-news/")
    page.fill("#redirect-target", "javascript:alert(1)")
    page.fill("#redirect-note", "The news moved to the articles")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    summary = page.locator("#form-errors")
    assert summary.is_visible()
    assert "http:// or https://" in summary.inner_text()
    assert page.locator("#redirect-target").get_attribute("aria-invalid") == "true"
    screenshot(page, "admin-redirects-form-error")

    page.fill("#redirect-target", "/articles/")
    page.select_option("#redirect-status", "308")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "/admin/redirects/" in page.url and "?" not in page.url
    row = page.locator("tr", has_text="/browser-old-news")
    assert row.is_visible()
    assert "308" in row.inner_text() and "/articles/" in row.inner_text()
    actions = row.locator("td.grid-actions a")
    assert actions.count() == 3 and actions.last.is_visible()  # no horizontal scrolling
    assert page.evaluate(
        "(t => t.scrollWidth <= t.parentElement.clientWidth)(document.querySelector('table'))"
    )
    assert problems_of(axe_violations(page), strict=True) == []
    screenshot(page, "admin-redirects-grid")

    page.goto(live_site.url("/browser-old-news?x=1"))  # a visitor's browser follows it
    assert page.url == live_site.url("/articles/?x=1")
    page.goto(live_site.url("/admin/redirects/?q=browser-old-news"))
    assert page.locator("tr", has_text="/browser-old-news").locator("td").nth(4).inner_text() == "1"
    page.locator("tr", has_text="/browser-old-news").get_by_role("link", name="View").click()
    assert "The news moved to the articles" in page.inner_text("main")
    screenshot(page, "admin-redirects-view")
    screenshot(page, "admin-redirects-hit")
