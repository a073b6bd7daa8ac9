"""The same page in the other locales: the locale switch and hreflang links (jetpy.kernel.alternates)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from markupsafe import Markup, escape
from sqlalchemy import select
from werkzeug.test import Client

from jetpy import Application
from jetpy.kernel.alternates import absolute
from jetpy.kernel.head import Head, _escaped
from jetpy.modules.discovery import use_project_imports
from tests.conftest import REPO, SeededSite

SHOP_CONTROLLERS = """
from jetpy import Controller, ControllerRouter
from jetpy.kernel.alternates import switch_links

# an item's slug per locale; "pear" is not sold in cs_CZ
SLUGS = {"apple": {"en_US": "apple", "cs_CZ": "jablko"}, "pear": {"en_US": "pear"}}


class Main(Controller):
    def get_router(self):
        router = ControllerRouter(self)
        router.add_action("list", resolver=lambda: self.url_path == "")
        router.add_action("detail", resolver=self.resolve_detail)
        return router

    def resolve_detail(self):
        for item, slugs in SLUGS.items():
            if slugs.get(self.locale.name, "") + ".html" == self.url_path:
                self.item = item
                self.set_used_path(self.url_path)
                return True
        return False

    def list_action(self):
        self.output.append("<p>list</p>")

    def detail_action(self):
        slugs = SLUGS[self.item]
        self.set_alternates(
            lambda page: page.url(slugs[page.locale.name] + ".html")
            if page.locale.name in slugs else None
        )
        self.output.append(f"<p>{self.item}</p>")

    def switch_action(self):
        self.output.append("".join(
            f'<a class="switch" href="{url}"{" aria-current" if current else ""}>{locale.name}</a>'
            for locale, url, current in switch_links(self.ctx)
        ))
