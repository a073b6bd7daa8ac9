"""SEO of the example site: /sitemap.xml per locale with hreflang alternates, robots.txt
naming the sitemaps, and a canonical link on every page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from werkzeug.test import Client

from tests.conftest import SeededSite

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def site(seeded_site: SeededSite) -> Client:
    return Client(seeded_site.app)


def sitemap(site: Client, url: str) -> dict[str, dict[str, str]]:
    """{loc: {hreflang: href}} of the sitemap at `url`."""
    response = site.get(url)
    assert response.status_code == 200
    assert response.content_type == "application/xml; charset=utf-8"
    root = ET.fromstring(response.get_data())
    return {
        entry.findtext("s:loc", namespaces=NS) or "": {
            link.attrib["hreflang"]: link.attrib["href"]
            for link in entry.findall("x:link", NS)
            if link.attrib["rel"] == "alternate"
        }
        for entry in root.findall("s:url", NS)
    }


def test_the_english_sitemap_lists_pages_articles_and_products_with_their_czech_twins(
    site: Client,
) -> None:
    found = sitemap(site, "/sitemap.xml")
    assert found["http://localhost/about/"] == {
        "en-US": "http://localhost/about/",
        "cs-CZ": "http://localhost/cs/o-nas/",
        "x-default": "http://localhost/about/",
    }
    assert found["http://localhost/articles/micro-routers.html"]["cs-CZ"].startswith(
        "http://localhost/cs/clanky/"
    )
    products = [loc for loc in found if loc.startswith("http://localhost/products/")]
    assert any(loc.endswith(".html") for loc in products)
    assert all(loc.startswith("http://localhost/") for loc in found)
    assert not any("/cs/" in loc for loc in found)  # the Czech URLs are alternates only
    assert not any("/admin/" in loc for loc in found)


def test_the_czech_sitemap_lists_czech_urls(site: Client) -> None:
    found = sitemap(site, "/cs/sitemap.xml")
    assert found["http://localhost/cs/o-nas/"]["en-US"] == "http://localhost/about/"
    assert all(loc.startswith("http://localhost/cs/") for loc in found)
    assert len(found) == len(sitemap(site, "/sitemap.xml"))  # the demo is in both locales


def test_unpublished_articles_stay_out_of_the_sitemap(site: Client) -> None:
    found = sitemap(site, "/sitemap.xml")
    for loc in found:
        if loc.startswith("http://localhost/articles/") and loc.endswith(".html"):
            assert site.get(loc.removeprefix("http://localhost")).status_code == 200, loc


def test_robots_txt_names_the_sitemap_of_every_locale(site: Client) -> None:
    for url in ("/robots.txt", "/cs/robots.txt"):
        response = site.get(url)
        assert response.status_code == 200
        assert response.content_type == "text/plain; charset=utf-8"
        text = response.get_data(as_text=True)
        assert "User-agent: *" in text
        assert "Sitemap: http://localhost/sitemap.xml\n" in text
        assert "Sitemap: http://localhost/cs/sitemap.xml\n" in text


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("/", "http://localhost/"),
        ("/about/?utm_source=x", "http://localhost/about/"),
        ("/cs/o-nas/", "http://localhost/cs/o-nas/"),
        ("/articles/micro-routers.html", "http://localhost/articles/micro-routers.html"),
        ("/products/electronics?sort=price", "http://localhost/products/electronics"),
    ],
)
def test_pages_link_their_canonical_url(site: Client, url: str, canonical: str) -> None:
    html = site.get(url).get_data(as_text=True)
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert html.count('rel="canonical"') == 1


def test_sitemap_and_robots_paths_below_other_pages_are_404(site: Client) -> None:
    for url in ("/about/sitemap.xml", "/sitemap.xml/x", "/products/robots.txt"):
        assert site.get(url).status_code == 404, url
