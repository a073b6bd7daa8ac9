"""The rich text editor: typed formatting is saved as HTML and shown formatted on the public site.

The admin pages are served here with `Content-Security-Policy: script-src 'self'; style-src
'self'` added, and every violation the editor's files cause is collected: the editor must work
without inline script or style.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, Route

from tests.browser.browsing import SCREENSHOTS, LiveSite, log_in

if TYPE_CHECKING:
    from playwright.sync_api import Locator

pytestmark = pytest.mark.slow

CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
# what the page reports when a Content-Security-Policy refuses something (by which file)
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push([event.violatedDirective, event.sourceFile, event.blockedURI]);
});
"""


def strict_csp(route: Route) -> None:
    """Answer an admin page as the server does, with a strict Content-Security-Policy."""
    response = route.fetch()
    headers = {**response.headers, "content-security-policy": CSP}
    route.fulfill(response=response, headers=headers)


def editor_of(page: Page, field: str) -> Locator:
    return page.locator(f"#{field}-editor")


def test_formatting_typed_in_the_editor_shows_on_the_public_site(
    page: Page, live_site: LiveSite
) -> None:
    page.add_init_script(WATCH_CSP)
    page.route("**/admin/articles/**", strict_csp)
    log_in(page, live_site, "boss", "/admin/articles/?add")
    page.set_checked("#article-draft", False)
    page.fill("#article-title_en_US", "Formatted in the browser")

    textarea = page.locator("#article-text_en_US")
    assert textarea.is_hidden()  # the editor stands in for it
    toolbar = page.locator("#article-locale-en_US .rte-toolbar")
    assert toolbar.get_attribute("role") == "toolbar"
    editor = editor_of(page, "article-text_en_US")
    editor.click()
    toolbar.locator("[data-command=h2]").click()
    page.keyboard.type("Harbour news")
    page.keyboard.press("Enter")  # a paragraph follows a heading
    page.keyboard.type("Plain words, then ")
    page.keyboard.press("Control+b")
    page.keyboard.type("bold words")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    toolbar.locator("[data-command=bullet-list]").click()
    assert toolbar.locator("[data-command=bullet-list]").get_attribute("aria-pressed") == "true"
    page.keyboard.type("first point")
    page.keyboard.press("Enter")
    page.keyboard.type("second point")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # out of the list
    toolbar.locator("[data-command=blockquote]").click()
    page.keyboard.type("Ships are safe in harbour.")
    assert editor.locator("strong").inner_text() == "bold words"
    assert "<li><p>second point</p></li>" in textarea.input_value()

    SCREENSHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1300})  # the whole editor above the bar
    page.locator("#article-locale-en_US").screenshot(path=str(SCREENSHOTS / "editor.png"))

    with page.expect_navigation():
        page.click("#article-save")
    assert page.locator(".flash").count() == 1
    assert page.evaluate("window.cspViolations") == []

    page.goto(live_site.url("/articles/formatted-in-the-browser.html"))
    text = page.locator("article .text")
    assert text.locator("strong").inner_text() == "bold words"
    assert text.locator("ul > li").all_inner_texts() == ["first point", "second point"]
    assert "Plain words, then" in text.locator("p").first.inner_text()
    assert text.locator("h2").inner_text() == "Harbour news"
    assert text.locator("blockquote").inner_text() == "Ships are safe in harbour."


def test_a_link_and_an_image_from_the_media_library(
    page: Page, live_site: LiveSite, tmp_path: Path
) -> None:
    from PIL import Image

    picture = tmp_path / "harbour.png"
    Image.new("RGB", (640, 400), (30, 120, 200)).save(picture)
    page.add_init_script(WATCH_CSP)
    page.route("**/admin/articles/**", strict_csp)
    log_in(page, live_site, "boss", "/admin/articles/?add")
    page.set_checked("#article-draft", False)
    page.fill("#article-title_en_US", "Pictures and links")
    editor = editor_of(page, "article-text_en_US")
    editor.click()
    page.keyboard.type("Read the docs")
    page.keyboard.press("Shift+Home")
    toolbar = page.locator("#article-locale-en_US .rte-toolbar")

    toolbar.locator("[data-command=link]").click()
    dialog = page.locator("dialog.rte-dialog")
    dialog.locator("input").fill("javascript:alert(1)")
    dialog.locator("button[type=submit]").click()
    assert dialog.is_visible()  # refused: not an address the editor accepts
    dialog.locator("input").fill("https://example.com/docs")
    dialog.locator("button[type=submit]").click()
    assert editor.locator("a").get_attribute("href") == "https://example.com/docs"

    page.keyboard.press("End")
    page.keyboard.press("Enter")
    toolbar.locator("[data-command=image]").click()  # the media library's picker
    picker = page.locator("dialog.media-picker")
    picker.locator("input[type=file]").set_input_files(picture)  # uploaded, then chosen
    picker.wait_for(state="detached")
    image = editor.locator("img")
    src = image.get_attribute("src") or ""
    assert src.startswith("/media/")
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.locator("#article-locale-en_US").screenshot(path=str(SCREENSHOTS / "editor-image.png"))

    with page.expect_navigation():
        page.click("#article-save")
    assert page.evaluate("window.cspViolations") == []
    page.goto(live_site.url("/articles/pictures-and-links.html"))
    text = page.locator("article .text")
    assert text.locator("a").get_attribute("href") == "https://example.com/docs"
    assert text.locator("img").get_attribute("src") == src
    assert text.locator("img").evaluate("image => image.complete && image.naturalWidth > 0")
