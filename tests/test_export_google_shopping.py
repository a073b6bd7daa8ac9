"""The Google Shopping export: `jetpy export google-shopping` and the feed page of base web."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy
from click.testing import CliRunner, Result
from markupsafe import escape
from sqlalchemy.orm import Session
from werkzeug.test import Client, EnvironBuilder

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
from application.modules.exports.google_shopping import cli as google_shopping_cli
from application.modules.exports.google_shopping import feed, rss
from application.modules.exports.google_shopping.feed import (
    FeedError,
    batches,
    feed_source,
    write_feed,
)
from application.modules.exports.google_shopping.links import (
    absolute,
    channel,
    check_site_url,
    product_links,
)
from jetpy import Application
from jetpy.cli.main import main
from tests.conftest import REPO

D = Decimal
G = "{http://base.google.com/ns/1.0}"
TODAY = dt.date.today()  # the feed states availability as of today
SITE = "https://shop.test"


# a small catalog: one product per case ---------------------------------------------------
def stock(
    units: int = 0, days: int = 0, available_from: dt.date | None = None, orders: bool = False
) -> list[Availability]:
    """The same stock under both availability codes; EU deliveries take three days longer."""
    return [
        Availability(
            code=code,
            units=units,
            delivery_days=days + extra,
            available_from=available_from,
            sold_out_orders=orders,
        )
        for code, extra in (("CZ", 0), ("EU", 3))
    ]


def product(
    code: str,
    names: dict[str, tuple[str, str]],
    czk: tuple[str, str | None, int] | None,
    eur: tuple[str, str | None, int] | None,
    availability: list[Availability],
    ean: str | None = None,
    pricelists: tuple[Pricelist, Pricelist] | None = None,
) -> Product:
    """A regular product; prices are (amount, amount before discount, VAT rate)."""
    assert pricelists is not None
    made = Product(code=code, ean=ean, kind=ProductKind.REGULAR)
    made.texts = [
        ProductText(locale=locale, name=name, slug=slug, description=f"{name}, described.")
        for locale, (name, slug) in names.items()
    ]
    made.prices = [
        Price(
            pricelist=pricelist,
            amount=D(price[0]),
            amount_before=D(price[1]) if price[1] else None,
            vat_rate=D(price[2]),
        )
        for pricelist, price in zip(pricelists, (czk, eur), strict=True)
        if price is not None
    ]
    made.availabilities = availability
    return made


def seed_shop(session: Session) -> None:
    """Two pricelists and products for every case the feed handles."""
    czk = Pricelist(
        code="CZK",
        currency="CZK",
        prices_include_vat=True,
        vat_rates=["21", "12", "0"],
        default_vat_rate=D(21),
    )
    eur = Pricelist(
        code="EUR",
        currency="EUR",
        prices_include_vat=False,
        vat_rates=["21", "12", "0"],
        default_vat_rate=D(21),
    )
    gadgets = Category(position=0)
    gadgets.texts = [
        CategoryText(locale="en_US", name="Gadgets", slug="gadgets"),
        CategoryText(locale="cs_CZ", name="Udělátka", slug="udelatka"),
    ]
    both = (czk, eur)
    lamp = product(
        "LAMP",
        {"en_US": ("Desk lamp", "desk-lamp"), "cs_CZ": ("Stolní lampa", "stolni-lampa")},
        ("1234.50", None, 21),
        ("100.00", None, 21),
        stock(units=5),
        ean="8594000000019",
        pricelists=both,
    )
    kettle = product(
        "KETTLE",
        {"en_US": ("Kettle", "kettle"), "cs_CZ": ("Konvice", "konvice")},
        ("1000", "1250", 21),
        ("40.00", "50.00", 21),
        stock(available_from=TODAY + dt.timedelta(days=10)),
        ean="8594000000026",
        pricelists=both,
    )
    mug = product(
        "MUG",
        {
            "en_US": ('Mug "Tom & Jerry" <350 ml>\x0b', "mug-tom-jerry"),
            "cs_CZ": ("Hrnek „Tom & Jerry“ <350 ml>", "hrnek-tom-jerry"),
        },
        ("199", None, 21),
        ("8.00", None, 21),
        stock(days=4, orders=True),
        pricelists=both,
    )
    tea = product(
        "TEA",
        {"en_US": ("Green tea", "green-tea"), "cs_CZ": ("Zelený čaj", "zeleny-caj")},
        ("89", None, 12),
        ("3.50", None, 12),
        stock(),
        ean="8594000000033",
        pricelists=both,
    )
    book = product(  # sold in CZK only
        "BOOK",
        {"en_US": ("A book", "a-book"), "cs_CZ": ("Kniha", "kniha")},
        ("299", None, 0),
        None,
        stock(units=2),
        pricelists=both,
    )
    ghost = product(  # not translated to Czech
        "GHOST",
        {"en_US": ("Ghost", "ghost")},
        ("10", None, 21),
        ("1.00", None, 21),
        stock(units=1),
        pricelists=both,
    )
    gift = Product(code="SET-GIFT", kind=ProductKind.SET)
    gift.texts = [
        ProductText(locale="en_US", name="Gift set", slug="gift-set"),
        ProductText(locale="cs_CZ", name="Dárková sada", slug="darkova-sada"),
    ]
    gift.set_items = [SetItem(item=lamp, quantity=1), SetItem(item=mug, quantity=2, position=1)]
    gift.prices = [Price(pricelist=czk, set_discount_percent=D(10))]
    reading = Product(code="SET-READING", kind=ProductKind.SET)  # the book has no EUR price
    reading.texts = [
        ProductText(locale="en_US", name="Reading set", slug="reading-set"),
        ProductText(locale="cs_CZ", name="Sada na čtení", slug="sada-na-cteni"),
    ]
    reading.set_items = [SetItem(item=book, quantity=1), SetItem(item=lamp, quantity=1)]
    for made in (lamp, kettle, mug, tea, book, ghost, gift, reading):
        made.category = gadgets
    session.add_all([czk, eur, gadgets, lamp, kettle, mug, tea, book, ghost, gift, reading])


@pytest.fixture
def shop(db_engine: sqlalchemy.Engine) -> Iterator[Application]:
    """The example application on the test database holding the small catalog."""
    with Session(db_engine) as session:
        seed_shop(session)
        session.commit()
    app = Application(REPO, use_cache=False)
    yield app
    app.db.dispose()


def export(*args: str) -> Result:
    return CliRunner().invoke(
        main, ["--project", str(REPO), "export", "google-shopping", *args], catch_exceptions=False
    )


def items(xml: bytes | str) -> dict[str, dict[str, str]]:
    """The feed's items by `g:id`: element name (without the g namespace) → text."""
    root = ET.fromstring(xml)
    found = {}
    for item in root.findall("channel/item"):
        values = {child.tag.removeprefix(G): child.text or "" for child in item}
        found[values["id"]] = values
    return found


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder for feeds."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def get(app: Application, url: str, **kwargs: Any) -> tuple[int, str, bytes, dict[str, str]]:
    """Status, content type, body and headers of a GET; the response is closed."""
    with Client(app).get(url, **kwargs) as response:
        return (
            response.status_code,
            response.content_type or "",
            response.get_data(),
            dict(response.headers),
        )


