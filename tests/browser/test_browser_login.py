"""Signing in and out of the admin base in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import LiveSite, log_in

pytestmark = pytest.mark.slow


def test_an_administrator_signs_in_lands_on_the_page_asked_for_and_signs_out(
    page: Page, live_site: LiveSite
) -> None:
    page.goto(live_site.url("/admin/cs/"))
    assert page.locator("#password").is_visible()
    assert page.locator("#signed-in").count() == 0

    log_in(page, live_site, "boss", "/admin/cs/")
    assert page.url == live_site.url("/admin/cs/")  # `next`: the page that asked for the login
    assert "boss" in page.inner_text("#signed-in")
    assert "boss" in page.inner_text("header")

    page.goto(live_site.url("/admin/"))
    assert "boss" in page.inner_text("#signed-in")  # the session holds
    page.click("header .user-menu summary")  # the user menu opens
    with page.expect_navigation():
        page.click("header .user button[type=submit]")  # Sign out: a POST with the CSRF token
    assert page.locator("#password").is_visible()
    assert page.locator("#signed-in").count() == 0
    page.goto(live_site.url("/admin/"))
    assert page.locator("#password").is_visible()  # signed out for good


def test_a_wrong_password_keeps_the_login_form_with_an_error(
    page: Page, live_site: LiveSite
) -> None:
    page.goto(live_site.url("/admin/"))
    page.fill("#login", "boss")
    page.fill("#password", "not-the-password")
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.locator("#login-error").is_visible()
    assert page.input_value("#login") == "boss"
    assert page.locator("#signed-in").count() == 0