"""

LAYOUT = """<!doctype html><html><head>{{ head() }}</head><body>
<nav>{{ module("test.shop", action="switch") }}</nav><main>{{ position("main") }}</main>
</body></html>"""

SHOP_FILES: dict[str, str | None] = {
    "application/bases/web/layouts/default.html": LAYOUT,
    "application/data/modules.yaml": "test.hello: activated\ntest.shop: activated\n",
    "application/modules/test/shop/manifest.yaml": "label: Shop\n",
    "application/modules/test/shop/controllers.py": SHOP_CONTROLLERS,
    "application/bases/web/pages/en_US/shop/page.yaml": """
        title: Shop
        contents: [{module: test.shop}]
        """,
    "application/bases/web/pages/cs_CZ/obchod/page.yaml": """
        id: shop
        title: Obchod
        contents: [{module: test.shop}]
        """,
}


@pytest.fixture
def shop(make_client: Callable[..., Client]) -> Client:
    return make_client(SHOP_FILES)


def hreflangs(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def switch(html: str) -> dict[str, str]:
    return {
        name: url for url, name in re.findall(r'class="switch" href="([^"]+)"[^>]*>(\w+)<', html)
    }


def test_an_item_links_its_twin_in_the_other_locale(shop: Client) -> None:
    html = shop.get("/shop/apple.html").get_data(as_text=True)
    assert switch(html) == {"en_US": "/shop/apple.html", "cs_CZ": "/cs/obchod/jablko.html"}
    assert hreflangs(html) == {
        "en-US": "http://localhost/shop/apple.html",
        "cs-CZ": "http://localhost/cs/obchod/jablko.html",
        "x-default": "http://localhost/shop/apple.html",
    }
    czech = shop.get("/cs/obchod/jablko.html").get_data(as_text=True)
    assert switch(czech)["en_US"] == "/shop/apple.html"
    assert hreflangs(czech)["x-default"] == "http://localhost/shop/apple.html"


def test_an_item_missing_in_a_locale_switches_to_the_page_there_without_hreflang(
    shop: Client,
) -> None:
    html = shop.get("/shop/pear.html").get_data(as_text=True)
    assert switch(html) == {"en_US": "/shop/pear.html", "cs_CZ": "/cs/obchod/"}
    assert hreflangs(html) == {}  # nothing but itself is known: no pairs to announce


def test_a_page_links_the_page_with_its_id_in_each_locale(shop: Client) -> None:
    html = shop.get("/shop/").get_data(as_text=True)
    assert switch(html) == {"en_US": "/shop/", "cs_CZ": "/cs/obchod/"}
    assert hreflangs(html) == {
        "en-US": "http://localhost/shop/",
        "cs-CZ": "http://localhost/cs/obchod/",
        "x-default": "http://localhost/shop/",
    }


def test_a_page_missing_in_a_locale_switches_to_its_homepage(shop: Client) -> None:
    html = shop.get("/about/").get_data(as_text=True)
    assert switch(html) == {"en_US": "/about/", "cs_CZ": "/cs/"}
    assert hreflangs(html) == {}


def test_a_claimed_path_that_no_controller_refines_has_no_twin(
    make_client: Callable[..., Client],
) -> None:
    client = make_client(
        {
            **SHOP_FILES,
            "application/bases/web/pages/cs_CZ/polozky/page.yaml": """
                id: items
                title: Položky
                contents: [{module: test.hello, controller: Items}]
                """,
        }
    )
    html = client.get("/items/one.html").get_data(as_text=True)
    # the page `items` in cs_CZ is the list, not this item: the switch goes there, hreflang not
    assert switch(html) == {"en_US": "/items/one.html", "cs_CZ": "/cs/polozky/"}
    assert hreflangs(html) == {}
    assert hreflangs(client.get("/items/").get_data(as_text=True))["cs-CZ"] == (
        "http://localhost/cs/polozky/"
    )


def test_a_base_with_one_locale_has_no_hreflang(make_client: Callable[..., Client]) -> None:
    one_locale = """
        name: Web
        default: true
        locales:
          en_US:
            urls: [/]
        """
    client = make_client(
        {
            "application/bases/web/base.yaml": one_locale,
            "application/bases/web/pages/cs_CZ/page.yaml": None,
        }
    )
    assert "hreflang" not in client.get("/items/").get_data(as_text=True)


def test_an_inactive_locale_is_left_out(make_client: Callable[..., Client]) -> None:
    client = make_client(SHOP_FILES)
    app: Application = client.application  # type: ignore[assignment]
    app.bases["web"].locales["cs_CZ"].active = False
    html = client.get("/shop/apple.html").get_data(as_text=True)
    assert switch(html) == {"en_US": "/shop/apple.html"}
    assert hreflangs(html) == {}


def test_links_follow_the_proxy_scheme_and_a_locale_host(shop: Client) -> None:
    app: Application = shop.application  # type: ignore[assignment]
    app.config = dataclasses.replace(app.config, behind_proxy=True)
    html = shop.get(
        "/shop/", headers={"X-Forwarded-Proto": "https", "Host": "shop.example.com"}
    ).get_data(as_text=True)
    assert hreflangs(html)["cs-CZ"] == "https://shop.example.com/cs/obchod/"
    assert absolute("//cz.example.com/obchod/", "https://shop.example.com", "https") == (
        "https://cz.example.com/obchod/"
    )


def test_the_head_escapes_what_it_links() -> None:
    head = Head("T")
    head.alternates = [("cs-CZ", 'http://h/"><script>')]
    assert '<link rel="alternate" hreflang="cs-CZ" href="http://h/&#34;&gt;&lt;script&gt;">' in (
        head.render()
    )


# the example site ------------------------------------------------------------------------------


@pytest.fixture
def site(seeded_site: SeededSite) -> Client:
    return Client(seeded_site.app)


def test_the_example_article_switches_to_the_same_article(site: Client) -> None:
    html = site.get("/articles/micro-routers.html").get_data(as_text=True)
    assert 'href="/cs/clanky/mikrorouter.html" hreflang="cs"' in html
    assert hreflangs(html)["cs-CZ"] == "http://localhost/cs/clanky/mikrorouter.html"
    czech = site.get("/cs/clanky/mikrorouter.html").get_data(as_text=True)
    assert 'href="/articles/micro-routers.html" hreflang="en"' in czech


def test_the_example_product_and_category_switch_to_the_same_item(
    site: Client, seeded_site: SeededSite
) -> None:
    use_project_imports(REPO)  # an earlier test may have loaded another project's `application`
    from application.classes.catalog import Product

    with seeded_site.app.db.session() as session:
        product = session.scalars(select(Product).order_by(Product.id)).first()
        assert product is not None
        en, cs = product.text("en_US"), product.text("cs_CZ")
        assert en is not None and cs is not None
        en_slug, cs_slug = en.slug, cs.slug
    html = site.get(f"/products/{en_slug}.html").get_data(as_text=True)
    assert f'href="/cs/produkty/{cs_slug}.html" hreflang="cs"' in html
    assert hreflangs(html)["cs-CZ"] == f"http://localhost/cs/produkty/{cs_slug}.html"
    # a category: its slug path in the other locale, taken from the breadcrumb's first step
    crumbs = re.search(r'class="breadcrumb".*?</nav>', html, re.S)
    assert crumbs is not None
    category = re.findall(r'href="(/products/[^"]+)"', crumbs.group(0))[0]
    listing = site.get(category).get_data(as_text=True)
    twin = hreflangs(listing)["cs-CZ"]
    assert (
        twin.startswith("http://localhost/cs/produkty/") and twin != "http://localhost/cs/produkty/"
    )
    assert site.get(twin.removeprefix("http://localhost")).status_code == 200


@given(st.text())
@example("<script>alert('x') & \"y\"</script>")
def test_the_heads_escaping_is_markupsafes(text: str) -> None:
    assert _escaped(text) == str(escape(text))


def test_the_head_escapes_what_it_writes_and_keeps_markup() -> None:
    head = Head("A <b> & 'c'", [{"attribute": "name", "value": 'x"y', "content": "1 < 2"}])
    head.canonical = "http://example.com/?a=1&b=2"
    head.add_css(Markup("/public/a.css?v=1&amp;w=2"))  # already safe: kept as it is
    html = head.render()
    assert "<title>A &lt;b&gt; &amp; &#39;c&#39;</title>" in html
    assert '<meta name="x&#34;y" content="1 &lt; 2">' in html
    assert '<link rel="canonical" href="http://example.com/?a=1&amp;b=2">' in html
    assert '<link rel="stylesheet" href="/public/a.css?v=1&amp;w=2">' in html
