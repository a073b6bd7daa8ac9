"""The example application that ships in application/ serves a real site."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site(example_app: Application) -> Client:
    return Client(example_app)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", "Pages, modules and micro-routers"),
        ("/articles/", "Micro-routers instead of a route table"),
        ("/articles/micro-routers.html", "There is no global route table"),
        ("/services/consulting/audits/", "Security audits"),
        ("/about/", "About this site"),
        ("/cs/", "Stránky, moduly a mikroroutery"),
        ("/cs/clanky/", "Mikrorouter místo tabulky cest"),
        ("/cs/clanky/mikrorouter.html", "Globální tabulka cest neexistuje"),
        ("/cs/sluzby/konzultace/audity/", "Bezpečnostní audity"),
        ("/cs/o-nas/", "O tomto webu"),
    ],
)
def test_pages_render_in_both_locales(site: Client, url: str, expected: str) -> None:
    response = site.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert expected in text
    assert '<nav class="main-menu"' in text
    assert "/public/css/site.css" in text


def test_article_detail_extends_breadcrumb_and_head(site: Client) -> None:
    text = site.get("/articles/micro-routers.html").get_data(as_text=True)
    assert "<title>Micro-routers instead of a route table | Jetpy Example</title>" in text
    assert 'content="Every controller claims the part of the URL it understands."' in text
    breadcrumb = text.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert (
        breadcrumb.index("Home") < breadcrumb.index("Articles") < breadcrumb.index("Micro-routers")
    )


def test_locale_switch_links_the_same_page(site: Client) -> None:
    text = site.get("/services/consulting/").get_data(as_text=True)
    assert 'href="/cs/sluzby/konzultace/"' in text


@pytest.mark.parametrize(
    ("url", "status", "expected"),
    [
        ("/nope/", 404, "Page not found"),
        ("/cs/nic/", 404, "Stránka nenalezena"),
        ("/articles/unknown.html", 404, "Page not found"),
    ],
)
def test_error_pages(site: Client, url: str, status: int, expected: str) -> None:
    response = site.get(url)
    assert response.status_code == status
    assert expected in response.get_data(as_text=True)


def test_robots_and_stylesheet(site: Client) -> None:
    for url in ("/robots.txt", "/cs/robots.txt", "/public/css/site.css"):
        response = site.get(url)
        assert response.status_code == 200
        response.close()


def test_example_passes_check() -> None:
    app = Application(ROOT, use_cache=False)
    assert [problem for problem in app.problems() if not problem.warning] == []


@pytest.mark.parametrize(
    ("url", "title", "linked"),
    [
        ("/sitemap/", "<h1>Sitemap</h1>", '<a href="/services/consulting/audits/">Audits</a>'),
        ("/cs/mapa-webu/", "<h1>Mapa webu</h1>", '<a href="/cs/o-nas/">O nás</a>'),
    ],
)
def test_the_sitemap_module_brings_its_page_and_footer_item(
    site: Client, url: str, title: str, linked: str
) -> None:
    text = site.get(url).get_data(as_text=True)
    main = text.split('<main id="main">')[1].split("</main>")[0]
    assert title in main and linked in main
    footer = text.split('<nav class="footer-menu"')[1].split("</nav>")[0]
    assert f'<a href="{url}" aria-current="page">' in footer
    assert f'href="{url}"' not in text.split('<nav class="main-menu"')[1].split("</nav>")[0]
