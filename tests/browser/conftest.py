"""Browser tests: the example site served by a real server, driven by headless Chromium.

Chromium is Debian's (`apt-get install -y chromium chromium-driver`; `.ci/run` installs it);
without it the tests skip, saying so (under `CI=true` they fail: see availability.py);
Playwright only drives it, so `playwright install` is never needed.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser.availability import CHROMIUM, in_ci, missing, verdict
from tests.browser.browsing import LiveSite
from tests.conftest import SeededSite

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser, Page

HERE = Path(__file__).resolve().parent
# the test modules import Playwright: without it they are not collected (skipped, or failing
# in `browser` under CI=true, where a missing package must not pass unnoticed)
collect_ignore_glob = [] if in_ci() or importlib.util.find_spec("playwright") else ["test_*.py"]
TIMEOUT_MS = 10_000  # a page of the local server that takes longer is a failure


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium: skip every browser test with the reason (CI: they fail in `browser`)."""
    reason = missing()
    if verdict(reason, in_ci()) == "skip":
        for item in items:
            if item.path.is_relative_to(HERE):
                item.add_marker(pytest.mark.skip(reason=reason))


_BODY_KEY = "tests.browser.body"


class QuietHandler(WSGIRequestHandler):
    """No line per request in the output (errors are still logged).

    When the browser drops a connection (a favicon it stopped waiting for), werkzeug's server
    can fail in its own clean-up before it closes the answer's body: a file answer's open file
    would then be closed only by the garbage collector, with a ResourceWarning (an error here)
    in whichever test runs next. The body is closed here instead.
    """

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def connection_dropped(
        self, error: BaseException, environ: WSGIEnvironment | None = None
    ) -> None:
        close = getattr(environ.get(_BODY_KEY), "close", None) if environ is not None else None
        if close is not None:
            close()


def keeping_body(app: WSGIApplication) -> WSGIApplication:
    """`app`, leaving each answer's body in the environ for QuietHandler.connection_dropped."""

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        body = app(environ, start_response)
        environ[_BODY_KEY] = body
        return body

    return serve


@pytest.fixture(scope="session")
def live_site(seeded_site: SeededSite) -> Iterator[LiveSite]:
    """The example application served by werkzeug's threaded server on a free port."""
    server = make_server(
        "127.0.0.1", 0, keeping_body(seeded_site.app), threaded=True, request_handler=QuietHandler
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
    reason = missing()
    if reason is not None:
        if verdict(reason, in_ci()) == "fail":
            pytest.fail(f"{reason} (CI=true: the browser tests must run)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

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
