"""The products browser of the example site: categories by slug path, filters, product detail."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy.orm import Session
from werkzeug.test import Client

from application.classes.catalog import (
    Availability,
    Category,
    CategoryText,
    Price,
    Pricelist,
    Product,
    ProductKind,
    ProductText,
    SetItem,
)
from jetpy import Application

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date.today()  # the application tells availability against the real date
NBSP = "\xa0"


def category(session: Session, en: str, cs: str, parent: Category | None = None) -> Category:
    made = Category(parent=parent)
    made.texts = [
        CategoryText(locale="en_US", name=en, slug=en.lower(), description=f"All {en.lower()}"),
        CategoryText(locale="cs_CZ", name=cs, slug=cs.lower(), description=f"Vše: {cs}"),
    ]
    session.add(made)
    return made


def product(
    session: Session,
    code: str,
    names: tuple[str, str],
    where: Category,
    prices: tuple[str, str] | None,
    *,
    before: tuple[str, str] | None = None,
    rate: int = 21,
    stock: dict[str, Any] | None = None,
    kind: ProductKind = ProductKind.REGULAR,
) -> Product:
    """A product with texts in both locales, CZK (gross) and EUR (net) prices, stock CZ/EU."""
    made = Product(code=code, kind=kind, category=where, ean="8590000000000")
    made.texts = [
        ProductText(
            locale=locale,
            name=name,
            slug=name.lower().replace(" ", "-"),
            description=f"{name}: a description",
        )
        for locale, name in zip(("en_US", "cs_CZ"), names, strict=True)
    ]
    if prices is not None:
        czk, eur = session.info["pricelists"]
        made.prices = [
            Price(pricelist=czk, amount=Decimal(prices[0]), vat_rate=Decimal(rate)),
            Price(pricelist=eur, amount=Decimal(prices[1]), vat_rate=Decimal(rate)),
        ]
        if before is not None:
            made.prices[0].amount_before = Decimal(before[0])
            made.prices[1].amount_before = Decimal(before[1])
    if kind is ProductKind.REGULAR:
        stock = {"units": 5, **(stock or {})}
        extra = stock.pop("eu_extra_days", 0)
        made.availabilities = [
            Availability(code="CZ", **stock),
            Availability(
                code="EU", **{**stock, "delivery_days": stock.get("delivery_days", 0) + extra}
            ),
        ]
    session.add(made)
    return made


def seed(session: Session) -> None:
    """electronics > phones > rugged, books; four products and a set; both pricelists."""
    czk = Pricelist(
        code="CZK",
        currency="CZK",
        prices_include_vat=True,
        vat_rates=[21, 12, 0],
        default_vat_rate=Decimal(21),
    )
    eur = Pricelist(
        code="EUR",
        currency="EUR",
        prices_include_vat=False,
        vat_rates=[21, 12, 0],
        default_vat_rate=Decimal(21),
    )
    session.add_all([czk, eur])
    session.info["pricelists"] = (czk, eur)
    electronics = category(session, "Electronics", "Elektronika")
    phones = category(session, "Phones", "Telefony", electronics)
    rugged = category(session, "Rugged", "Odolne", phones)
    books = category(session, "Books", "Knihy")
    alpha = product(
        session,
        "ALPHA",
        ("Alpha phone", "Telefon Alfa"),
        phones,
        ("12100", "400"),
        before=("15125", "500"),
    )
    product(
        session,
        "BETA",
        ("Beta phone", "Telefon Beta"),
        rugged,
        ("6050", "200"),
        stock={"units": 0, "available_from": TODAY + dt.timedelta(days=10)},
    )
    cable = product(
        session,
        "CABLE",
        ("Cable", "Kabel"),
        electronics,
        ("121", "4.5"),
        stock={"units": 0, "sold_out_orders": True, "delivery_days": 3, "eu_extra_days": 3},
    )
    product(session, "NOVEL", ("Novel", "Roman"), books, ("299", "12"), rate=0, stock={"units": 0})
    kit = product(
        session, "KIT", ("Phone kit", "Sada telefonu"), electronics, None, kind=ProductKind.SET
    )
    kit.set_items = [SetItem(item=alpha, quantity=1), SetItem(item=cable, quantity=2)]
    kit.prices = [
        Price(pricelist=czk, set_discount_percent=Decimal(10)),
        Price(pricelist=eur, set_discount_percent=Decimal(10)),
    ]
    session.commit()


@pytest.fixture
def app(db_engine: sqlalchemy.Engine) -> Iterator[Application]:
    """The example application on the test database holding the small catalog of `seed`."""
    with Session(db_engine) as session:
        seed(session)
    application = Application(ROOT, use_cache=False)
    yield application
    application.db.dispose()


@pytest.fixture
def site(app: Application) -> Client:
    return Client(app)


def get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def main(text: str) -> str:
    return text.split('<main id="main">')[1].split("</main>")[0]


def names(html: str) -> list[str]:
    """The product names of the cards, in order."""
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)


def crumbs(text: str) -> list[str]:
    nav = text.split('class="breadcrumb"')[1].split("</nav>")[0]
    return [re.sub(r"<[^>]+>", "", "<li" + item).strip() for item in nav.split("<li")[1:]]


def title(text: str) -> str:
    return text.split("<title>")[1].split("</title>")[0]


# pages ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "links"),
    [
        ("/products/", ['href="/products/electronics">Electronics', 'href="/products/books">']),
        ("/cs/produkty/", ['href="/cs/produkty/elektronika">Elektronika', "/cs/produkty/knihy"]),
    ],
)
def test_the_page_lists_the_top_categories(site: Client, url: str, links: list[str]) -> None:
    html = main(get(site, url))
    for link in links:
        assert link in html
    assert "phones" not in html and "telefony" not in html  # only the top level


def test_the_page_is_in_the_main_menu(site: Client) -> None:
    nav = get(site, "/").split('class="main-menu"')[1].split("</nav>")[0]
    assert '<a href="/products/">Products</a>' in nav
    nav = get(site, "/cs/").split('class="main-menu"')[1].split("</nav>")[0]
    assert '<a href="/cs/produkty/">Produkty</a>' in nav


@pytest.mark.parametrize(
    ("url", "products", "children", "trail"),
    [
        (
            "/products/electronics",
            ["Alpha phone", "Beta phone", "Cable", "Phone kit"],  # subcategories included
            ["/products/electronics/phones"],
            ["Home", "Products", "Electronics"],
        ),
        (
            "/products/electronics/phones",
            ["Alpha phone", "Beta phone"],
            ["/products/electronics/phones/rugged"],
            ["Home", "Products", "Electronics", "Phones"],
        ),
        (
            "/products/electronics/phones/rugged",
            ["Beta phone"],
            [],
            ["Home", "Products", "Electronics", "Phones", "Rugged"],
        ),
        (
            "/cs/produkty/elektronika/telefony/odolne",
            ["Telefon Beta"],
            [],
            ["Úvod", "Produkty", "Elektronika", "Telefony", "Odolne"],
        ),
        ("/products/books", ["Novel"], [], ["Home", "Products", "Books"]),
    ],
)
def test_category_pages_follow_the_slug_path(
    site: Client, url: str, products: list[str], children: list[str], trail: list[str]
) -> None:
    text = get(site, url)
    html = main(text)
    assert names(html) == products
    for child in children:
        assert f'href="{child}"' in html
    assert ('class="subcategories"' in html) is bool(children)
    assert crumbs(text) == trail
    assert title(text).startswith(trail[-1] + " | ")
    assert f'<meta name="description" content="{"All" if "/cs/" not in url else "Vše:"}' in text


def test_the_breadcrumb_links_the_categories(site: Client) -> None:
    nav = get(site, "/products/electronics/phones/rugged").split('class="breadcrumb"')[1]
    assert '<a href="/products/electronics">Electronics</a>' in nav
    assert '<a href="/products/electronics/phones">Phones</a>' in nav
    assert '<li aria-current="page">Rugged</li>' in nav


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "/products/alpha-phone.html",  # EUR, stored without VAT
            [
                "<dt>Price excl. VAT</dt>\n      <dd>€400.00</dd>",
                "<dt>Price incl. VAT</dt>\n      <dd>€484.00</dd>",
                "<dt>VAT 21%</dt>\n      <dd>€84.00</dd>",
                'class="availability in_stock">In stock<',
            ],
        ),
        (
            "/cs/produkty/telefon-alfa.html",  # CZK, stored with VAT, a price before discount
            [
                f"<dt>Cena s DPH</dt>\n      <dd>12{NBSP}100,00{NBSP}Kč</dd>",
                f"<dt>Cena bez DPH</dt>\n      <dd>10{NBSP}000,00{NBSP}Kč</dd>",
                f"<dt>DPH 21{NBSP}%</dt>\n      <dd>2{NBSP}100,00{NBSP}Kč</dd>",
                f"<del>15{NBSP}125,00{NBSP}Kč</del> (s DPH)",
                f'<span class="badge discount" title="Sleva">-20{NBSP}%</span>',
                'class="availability in_stock">Skladem<',
            ],
        ),
        (
            "/products/cable.html",
            ["<dd>€4.50</dd>", "<dd>€5.45</dd>", ">Delivery in 6 days<"],  # 5.445 half up
        ),
        ("/cs/produkty/kabel.html", [f"<dd>121,00{NBSP}Kč</dd>", ">Doručení do 3 dnů<"]),
        ("/products/novel.html", ["<dt>VAT 0%</dt>", "<dd>€12.00</dd>", ">Not available<"]),
        ("/cs/produkty/roman.html", [f"<dd>299,00{NBSP}Kč</dd>", ">Není k dispozici<"]),
        (
            "/products/phone-kit.html",  # 400 + 2 x 4.50 = 409 net, less 10 %
            [
                "<dd>€368.10</dd>",
                "<dd>€445.40</dd>",
                "<del>€409.00</del> (excl. VAT)",
                'title="Discount">-10%</span>',
                '1&times; <a href="/products/alpha-phone.html">Alpha phone</a>',
                '2&times; <a href="/products/cable.html">Cable</a>',
                ">Delivery in 6 days<",  # the worst item: the cable
            ],
        ),
        (
            "/cs/produkty/sada-telefonu.html",  # 12 100 + 2 x 121 = 12 342, less 10 %
            [f"<dd>11{NBSP}107,80{NBSP}Kč</dd>", f"<dd>9{NBSP}180,00{NBSP}Kč</dd>"],
        ),
    ],
)
def test_product_detail(site: Client, url: str, expected: list[str]) -> None:
    html = between_tags(main(get(site, url)))  # the view's indentation is not what is tested
    for part in expected:
        assert between_tags(part) in html


def between_tags(html: str) -> str:
    """`html` without the white space between a tag's end and the next tag."""
    return re.sub(r">\s+<", "><", html)


