"""What the browser tests share: the live site, signing in, screenshots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.conftest import SITE_PASSWORD, SeededSite

if TYPE_CHECKING:  # the conftest imports this module without Playwright too
    from playwright.sync_api import Page

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # git-ignored, kept per run


@dataclass(frozen=True)
class LiveSite:
    """The seeded site behind a real HTTP server on 127.0.0.1."""

    site: SeededSite
    root: str  # http://127.0.0.1:<port>

    def url(self, path: str) -> str:
        return self.root + path


def log_in(page: Page, live: LiveSite, login: str, path: str = "/admin/") -> None:
    """Open `path`, fill in the login form it answers, and wait for the page behind it."""
    page.goto(live.url(path))
    page.fill("#login", login)
    page.fill("#password", SITE_PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/browser/screenshots/."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
