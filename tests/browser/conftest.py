"""Browser tests: the example site served by a real server, driven by headless Chromium.

Chromium is Debian's (`apt-get install chromium chromium-driver`; `.ci/run` installs it);
Playwright only drives it, so `playwright install` is never needed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser.browsing import LiveSite
from tests.conftest import SeededSite

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_MS = 10_000  # a page of the local server that takes longer is a failure


class QuietHandler(WSGIRequestHandler):
    """No line per request in the output (errors are still logged)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@pytest.fixture(scope="session")
def live_site(seeded_site: SeededSite) -> Iterator[LiveSite]:
    """The example application served by werkzeug's threaded server on a free port."""
    server = make_server(
        "127.0.0.1", 0, seeded_site.app, threaded=True, request_handler=QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="live-site", daemon=True)
    thread.start()
    try:
        yield LiveSite(seeded_site, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium of the system."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium chromium-driver`"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies of other tests)."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