def test_a_future_date_is_shown_in_the_locale(site: Client) -> None:
    date = TODAY + dt.timedelta(days=10)
    en = main(get(site, "/products/beta-phone.html"))
    assert f">Available from {date:%B} {date.day}, {date.year}<" in en
    cs = main(get(site, "/cs/produkty/telefon-beta.html"))
    assert f">Dostupné od {date.day}. " in cs


@pytest.mark.parametrize(
    ("url", "trail", "back"),
    [
        (
            "/products/beta-phone.html",
            ["Home", "Products", "Electronics", "Phones", "Rugged", "Beta phone"],
            '<a href="/products/electronics/phones/rugged">&larr; Rugged</a>',
        ),
        (
            "/cs/produkty/kabel.html",
            ["Úvod", "Produkty", "Elektronika", "Kabel"],
            '<a href="/cs/produkty/elektronika">&larr; Elektronika</a>',
        ),
    ],
)
def test_product_title_breadcrumb_and_description(
    site: Client, url: str, trail: list[str], back: str
) -> None:
    text = get(site, url)
    assert crumbs(text) == trail
    assert title(text).startswith(trail[-1] + " | ")
    assert f'<meta name="description" content="{trail[-1]}: a description">' in text
    assert back in main(text)


# filters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha phone", "Beta phone", "Cable", "Phone kit"]),
        ("in_stock=1", ["Alpha phone"]),
        ("price_min=300", ["Alpha phone", "Phone kit"]),  # EUR without VAT: 400, 368.10
        ("price_max=4.50", ["Cable"]),
        ("price_min=200&price_max=399,99", ["Beta phone", "Phone kit"]),
        ("sort=price", ["Cable", "Beta phone", "Phone kit", "Alpha phone"]),
        ("sort=-price", ["Alpha phone", "Phone kit", "Beta phone", "Cable"]),
        ("sort=-name", ["Phone kit", "Cable", "Beta phone", "Alpha phone"]),
        ("sort=-price&price_min=300&in_stock=0", ["Alpha phone", "Phone kit"]),
        ("in_stock=1&price_min=1000", []),
    ],
)
def test_filters(site: Client, query: str, expected: list[str]) -> None:
    html = main(get(site, f"/products/electronics?{query}"))
    assert names(html) == expected
    assert "form-errors" not in html
    if not expected:
        assert "No products match the filters." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("price_max=150", ["Kabel"]),  # CZK with VAT: 121
        ("price_min=12000", ["Telefon Alfa"]),
        ("sort=price", ["Kabel", "Telefon Beta", "Sada telefonu", "Telefon Alfa"]),
    ],
)
def test_czech_filters_use_prices_with_vat(site: Client, query: str, expected: list[str]) -> None:
    assert names(main(get(site, f"/cs/produkty/elektronika?{query}"))) == expected


