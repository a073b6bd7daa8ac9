"""The Content-Security-Policy in a real browser: nothing on the pages is refused by it, and the
admin product form's live price preview (a script file, no inline script) still works."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.browsing import LiveSite, log_in

pytestmark = pytest.mark.slow


@pytest.fixture
def refusals(page: Page) -> Iterator[list[str]]:
    """What the browser refused because of the policy (it says so on the console)."""
    found: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", seen)
    yield found


@pytest.mark.parametrize("path", ["/", "/articles/", "/products/", "/contact/", "/admin/"])
def test_public_pages_and_the_login_form_break_no_rule_of_the_policy(
    page: Page, live_site: LiveSite, refusals: list[str], path: str
) -> None:
    response = page.goto(live_site.url(path))
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page.wait_for_load_state("load")
    assert refusals == []


def test_the_price_preview_works_under_the_policy(
    page: Page, live_site: LiveSite, refusals: list[str]
) -> None:
    log_in(page, live_site, "boss", "/admin/products/")
    response = page.goto(live_site.url("/admin/products/?add=1"))
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    # EUR prices are without VAT: 100 net at 21 % is 121 gross, asked of the module as one types
    page.fill("#product-price_EUR", "100")
    page.select_option("#product-rate_EUR", "21")
    expect(page.locator("#product-preview-EUR-gross")).to_have_text("121.00")
    expect(page.locator("#product-preview-EUR-vat")).to_have_text("21.00")
    assert refusals == []


def test_jetpy_s_plain_error_page_keeps_its_style(
    page: Page, live_site: LiveSite, refusals: list[str]
) -> None:
    # the admin base has no 400.html: jetpy's own page answers, its inline style allowed by hash
    response = page.goto(live_site.url("/admin/%00"))
    assert response is not None and response.status == 400
    assert "<style>" in page.content()
    assert page.evaluate("getComputedStyle(document.body).maxWidth") == "640px"  # 40rem
    assert refusals == []
