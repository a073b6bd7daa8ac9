"""The studio in Chromium: build pages in both locales, and a separate running site follows.

The studio (`jetpy studio`) and the site (`Application` under werkzeug's server) run as two
processes on a copy of the example project, both on the seeded database; the test drives the
studio and reads the site, which is never restarted.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.browsing import SCREENSHOTS
from tests.conftest import SITE_PASSWORD, SeededSite, copy_example

pytestmark = pytest.mark.slow
SITE_SERVER = """
import sys
from werkzeug.serving import run_simple
from jetpy import Application
run_simple("127.0.0.1", int(sys.argv[2]), Application(sys.argv[1]), threaded=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(port: int, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the server stopped: {process.stdout.read() if process.stdout else ''}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


@dataclass
class Servers:
    root: Path
    studio: str  # the URL with the token
    site: str


@pytest.fixture
def servers(tmp_path: Path, seeded_site: SeededSite) -> Iterator[Servers]:
    root = copy_example(tmp_path / "project", config={"debug": True})
    environment = {**os.environ, "JETPY_DATABASE_URL": seeded_site.url, "PYTHONUNBUFFERED": "1"}
    studio_port, site_port, preview_port = free_port(), free_port(), free_port()
    studio = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from jetpy.cli.main import main; main()",
            "studio",
            "--project",
            str(root),
            "--port",
            str(studio_port),
            "--preview-port",
            str(preview_port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    site = subprocess.Popen(
        [sys.executable, "-c", SITE_SERVER, str(root), str(site_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    try:
        assert studio.stdout is not None
        url = ""
        while not url:
            line = studio.stdout.readline()
            if not line:
                raise RuntimeError("jetpy studio stopped before printing its URL")
            url = line.split("open ", 1)[1].strip() if line.startswith("open ") else ""
        wait_for(studio_port, studio)
        wait_for(site_port, site)
        yield Servers(root, url, f"http://127.0.0.1:{site_port}")
    finally:
        for process in (studio, site):
            process.terminate()
            process.wait(10)
        if studio.stdout is not None:
            studio.stdout.close()


def site_text(servers: Servers, path: str, expected: str, present: bool = True) -> str:
    """The site's page once it shows (or no longer shows) `expected`: a second at most."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 5
    text = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(servers.site + path) as answer:
                text = answer.read().decode()
        except urllib.error.HTTPError as error:
            text = f"HTTP {error.code}"
            error.close()
        if (expected in text) == present:
            return text
        time.sleep(0.2)
    raise AssertionError(
        f"{path}: {'no' if present else 'still'} {expected!r} after 5 s: {text[:300]}"
    )


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_build_pages_in_both_locales_and_the_running_site_follows(
    page: Page, servers: Servers
) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(servers.studio)
    expect(page.locator("h1")).to_have_text("Your site")
    page.get_by_role("link", name="Web · en_US", exact=False).first.click()

    # a new page under the homepage
    page.fill("#new_title", "News")
    page.click("text=Create page")
    expect(page.locator(".flash-success")).to_contain_text("created at /news/")
    assert (servers.root / "application/bases/web/pages/en_US/news/page.yaml").is_file()

    # the articles list in main, the latest articles widget in side
    page.click("summary:has-text('Add a content')")
    page.select_option("#add_module", "content.articles.browser:Main:default")
    page.select_option("#add_position", "main")
    page.click("form button:has-text('Add')")
    expect(page.locator(".flash-success")).to_contain_text("Contents saved")
    page.click("summary:has-text('Add a content')")
    page.select_option("#add_module", "content.articles.browser:Widgets:latest")
    page.select_option("#add_position", "side")
    page.fill("#add_parameters", "count: 3")
    page.click("form button:has-text('Add')")
    page.click("summary:has-text('Add a content')")
    page.fill("#add_output", "<p class='intro'>What is new</p>")
    page.click("form button:has-text('Add')")

    # reorder: the static intro goes first in main
    card = page.locator("ol.content-list[data-position=main] .content-card").last
    expect(card).to_contain_text("Static HTML")
    card.locator("button[data-move='-1']").click()
    expect(page.locator(".flash-success")).to_contain_text("Contents saved")
    first = page.locator("ol.content-list[data-position=main] .content-card").first
    expect(first).to_contain_text("Static HTML")
    text = (servers.root / "application/bases/web/pages/en_US/news/page.yaml").read_text()
    # what a developer would write by hand (the order: after the last sibling)
    assert re.sub(r"order: \d+", "order: N", text) == (
        "title: News\norder: N\ncontents:\n"
        "  - output: <p class='intro'>What is new</p>\n"
        "  - module: content.articles.browser\n"
        "  - module: content.articles.browser\n"
        "    controller: Widgets\n    action: latest\n    position: side\n"
        "    parameters:\n      count: 3\n"
    )
    shot(page, "studio-contents")

    # the preview beside the editor
    preview = page.frame_locator("#preview")
    expect(preview.locator("p.intro")).to_have_text("What is new")
    expect(preview.locator("article, li").first).to_be_visible()
    shot(page, "studio-preview")

    # the separate site, never restarted, serves it
    served = site_text(servers, "/news/", "What is new")
    assert served.index("What is new") < served.index("</main>")

    # the same page in Czech: copied with its contents, then renamed
    page.select_option("#copy_locale", "cs_CZ")
    page.fill("#copy_fragment", "novinky")
    page.click("form button:has-text('Copy')")
    expect(page.locator(".flash-success")).to_contain_text("Copied to cs_CZ at /novinky/")
    site_text(servers, "/cs/novinky/", "What is new")

    # move the page into Services by dragging it onto the "+" of Services
    page.drag_and_drop(
        "li[data-path='news'] > .tree-row a",
        "li[data-path='services'] > .tree-row .tree-drop-into",
    )
    expect(page.locator(".flash-success")).to_contain_text("Moved to /services/news/")
    assert (servers.root / "application/bases/web/pages/en_US/services/news/page.yaml").is_file()
    site_text(servers, "/services/news/", "What is new")
    site_text(servers, "/news/", "HTTP 404")
    shot(page, "studio-tree")

    # deactivate the articles browser: its contents vanish from the running site
    before = site_text(servers, "/services/news/", "What is new")
    assert 'class="cards stacked"' in before and "Latest articles" in before
    page.goto(servers.studio.split("/_studio/")[0] + "/_studio/modules/")
    row = page.locator("tr", has_text="content.articles.browser")
    row.locator("button:has-text('Deactivate')").click()
    expect(page.locator(".flash-success")).to_be_visible()
    after = site_text(servers, "/services/news/", "Latest articles", present=False)
    assert "What is new" in after and 'class="cards stacked"' not in after


def test_a_crud_module_from_the_wizard_works_at_once_on_the_running_site(
    page: Page, servers: Servers
) -> None:
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(servers.studio)
    page.click("text=Modules")
    page.click("text=New admin module from a model")
    page.fill("#module", "shop.brands.admin")
    page.fill("#model", "Brand")
    page.fill("#table", "shop_brands")
    page.fill("#fragment", "brands")
    page.fill("#title_en_US", "Brands")
    page.fill("#singular_en_US", "brand")
    page.fill("#title_cs_CZ", "Značky")
    page.fill("#singular_cs_CZ", "značka")
    page.fill("#field_name_0", "name")
    page.fill("#field_label_en_US_0", "Name")
    page.fill("#field_label_cs_CZ_0", "Název")
    page.check("input[name=field_required_0]")
    page.fill("#field_name_1", "country")
    page.fill("#field_label_en_US_1", "Country")
    page.click("text=Add a field")
    page.fill("#field_name_3", "founded")
    page.select_option("#field_kind_3", "integer")
    page.fill("#field_label_en_US_3", "Founded")
    shot(page, "studio-crud-wizard")
    page.click("text=Make the module")
    expect(page.locator(".flash-success")).to_contain_text(
        "installed and activated shop.brands.admin"
    )
    assert (servers.root / "application/modules/shop/brands/admin/controllers.py").is_file()

    # the running site has the module's page, menu item and table at once
    page.goto(servers.site + "/admin/brands/")
    page.fill("#login", "boss")
    page.fill("#password", SITE_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Brands")
    expect(page.locator("nav >> text=Brands").first).to_be_visible()
    page.click("text=Add brand")
    page.fill("input[name=name]", "Acme")
    page.fill("input[name=country]", "CZ")
    page.fill("input[name=founded]", "1990")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Save')")
    expect(page.locator("table")).to_contain_text("Acme")
    shot(page, "studio-crud-result")