# the command -----------------------------------------------------------------------------
def test_the_czech_feed_has_gross_czk_prices_and_all_four_availabilities(
    shop: Application, tmp_path: Path
) -> None:
    target = tmp_path / "feed.xml"
    result = export(
        "--locale", "cs_CZ", "--pricelist", "CZK", "-o", str(target), "--base-url", SITE
    )
    assert result.exit_code == 0, result.output
    assert "7 products of cs_CZ in CZK written to" in result.stderr
    assert result.stdout == ""
    xml = target.read_bytes()
    assert xml.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b'xmlns:g="http://base.google.com/ns/1.0"' in xml
    root = ET.fromstring(xml)
    assert root.tag == "rss" and root.get("version") == "2.0"
    assert root.findtext("channel/title") == "Jetpy Ukázka"
    assert root.findtext("channel/link") == f"{SITE}/cs/"
    assert root.findtext("channel/description") == "Ukázkový web postavený na jetpy"
    found = items(xml)
    # GHOST has no Czech texts; every other product has a CZK price
    assert sorted(found) == ["BOOK", "KETTLE", "LAMP", "MUG", "SET-GIFT", "SET-READING", "TEA"]
    lamp = found["LAMP"]
    assert lamp == {
        "id": "LAMP",
        "title": "Stolní lampa",
        "description": "Stolní lampa, described.",
        "link": f"{SITE}/cs/produkty/stolni-lampa.html",
        "price": "1234.50 CZK",
        "availability": "in_stock",
        "gtin": "8594000000019",
        "condition": "new",
    }
    kettle = found["KETTLE"]
    assert (kettle["price"], kettle["sale_price"]) == ("1250.00 CZK", "1000.00 CZK")
    assert kettle["availability"] == "preorder"
    assert kettle["availability_date"] == f"{TODAY + dt.timedelta(days=10)}T00:00Z"
    mug = found["MUG"]
    assert mug["availability"] == "backorder"
    assert mug["availability_date"] == f"{TODAY + dt.timedelta(days=4)}T00:00Z"
    assert mug["title"] == "Hrnek „Tom & Jerry“ <350 ml>"  # escaped in the file, intact here
    assert "gtin" not in mug and mug["identifier_exists"] == "no"
    assert b"Tom &amp; Jerry\xe2\x80\x9c &lt;350 ml&gt;" in xml
    assert found["TEA"]["availability"] == "out_of_stock"
    assert "availability_date" not in found["TEA"] and "sale_price" not in found["TEA"]
    assert found["TEA"]["price"] == "89.00 CZK"
    # a set: its items' prices less 10 %, and its worst item's availability
    gift = found["SET-GIFT"]
    assert (gift["price"], gift["sale_price"]) == ("1632.50 CZK", "1469.25 CZK")
    assert gift["availability"] == "backorder"
    assert found["SET-READING"]["price"] == "1533.50 CZK"


