"""An administrator writes an article in both locales; visitors see it at once in both."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.browsing import LiveSite, log_in

pytestmark = pytest.mark.slow


def test_an_article_written_in_both_locales_shows_on_the_public_site_in_both(
    page: Page, live_site: LiveSite
) -> None:
    log_in(page, live_site, "boss", "/admin/articles/?add")
    assert page.locator("#article-form").is_visible()
    page.uncheck("#article-draft")
    page.fill("#article-title_en_US", "Browsers at the harbour")
    page.fill("#article-annotation_en_US", "Ships & tests, seen from the pier.")
    page.click("#article-text_en_US-editor")  # the rich text editor stands in for the textarea
    page.keyboard.type("The first paragraph.")
    page.keyboard.press("Enter")
    page.keyboard.type("The second paragraph.")
    page.click("[data-tab=article-locale-cs_CZ]")  # the Czech texts are behind their tab
    page.fill("#article-title_cs_CZ", "Prohlížeče v přístavu")
    page.fill("#article-annotation_cs_CZ", "Lodě a testy z mola.")
    page.click("#article-text_cs_CZ-editor")
    page.keyboard.type("První odstavec.")
    with page.expect_navigation():
        page.click("#article-save")
    assert page.locator(".flash").count() == 1  # saved, told after the redirect
    assert "Browsers at the harbour" in page.content()

    # the public site, at once: the list and the article in English (slug made from the title)
    page.goto(live_site.url("/articles/"))
    page.click("text=Browsers at the harbour")
    assert page.url == live_site.url("/articles/browsers-at-the-harbour.html")
    assert page.inner_text("h1") == "Browsers at the harbour"
    assert "Ships & tests, seen from the pier." in page.inner_text("article")
    assert "The second paragraph." in page.inner_text("article")

    # and in Czech, with a slug of its own
    page.goto(live_site.url("/cs/clanky/"))
    page.click("text=Prohlížeče v přístavu")
    assert page.url == live_site.url("/cs/clanky/prohlizece-v-pristavu.html")
    assert page.inner_text("h1") == "Prohlížeče v přístavu"
    assert "První odstavec." in page.inner_text("article")
    assert page.get_attribute("html", "lang") == "cs"
