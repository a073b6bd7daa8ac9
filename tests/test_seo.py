"""SEO of the example site: /sitemap.xml per locale with hreflang alternates, robots.txt
naming the sitemaps, and a canonical link on every page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from werkzeug.test import Client

from jetpy.modules.discovery import use_project_imports
from tests.conftest import REPO, SeededSite

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture
def site(seeded_site: SeededSite) -> Client:
    use_project_imports(REPO)  # an earlier test in this process may have loaded another project
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
    english = sitemap(site, "/sitemap.xml")  # other tests may add items in one locale only
    twins = [links["en-US"] for links in found.values() if "en-US" in links]
    assert len(twins) > 200 and all(url in english for url in twins)


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


# old slugs ------------------------------------------------------------------------------
def test_an_article_whose_slug_changed_answers_301_from_its_old_urls(
    seeded_site: SeededSite, site: Client
) -> None:
    from application.classes.content import Article, utcnow

    with seeded_site.app.db.session() as session:
        article = Article(published_at=utcnow())
        article.localize("en_US", title="Slugs", slug="seo-first-slug", text="<p>x</p>")
        article.localize("cs_CZ", title="Slugy", slug="seo-prvni-slug", text="<p>x</p>")
        session.add(article)
        session.commit()
        article.localize("en_US", title="Slugs", slug="seo-second-slug", text="<p>x</p>")
        session.commit()
        article.localize("en_US", title="Slugs", slug="seo-third-slug", text="<p>x</p>")
        session.commit()
    for old in ("seo-first-slug", "seo-second-slug"):
        response = site.get(f"/articles/{old}.html?ref=1")
        assert response.status_code == 301
        assert response.headers["Location"] == "/articles/seo-third-slug.html?ref=1"
    assert site.get("/articles/seo-third-slug.html").status_code == 200
    assert site.get("/cs/clanky/seo-prvni-slug.html").status_code == 200  # unchanged
    assert site.get("/cs/clanky/seo-first-slug.html").status_code == 404  # another locale's


def test_a_slug_taken_back_is_live_again_and_a_deleted_item_is_404(
    seeded_site: SeededSite, site: Client
) -> None:
    from application.classes.content import Article, utcnow

    with seeded_site.app.db.session() as session:
        article = Article(published_at=utcnow())
        article.localize("en_US", title="Back", slug="seo-back-a", text="<p>x</p>")
        session.add(article)
        session.commit()
        article.localize("en_US", title="Back", slug="seo-back-b", text="<p>x</p>")
        session.commit()
        assert site.get("/articles/seo-back-a.html").status_code == 301
        article.localize("en_US", title="Back", slug="seo-back-a", text="<p>x</p>")
        session.commit()
        assert site.get("/articles/seo-back-a.html").status_code == 200
        assert site.get("/articles/seo-back-b.html").headers["Location"] == (
            "/articles/seo-back-a.html"
        )
        session.delete(article)
        session.commit()
    assert site.get("/articles/seo-back-b.html").status_code == 404


def test_a_product_whose_slug_changed_answers_301(seeded_site: SeededSite, site: Client) -> None:
    from application.classes.catalog import Product, ProductText

    with seeded_site.app.db.session() as session:
        product = Product(code="SEO-1", ean="8590000000017")
        product.texts = [
            ProductText(locale="en_US", name="Seo thing", slug="seo-thing", description=""),
            ProductText(locale="cs_CZ", name="Seo vec", slug="seo-vec", description=""),
        ]
        session.add(product)
        session.commit()
        czech = product.text("cs_CZ")
        assert czech is not None
        czech.slug = "seo-vec-nova"
        session.commit()
    response = site.get("/cs/produkty/seo-vec.html")
    assert response.status_code == 301
    assert response.headers["Location"] == "/cs/produkty/seo-vec-nova.html"
    assert site.get("/products/seo-vec.html").status_code == 404