def test_the_form_shows_the_filter(site: Client) -> None:
    html = main(get(site, "/products/electronics?in_stock=1&price_min=10&sort=-price"))
    assert '<input type="checkbox" name="in_stock" value="1" checked>' in html
    assert 'name="price_min" size="7" value="10"' in html
    assert '<option value="-price" selected>' in html
    assert '<a href="/products/electronics">Clear the filters</a>' in html
    assert "EUR, excl. VAT" in html


def test_a_nul_in_a_filter_is_refused_by_the_input_layer(site: Client) -> None:
    response = site.get("/products/electronics?sort=price%00")
    assert response.status_code == 400
    assert "query parameter `sort`" in response.get_data(as_text=True)


AMOUNT = "enter an amount of 0 or more, such as 250 or 99.90"
AMOUNT_CS = "zadejte částku 0 nebo vyšší, například 250 nebo 99,90"


@pytest.mark.parametrize(
    ("query", "said", "said_cs"),
    [
        (
            "in_stock=yes",
            "“In stock only” had a value it cannot take; tick the box or leave it empty.",
            "„Jen skladem“ mělo hodnotu, kterou mít nemůže; zaškrtněte políčko, "
            "nebo ho nechte prázdné.",
        ),
        ("price_min=abc", f"“Price from”: {AMOUNT}.", f"„Cena od“: {AMOUNT_CS}."),
        (
            "price_max=-1",
            f"Price “to”: {AMOUNT}.",
            f"Cena „do“: {AMOUNT_CS}.",
        ),
        (
            "price_max=1e99",
            f"Price “to”: {AMOUNT}.",
            f"Cena „do“: {AMOUNT_CS}.",
        ),
        ("price_min=NaN", f"“Price from”: {AMOUNT}.", f"„Cena od“: {AMOUNT_CS}."),
        (
            "price_min=50&price_max=10",
            "“Price from” is above the highest price; swap the two.",
            "„Cena od“ je vyšší než nejvyšší cena; prohoďte je.",
        ),
        (
            "sort=popularity",
            "“Sort”: choose one of the orders offered.",
            "„Řadit“: vyberte jedno z nabízených řazení.",
        ),
        (
            "sort=price%C2%B2",
            "“Sort”: choose one of the orders offered.",
            "„Řadit“: vyberte jedno z nabízených řazení.",
        ),
        # ž: and in_stock is dropped too
        ("price_min=%C5%BE&in_stock=1", f"“Price from”: {AMOUNT}.", f"„Cena od“: {AMOUNT_CS}."),
    ],
)
def test_bad_filter_values_show_everything_and_say_what_was_wrong(
    site: Client, query: str, said: str, said_cs: str
) -> None:
    html = main(get(site, f"/products/electronics?{query}"))
    assert names(html) == ["Alpha phone", "Beta phone", "Cable", "Phone kit"]
    assert "These filters could not be used, so all the products are shown:</p>" in html
    assert f"<li>{said}</li>" in html
    assert html.count("<li>“") + html.count("<li>Price “to”") == 1  # only what was wrong
    cs = main(get(site, f"/cs/produkty/elektronika?{query}"))
    assert "Tyto filtry nešlo použít, proto se zobrazují všechny produkty:</p>" in cs
    assert f"<li>{said_cs}</li>" in cs


