"""What a new user meets first on the example site: the favicon, in-page links, the docs."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from werkzeug.test import Client

from tests.conftest import REPO, SITE_PASSWORD, SeededSite, log_in

DOCS = [REPO / "README.md", REPO / "bench" / "README.md"]


@pytest.fixture
def site(seeded_site: SeededSite) -> Client:
    return Client(seeded_site.app)


def test_the_favicon_is_a_real_icon(site: Client) -> None:
    response = site.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    body = response.get_data()
    response.close()
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    assert (reserved, kind) == (0, 1) and count >= 1  # an ICO directory with images
    sizes = {body[6 + 16 * index] or 256 for index in range(count)}
    assert {16, 32} <= sizes


def test_every_layout_links_the_favicon(site: Client) -> None:
    for url in ("/", "/cs/clanky/"):
        assert '<link rel="icon" href="/favicon.ico"' in site.get(url).get_data(as_text=True)
    assert log_in(site, "boss", SITE_PASSWORD, url="/admin/").status_code == 303
    admin = site.get("/admin/").get_data(as_text=True)
    assert 'class="admin' in admin and '<link rel="icon" href="/favicon.ico"' in admin


@pytest.mark.parametrize("url", ["/", "/articles/", "/cs/produkty/", "/contact/"])
def test_every_in_page_link_has_its_target(site: Client, url: str) -> None:
    html = site.get(url).get_data(as_text=True)
    fragments = set(re.findall(r'href="#([^"]+)"', html))
    assert "top" in fragments  # the footer's "Back to top"
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert fragments <= ids, f"links to missing ids: {fragments - ids}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: str(path.relative_to(REPO)))
def test_the_docs_name_only_files_of_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    assert "shared docs" not in text
    for name in set(re.findall(r"[\w./-]+\.md\b", text)):
        assert (doc.parent / name).exists() or (REPO / name).exists(), f"{doc.name} names {name}"
    for target in re.findall(r"\]\(([^)#:]+)\)", text):  # relative Markdown links
        assert (doc.parent / target).exists(), f"{doc.name} links {target}"