def test_the_eur_feed_turns_net_prices_into_gross(shop: Application, tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    result = export(
        "--locale", "en_US", "--pricelist", "EUR", "-o", str(target), "--base-url", SITE
    )
    assert result.exit_code == 0, result.output
    found = items(target.read_bytes())
    # the book and a set holding it have no EUR price
    assert sorted(found) == ["GHOST", "KETTLE", "LAMP", "MUG", "SET-GIFT", "TEA"]
    assert found["LAMP"]["price"] == "121.00 EUR"  # 100.00 + 21 %
    assert (found["KETTLE"]["price"], found["KETTLE"]["sale_price"]) == ("60.50 EUR", "48.40 EUR")
    assert found["TEA"]["price"] == "3.92 EUR"  # 3.50 + 12 %
    assert found["SET-GIFT"]["price"] == "140.36 EUR"  # (100 + 2 * 8) + 21 %, no EUR discount
    assert found["LAMP"]["link"] == f"{SITE}/products/desk-lamp.html"
    # stock under the EU code: three days longer, and a character XML cannot carry is gone
    mug = found["MUG"]
    assert mug["availability_date"] == f"{TODAY + dt.timedelta(days=7)}T00:00Z"
    assert mug["title"] == 'Mug "Tom & Jerry" <350 ml>'


def test_the_pricelist_defaults_to_the_locales_market(shop: Application, tmp_path: Path) -> None:
    target = tmp_path / "feed.xml"
    result = export("-l", "en_US", "-o", str(target))
    assert result.exit_code == 0, result.output
    lamp = items(target.read_bytes())["LAMP"]
    assert lamp["price"] == "121.00 EUR"
    assert lamp["link"] == "http://127.0.0.1:8000/products/desk-lamp.html"  # `jetpy run`


def test_the_site_url_comes_from_the_environment(
    shop: Application, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JETPY_BASE_URL", "https://eshop.example.cz")
    target = tmp_path / "feed.xml"
    assert export("-l", "cs_CZ", "-o", str(target)).exit_code == 0
    assert items(target.read_bytes())["LAMP"]["link"].startswith("https://eshop.example.cz/cs/")


def test_every_link_is_a_product_page_of_the_web_base(shop: Application, tmp_path: Path) -> None:
    client = Client(shop)
    for locale, pricelist in (("cs_CZ", "CZK"), ("en_US", "EUR")):
        target = tmp_path / f"{locale}.xml"
        assert export("-l", locale, "--pricelist", pricelist, "-o", str(target)).exit_code == 0
        for code, item in items(target.read_bytes()).items():
            response = client.get(urlsplit(item["link"]).path)
            assert response.status_code == 200, (code, item["link"])
            assert str(escape(item["title"])) in response.get_data(as_text=True), code


def test_dash_writes_the_feed_to_standard_output(shop: Application, tmp_path: Path) -> None:
    result = export("-l", "cs_CZ", "--pricelist", "CZK", "-o", "-")
    assert result.exit_code == 0, result.output
    assert len(items(result.stdout_bytes)) == 7
    assert "Writing" not in result.stderr  # no progress bar over a piped feed
    assert "written to standard output" in result.stderr
    assert list(tmp_path.glob("*.xml")) == []


def test_a_file_gets_a_progress_bar_on_standard_error(shop: Application, tmp_path: Path) -> None:
    result = export("-l", "cs_CZ", "-o", str(tmp_path / "feed.xml"))
    assert "Writing feed.xml" in result.stderr and "Writing" not in result.stdout


@pytest.mark.parametrize(
    ("args", "option", "message"),
    [
        (
            ["-l", "de_DE"],
            "'--locale'",
            "base `web` has no locale 'de_DE'; use one of: cs_CZ, en_US",
        ),
        (["-l", "cs_CZ", "--pricelist", "USD"], "'--pricelist'", "use one of: CZK, EUR"),
        (["-l", "cs_CZ", "--base-url", "shop.test"], "'--base-url'", "is not a site URL"),
        (["-l", "cs_CZ", "--base-url", "http://shop.test:65536"], "'--base-url'", "not a site URL"),
        (
            ["-l", "cs_CZ", "--base-url", f"http://{'a' * 64}.test"],
            "'--base-url'",
            "not a site URL",
        ),
        (
            ["-l", "cs_CZ", "--base-url", "http://shop.test/eshop"],
            "'--base-url'",
            "only the scheme",
        ),
    ],
)
def test_bad_arguments_name_the_valid_values_and_write_nothing(
    shop: Application, out: Path, args: list[str], option: str, message: str
) -> None:
    result = export(*args, "-o", str(out / "feed.xml"))
    assert result.exit_code == 2
    assert f"Invalid value for {option}" in result.stderr and message in result.stderr
    assert list(out.iterdir()) == []


def test_a_missing_output_folder_is_named(shop: Application, tmp_path: Path) -> None:
    result = export("-l", "cs_CZ", "-o", str(tmp_path / "nowhere" / "feed.xml"))
    assert result.exit_code == 2 and "does not exist; create it first" in result.stderr


def test_an_output_folder_one_may_not_write_to_is_named(
    shop: Application, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(out / ".feed.xml.tmp"))

    monkeypatch.setattr(google_shopping_cli.tempfile, "mkstemp", refused)
    result = export("-l", "cs_CZ", "-o", str(out / "feed.xml"))
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "Permission denied" in result.stderr
    assert "choose a folder you may write to with --output" in result.stderr


def test_an_empty_catalog_says_how_to_fill_it(db_engine: sqlalchemy.Engine, tmp_path: Path) -> None:
    result = export("-l", "cs_CZ", "-o", str(tmp_path / "feed.xml"))
    assert result.exit_code == 2
    assert "the catalog has no pricelists at all (fill it, e.g. with `jetpy db seed`)" in (
        result.stderr
    )


def test_missing_tables_say_how_to_create_them(db_url: str, tmp_path: Path) -> None:
    result = export("-l", "cs_CZ", "-o", str(tmp_path / "feed.xml"))
    assert result.exit_code == 1
    assert "cannot read the catalog" in result.stderr and "jetpy db upgrade" in result.stderr
    assert list(tmp_path.glob("*.xml")) == []


def test_a_failed_export_leaves_the_old_feed_alone(
    shop: Application, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = out / "feed.xml"
    target.write_text("the old feed")
    written: list[str] = []
    # the writer the command will import: the one of the example project, loaded by `shop`
    # (an earlier test's project may have replaced the `application` imported above)
    writer = importlib.import_module("application.modules.exports.google_shopping.rss").RssWriter
    original = writer.write

    def fail_on_the_third(self: rss.RssWriter, item: rss.FeedItem) -> None:
        if len(written) == 2:
            raise RuntimeError("the disk is gone")
        written.append(item.id)
        original(self, item)

    monkeypatch.setattr(writer, "write", fail_on_the_third)
    with pytest.raises(RuntimeError, match="the disk is gone"):
        export("-l", "cs_CZ", "-o", str(target))
    assert target.read_text() == "the old feed"
    assert [p.name for p in out.iterdir()] == ["feed.xml"]  # no temporary file left


def test_a_finished_export_replaces_the_feed_readable_by_all(shop: Application, out: Path) -> None:
    target = out / "feed.xml"
    target.write_text("the old feed")
    target.chmod(0o640)
    assert export("-l", "cs_CZ", "-o", str(target)).exit_code == 0
    assert len(items(target.read_bytes())) == 7
    assert target.stat().st_mode & 0o777 == 0o640  # the old feed's mode is kept
    assert [p.name for p in out.iterdir()] == ["feed.xml"]
    fresh = out / "new.xml"
    assert export("-l", "cs_CZ", "-o", str(fresh)).exit_code == 0
    assert fresh.stat().st_mode & 0o777 == 0o644


def test_a_product_breaking_a_rule_is_skipped_with_a_warning(
    shop: Application, tmp_path: Path
) -> None:
    with shop.db.session() as session:
        lamp = session.scalars(sqlalchemy.select(Price).join(Product).where(Product.code == "TEA"))
        for price in lamp:
            price.vat_rate = D(15)  # a rate neither pricelist has
        session.commit()
    target = tmp_path / "feed.xml"
    result = export("-l", "cs_CZ", "-o", str(target))
    assert result.exit_code == 0
    assert "warning: skipped product TEA: pricelist 'CZK' has no VAT rate 15" in result.stderr
    assert "TEA" not in items(target.read_bytes()) and "LAMP" in items(target.read_bytes())


def test_without_the_products_browser_there_is_nothing_to_link_to(
    shop: Application, tmp_path: Path
) -> None:
    shop.modules["catalog.products.browser"].state = "installed"
    with pytest.raises(
        FeedError, match=r"catalog.products.browser is not activated, so products have no pages"
    ):
        product_links(shop, "cs_CZ", SITE)


def test_a_web_locale_without_a_market_is_refused(
    shop: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_market(locale: str) -> Any:
        raise LookupError(f"the catalog has no market for locale {locale!r}")

    monkeypatch.setattr(feed, "market_for", no_market)
    with pytest.raises(FeedError, match="no market for locale 'cs_CZ'"):
        feed.check_locale(shop, "cs_CZ")


# reading the catalog ----------------------------------------------------------------------
@pytest.fixture
def session(shop: Application) -> Iterator[Session]:
    with shop.db.session() as opened:
        yield opened


def test_batches_read_every_product_once(session: Session) -> None:
    source = feed_source(session, "cs_CZ", "CZK")
    read = [[p.code for p in batch] for batch in batches(session, source, size=3)]
    assert [len(batch) for batch in read] == [3, 3, 1]
    assert sorted(code for batch in read for code in batch) == sorted(
        ["LAMP", "KETTLE", "MUG", "TEA", "BOOK", "SET-GIFT", "SET-READING"]
    )
    assert feed.count_products(session, source) == 7


def test_the_statements_do_not_grow_with_the_products(shop: Application, session: Session) -> None:
    def statements() -> int:
        run: list[str] = []

        def record(*args: Any) -> None:
            run.append(args[2])

        source = feed_source(session, "cs_CZ", "CZK")
        links = product_links(shop, "cs_CZ", SITE)
        sqlalchemy.event.listen(shop.db.engine, "before_cursor_execute", record)
        try:
            write_feed(io.BytesIO(), session, source, channel(shop, "cs_CZ", SITE), links)
        finally:
            sqlalchemy.event.remove(shop.db.engine, "before_cursor_execute", record)
        session.expunge_all()
        return len(run)

    before = statements()
    czk = session.scalars(sqlalchemy.select(Pricelist).where(Pricelist.code == "CZK")).one()
    for number in range(40):
        more = Product(code=f"MORE-{number}", ean=f"85940000{number:05d}")
        more.texts = [ProductText(locale="cs_CZ", name=f"Další {number}", slug=f"dalsi-{number}")]
        more.prices = [Price(pricelist=czk, amount=D(number + 1))]
        more.availabilities = stock(units=number % 2)
        session.add(more)
    session.commit()
    # products, texts, prices, stock, set items, then the items of the sets with theirs
    assert statements() == before <= 12


# the page of the web base -----------------------------------------------------------------
def test_the_feed_page_answers_with_the_locales_feed(shop: Application) -> None:
    status, content_type, body, headers = get(shop, "/cs/google-shopping/", base_url=SITE)
    assert status == 200 and content_type == "application/rss+xml; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"  # the base's headers
    assert headers["Content-Length"] == str(len(body))
    found = items(body)
    assert sorted(found) == ["BOOK", "KETTLE", "LAMP", "MUG", "SET-GIFT", "SET-READING", "TEA"]
    assert found["LAMP"]["link"] == "https://shop.test/cs/produkty/stolni-lampa.html"
    assert found["LAMP"]["price"] == "1234.50 CZK"
    english = items(get(shop, "/google-shopping/")[2])
    assert english["LAMP"]["price"] == "121.00 EUR"
    assert english["LAMP"]["link"] == "http://localhost/products/desk-lamp.html"


def test_the_feed_page_takes_no_pricelist_from_the_query(shop: Application) -> None:
    assert items(get(shop, "/google-shopping/?pricelist=CZK")[2])["LAMP"]["price"] == "121.00 EUR"


def test_the_feed_page_claims_no_leftover_path(shop: Application) -> None:
    assert get(shop, "/google-shopping/feed.xml")[0] == 404


def with_parameters(app: Application, **parameters: str) -> None:
    """Give the content of page google-shopping (cs_CZ) these parameters."""
    page = app.page("google-shopping", base="web", locale="cs_CZ")
    content = dataclasses.replace(page.contents[0], parameters=parameters)
    page.definition = dataclasses.replace(page.definition, contents=(content,))


def test_a_page_may_mount_the_feed_of_another_pricelist_and_site(shop: Application) -> None:
    with_parameters(shop, pricelist="EUR", base_url="https://eshop.example.cz")
    found = items(get(shop, "/cs/google-shopping/", base_url="http://evil.test")[2])
    assert found["LAMP"]["price"] == "121.00 EUR"
    assert found["LAMP"]["link"] == "https://eshop.example.cz/cs/produkty/stolni-lampa.html"


def test_an_unknown_pricelist_on_the_page_is_not_found(
    shop: Application, caplog: pytest.LogCaptureFixture
) -> None:
    with_parameters(shop, pricelist="USD")
    assert get(shop, "/cs/google-shopping/")[0] == 404
    assert "there is no pricelist 'USD'; use one of: CZK, EUR" in caplog.text


@pytest.mark.parametrize("host", ["evil test", f"{'a' * 64}.test", "shop.test:65536"])
def test_a_forged_host_is_a_bad_request(shop: Application, host: str) -> None:
    # called as WSGI: werkzeug's test client cannot itself parse a port out of range
    environ = EnvironBuilder("/google-shopping/").get_environ()
    environ["HTTP_HOST"] = host
    statuses: list[str] = []
    body = shop(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(body)
    getattr(body, "close", lambda: None)()
    assert statuses == ["400 BAD REQUEST"]


# the pieces -------------------------------------------------------------------------------
def test_money_is_fixed_point_with_the_currency() -> None:
    assert rss.money(D("1E+3"), "CZK") == "1000 CZK"
    assert rss.money(D("1234.50"), "EUR") == "1234.50 EUR"


def test_clean_drops_what_xml_cannot_carry_and_cuts_long_text() -> None:
    assert rss.clean(" a\x00b\x0bc\ufffe ") == "abc"
    assert rss.clean("x" * 200, 150) == "x" * 149 + "…"


def test_the_writer_streams_a_valid_feed() -> None:
    out = io.BytesIO()
    with rss.RssWriter(out, rss.Channel("Shop & Co", "https://s.test/", "All <things>")) as w:
        w.write(
            rss.FeedItem("A&1", "T", "D", "https://s.test/a?x=1&y=2", D("5.00"), "EUR", "in_stock")
        )
    root = ET.fromstring(out.getvalue())
    assert root.findtext("channel/title") == "Shop & Co"
    assert root.findtext("channel/item/link") == "https://s.test/a?x=1&y=2"
    assert root.findtext(f"channel/item/{G}id") == "A&1"


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("/cs/produkty/a.html", "https://shop.test/cs/produkty/a.html"),
        ("//eshop.cz/a.html", "https://eshop.cz/a.html"),  # a locale with a host of its own
    ],
)
def test_absolute_urls(url: str, site: str) -> None:
    assert absolute(url, check_site_url("https://Shop.test/")) == site


def test_the_feed_links_the_main_image_and_the_gallery(shop: Application) -> None:
    from PIL import Image

    from application.classes.catalog.models import Product, ProductImage
    from application.classes.media import add_file
    from jetpy.media import check_upload

    def picture(color: str) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (300, 200), color).save(out, "PNG")
        return out.getvalue()

    with shop.db.session() as session:
        lamp = session.scalar(sqlalchemy.select(Product).where(Product.code == "LAMP"))
        assert lamp is not None
        main, *more = (
            add_file(session, shop.media, check_upload(f"{color}.png", picture(color)))
            for color in ("red", "green", "blue")
        )
        lamp.image = main
        lamp.gallery = [ProductImage(media=item, position=n) for n, item in enumerate(more)]
        keys = [main.key, *(item.key for item in more)]
        session.commit()
    body = get(shop, "/cs/google-shopping/", base_url=SITE)[2].decode()
    item = body[body.index("<g:id>LAMP</g:id>") :].split("</item>")[0]
    assert f"<g:image_link>https://shop.test/media/{keys[0]}</g:image_link>" in item
    assert [line.strip() for line in item.splitlines() if "additional_image_link" in line] == [
        f"<g:additional_image_link>https://shop.test/media/{key}</g:additional_image_link>"
        for key in keys[1:]
    ]
    assert "image_link" not in body[body.index("<g:id>MUG</g:id>") :].split("</item>")[0]
    assert get(shop, f"/media/{keys[0]}")[0] == 200  # the link answers
