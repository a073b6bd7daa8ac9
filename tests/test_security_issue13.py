"""Attacks on what issue 13 added (output cache, HTTP caching, search, redirects, SEO), each
found by reading the code as an attacker and fixed; a test per way in."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from tests.conftest import ProjectFactory

PLAIN_LAYOUT = """<!doctype html><html><head>{{ head() }}</head><body>
<main>{{ position("main") }}</main></body></html>"""


@pytest.fixture
def cached_site(make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default project, memory cache on, a layout that embeds nothing (so that whole
    pages are kept) and a page that must only be seen over https."""
    monkeypatch.setenv("JETPY_CACHE_BACKEND", "memory")
    return make_project(
        {
            "application/bases/web/layouts/default.html": PLAIN_LAYOUT,
            "application/bases/web/pages/en_US/account/page.yaml": """
                title: Account
                ssl_required: true
                contents:
                  - output: "<p>Your account</p>"
            """,
        }
    )


def canonical(page: str) -> str:
    found = re.search(r'<link rel="canonical" href="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_a_page_kept_from_https_is_not_served_over_plain_http(cached_site: Path) -> None:
    """The whole-page cache answered by host, path and query: a page that needs https,
    rendered once for an https visitor, was then served over plain http instead of the 301."""
    client = Client(Application(cached_site))
    secure = client.get("/account/", base_url="https://localhost")
    assert secure.status_code == 200 and "Your account" in secure.get_data(as_text=True)
    assert client.get("/account/", base_url="https://localhost").status_code == 200  # kept
    plain = client.get("/account/", base_url="http://localhost")
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://localhost/account/"


def test_a_page_kept_from_http_does_not_give_https_visitors_http_links(
    cached_site: Path,
) -> None:
    """The canonical link is absolute: a page kept from a plain http request must not be
    served to https visitors (nor, behind a proxy, by a forged X-Forwarded-Proto)."""
    client = Client(Application(cached_site))
    assert canonical(client.get("/about/").get_data(as_text=True)) == "http://localhost/about/"
    secure = client.get("/about/", base_url="https://localhost").get_data(as_text=True)
    assert canonical(secure) == "https://localhost/about/"