def test_a_wrong_price_stays_in_its_field_to_be_corrected(site: Client) -> None:
    html = main(get(site, "/products/electronics?price_min=12%2C5x&price_max=80&sort=price"))
    assert (
        'name="price_min" size="7" value="12,5x" aria-invalid="true" '
        'aria-describedby="filter-errors"'
    ) in html
    assert 'name="price_max" size="7" value="80">' in html  # kept, though not applied
    assert '<option value="price" selected>' in html
    assert ">Clear the filters</a>" in html
    both = main(get(site, "/products/electronics?price_min=50&price_max=10"))
    assert 'name="price_min" size="7" value="50" aria-invalid="true"' in both
    assert 'name="price_max" size="7" value="10" aria-invalid="true"' in both
    escaped = main(get(site, "/products/electronics?price_min=%22%3E%3Cb%3E"))
    assert 'value="&#34;&gt;&lt;b&gt;" aria-invalid="true"' in escaped


@pytest.mark.parametrize(
    "url",
    [
        "/products/cameras",
        "/products/phones",  # not a top category
        "/products/electronics/rugged",  # skips a level
        "/products/books/phones",
        "/products/electronics/phones/rugged/more",
        "/products/elektronika",  # the other locale's slug
        "/cs/produkty/electronics",
        "/products/Electronics",
        "/products/nothing.html",
        "/products/alpha-phone",  # a product needs .html
        "/products/telefon-alfa.html",  # the other locale's slug
        "/products/electronics/alpha-phone.html",
        "/products/Alpha-Phone.html",
        "/products/.html",
    ],
)
def test_unknown_paths_are_404(site: Client, url: str) -> None:
    get(site, url, 404)


# the homepage widget --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/", ['<h2 class="section-title">Featured products</h2>', "/products/alpha-phone.html"]),
        ("/cs/", ["Vybrané produkty", '<a href="/cs/produkty/telefon-alfa.html">Telefon Alfa']),
    ],
)
def test_the_homepage_features_discounted_products(
    site: Client, url: str, expected: list[str]
) -> None:
    html = main(get(site, url)).split('<section class="featured">')[1].split("</section>")[0]
    for part in expected:
        assert part in html
    assert len(names(html)) == 1  # the one discounted product in stock


def test_an_empty_catalog_features_nothing(db_url: str, db_engine: sqlalchemy.Engine) -> None:
    application = Application(ROOT, use_cache=False)
    try:
        client = Client(application)
        assert "Featured products" not in get(client, "/")
        assert "The catalog is empty." in main(get(client, "/products/"))
        get(client, "/products/electronics", 404)
    finally:
        application.db.dispose()


# statements -----------------------------------------------------------------------------
def count_statements(app: Application, client: Client, url: str) -> int:
    run: list[str] = []

    def record(*args: Any) -> None:
        run.append(args[2])

    sqlalchemy.event.listen(app.db.engine, "before_cursor_execute", record)
    try:
        get(client, url)
    finally:
        sqlalchemy.event.remove(app.db.engine, "before_cursor_execute", record)
    return len(run)


def test_a_category_page_costs_the_same_statements_for_more_products(
    app: Application, site: Client
) -> None:
    url = "/products/electronics?sort=price"
    before = count_statements(app, site, url)
    with app.db.session() as session:
        czk, eur = session.query(Pricelist).order_by(Pricelist.code).all()
        session.info["pricelists"] = (czk, eur)
        phones = (
            session.query(Category)
            .filter(Category.parent_id.is_not(None))
            .order_by(Category.id)
            .first()
        )
        assert phones is not None
        for n in range(25):
            product(session, f"P{n}", (f"Extra {n}", f"Navic {n}"), phones, ("100", "4"))
        session.commit()
    assert len(names(main(get(site, url)))) == 24  # a page of 4 + 25 (test_catalog_paging.py)
    assert len(names(main(get(site, "/products/electronics/page-2?sort=price")))) == 4 + 25 - 24
    assert count_statements(app, site, url) == before
    assert before <= 15
