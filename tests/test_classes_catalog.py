"""The catalog: pricing and availability rules (tables), money formats, models and queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from application.classes.catalog import (
    Availability,
    CatalogError,
    Category,
    CategoryText,
    Price,
    PriceBreakdown,
    Pricelist,
    Product,
    ProductFilter,
    ProductKind,
    ProductText,
    SetDiscount,
    SetItem,
    Sort,
    StatusKind,
    Stock,
    StockStatus,
    category_by_path,
    category_path,
    category_products,
    category_trail,
    discount_percent,
    featured_products,
    format_money,
    gross_from_net,
    load_products,
    market_for,
    net_from_gross,
    offers_of,
    parse_filter,
    price_breakdown,
    pricelist_by_code,
    product_by_slug,
    round_money,
    set_price,
    stock_status,
    subcategories,
    worst_status,
)
from application.classes.demo_catalog import ean13, seed_catalog

D = Decimal
TODAY = dt.date(2026, 3, 10)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


# rounding and VAT -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "precision", "expected"),
    [
        (D("1.005"), 2, "1.01"),  # half up, where banker's rounding gives 1.00
        (D("1.015"), 2, "1.02"),
        (D("1.0049"), 2, "1.00"),
        (D("-1.005"), 2, "-1.01"),  # half away from zero
        (D("2.5"), 0, "3"),
        (D("3.5"), 0, "4"),
        (D("1234.5"), 0, "1235"),
        (D("0.00005"), 4, "0.0001"),
        (7, 2, "7.00"),
        ("12.345", 2, "12.35"),
    ],
)
def test_round_money(amount: Any, precision: int, expected: str) -> None:
    result = round_money(amount, precision)
    assert result == D(expected) and str(result) == expected


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: round_money(1.005, 2), TypeError),  # type: ignore[arg-type]
        (lambda: round_money(D(1), 5), ValueError),
        (lambda: round_money(D(1), -1), ValueError),
        (lambda: net_from_gross(D(100), D(-1), 2), ValueError),
        (lambda: price_breakdown(D(-1), 21, includes_vat=True, precision=2), ValueError),
    ],
)
def test_bad_money_input_is_refused(call: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


@pytest.mark.parametrize(
    ("gross", "rate", "precision", "net"),
    [
        (D("121"), 21, 2, "100.00"),
        (D("100"), 21, 2, "82.64"),  # 82.6446…
        (D("112"), 12, 2, "100.00"),
        (D("1290"), 21, 0, "1066"),  # 1066.11…
        (D("12.10605"), 21, 2, "10.01"),  # exactly 10.005: half up
        (D("0.01"), 100, 2, "0.01"),  # exactly 0.005
        (D("3"), 100, 0, "2"),  # exactly 1.5
        (D("99.99"), 0, 2, "99.99"),  # zero rate: net == gross
    ],
)
def test_net_from_gross(gross: Decimal, rate: int, precision: int, net: str) -> None:
    assert net_from_gross(gross, rate, precision) == D(net)


@pytest.mark.parametrize(
    ("net", "rate", "precision", "gross"),
    [
        (D("100"), 21, 2, "121.00"),
        (D("0.50"), 21, 2, "0.61"),  # exactly 0.605: half up
        (D("1.50"), 21, 2, "1.82"),  # exactly 1.815
        (D("0.05"), 10, 2, "0.06"),  # exactly 0.055
        (D("82.64"), 21, 2, "99.99"),  # not 100: each direction rounds once
        (D("1066"), 21, 0, "1290"),  # 1289.86
        (D("99.99"), 0, 2, "99.99"),
    ],
)
def test_gross_from_net(net: Decimal, rate: int, precision: int, gross: str) -> None:
    assert gross_from_net(net, rate, precision) == D(gross)


@pytest.mark.parametrize(
    ("stored", "rate", "includes_vat", "precision", "before", "expected"),
    [
        # expected: net, gross, vat, price before (the pricelist's figure), discount %
        ("121", 21, True, 2, None, ("100.00", "121.00", "21.00", None, 0)),
        # VAT of the rounded net: 82.64 * 0.21 = 17.3544, so net + VAT is 99.99, not 100
        ("100", 21, True, 2, None, ("82.64", "100.00", "17.35", None, 0)),
        ("100", 21, False, 2, None, ("100.00", "121.00", "21.00", None, 0)),
        ("0.50", 21, False, 2, None, ("0.50", "0.61", "0.11", None, 0)),
        ("1290", 21, True, 0, None, ("1066", "1290", "224", None, 0)),
        ("10.005", 21, False, 2, None, ("10.01", "12.11", "2.10", None, 0)),  # stored rounds
        ("99.99", 0, True, 2, None, ("99.99", "99.99", "0.00", None, 0)),
        ("99.99", 0, False, 2, None, ("99.99", "99.99", "0.00", None, 0)),
        ("85", 21, True, 2, "100", ("70.25", "85.00", "14.75", "100.00", 15)),
        ("70", 12, False, 2, "100", ("70.00", "78.40", "8.40", "100.00", 30)),
        ("87.5", 21, True, 2, "100", ("72.31", "87.50", "15.19", "100.00", 13)),  # 12.5 up
        ("100", 21, True, 2, "100", ("82.64", "100.00", "17.35", None, 0)),  # not a discount
        ("100", 21, True, 2, "90", ("82.64", "100.00", "17.35", None, 0)),
        ("0.05", 10, False, 2, None, ("0.05", "0.06", "0.01", None, 0)),  # 0.005: half up
    ],
)
def test_price_breakdown(
    stored: str,
    rate: int,
    includes_vat: bool,
    precision: int,
    before: str | None,
    expected: tuple[str, str, str, str | None, int],
) -> None:
    price = price_breakdown(
        stored, rate, includes_vat=includes_vat, precision=precision, stored_before=before
    )
    net, gross, vat, price_before, percent = expected
    assert (price.net, price.gross, price.vat) == (D(net), D(gross), D(vat))
    assert price.vat == (price.net * rate / 100).quantize(D(1).scaleb(-precision), ROUND_HALF_UP)
    assert price.price == (price.gross if includes_vat else price.net)
    assert price.price_before == (D(price_before) if price_before else None)
    assert price.has_discount is (price_before is not None)
    assert price.discount_percent == percent


def test_price_before_is_converted_like_the_price() -> None:
    price = price_breakdown("70", 12, includes_vat=False, precision=2, stored_before="100")
    assert (price.net_before, price.gross_before) == (D("100.00"), D("112.00"))
    price = price_breakdown("85", 21, includes_vat=True, precision=2, stored_before="100")
    assert (price.net_before, price.gross_before) == (D("82.64"), D("100.00"))


@pytest.mark.parametrize(
    ("price", "before", "places", "expected"),
    [
        (D(85), D(100), 0, "15"),
        (D("87.5"), D(100), 0, "13"),  # 12.5: half up
        (D(2), D(3), 2, "33.33"),
        (D(1), D(3), 0, "67"),
        (D(1), D(3), 2, "66.67"),
        (D(0), D(100), 0, "100"),
        (D(100), None, 0, "0"),  # no price before discount
        (None, D(100), 0, "0"),
        (D(100), D(100), 0, "0"),  # before == price
        (D(120), D(100), 0, "0"),  # before below the price
        (D(0), D(0), 0, "0"),
    ],
)
def test_discount_percent(
    price: Decimal | None, before: Decimal | None, places: int, expected: str
) -> None:
    assert discount_percent(price, before, places) == D(expected)


# sets --------------------------------------------------------------------------------
def gross(amount: str, rate: int = 21) -> PriceBreakdown:
    return price_breakdown(amount, rate, includes_vat=True, precision=2)


def net(amount: str, rate: int = 21) -> PriceBreakdown:
    return price_breakdown(amount, rate, includes_vat=False, precision=2)


@pytest.mark.parametrize(
    ("items", "discount", "includes_vat", "expected"),
    [
        # expected: net, gross, VAT rate, price before (pricelist's figure), discount %
        ([(gross("100"), 2), (gross("50"), 1)], None, True, ("206.61", "250.00", 21, None, 0)),
        (
            [(gross("100"), 2), (gross("50"), 1)],
            SetDiscount(percent=D(10)),
            True,
            ("185.95", "225.00", 21, "250.00", 10),
        ),
        (
            [(gross("100"), 2), (gross("50"), 1)],
            SetDiscount(amount=D(30)),
            True,
            ("181.82", "220.00", 21, "250.00", 12),
        ),
        (
            [(gross("100"), 1)],
            SetDiscount(amount=D(500)),  # more than the set costs: free, never negative
            True,
            ("0.00", "0.00", 21, "100.00", 100),
        ),
        (
            [(gross("121", 21), 1), (gross("112", 12), 1)],  # mixed rates: the net scales
            SetDiscount(percent=D(10)),
            True,
            ("180.00", "209.70", None, "233.00", 10),
        ),
        (
            [(net("100"), 1), (net("50"), 2)],  # a pricelist without VAT discounts the net
            SetDiscount(percent=D(10)),
            False,
            ("180.00", "217.80", 21, "200.00", 10),
        ),
        (
            [(net("100", 0), 1), (net("50", 0), 1)],
            SetDiscount(amount=D("15.50")),
            False,
            ("134.50", "134.50", 0, "150.00", 10),
        ),
        ([(gross("100"), 1)], SetDiscount(percent=D(0)), True, ("82.64", "100.00", 21, None, 0)),
    ],
)
def test_set_price(
    items: list[tuple[PriceBreakdown, int]],
    discount: SetDiscount | None,
    includes_vat: bool,
    expected: tuple[str, str, int | None, str | None, int],
) -> None:
    price = set_price(items, discount, includes_vat=includes_vat, precision=2)
    net_, gross_, rate, before, percent = expected
    assert (price.net, price.gross) == (D(net_), D(gross_))
    assert price.vat_rate == (None if rate is None else D(rate))
    assert price.price_before == (D(before) if before else None)
    assert price.discount_percent == percent


def test_set_of_sets_prices_its_sets_like_products() -> None:
    inner = set_price(
        [(gross("100"), 2), (gross("50"), 1)],
        SetDiscount(percent=D(10)),
        includes_vat=True,
        precision=2,
    )
    outer = set_price(
        [(inner, 2), (gross("50"), 1)], SetDiscount(amount=D(100)), includes_vat=True, precision=2
    )
    # the undiscounted sum uses the inner set's discounted price: 2 x 225 + 50
    assert outer.gross_before == D("500.00")
    assert outer.gross == D("400.00")
    assert outer.net == D("330.58")
    assert outer.discount_percent == 20


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: SetDiscount(percent=D(10), amount=D(5)), "not both"),
        (lambda: SetDiscount(percent=D(101)), "0 to 100"),
        (lambda: SetDiscount(amount=D(-1)), "negative"),
        (lambda: set_price([], None, includes_vat=True, precision=2), "at least one item"),
        (
            lambda: set_price([(gross("1"), 0)], None, includes_vat=True, precision=2),
            "quantity",
        ),
    ],
)
def test_bad_sets_are_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


# availability ---------------------------------------------------------------------------
IN_STOCK = StockStatus(StatusKind.IN_STOCK)
NOT_AVAILABLE = StockStatus(StatusKind.NOT_AVAILABLE)


def delivery(n: int) -> StockStatus:
    return StockStatus(StatusKind.DELIVERY, days=n)


def available_from(n: int) -> StockStatus:
    return StockStatus(StatusKind.AVAILABLE_FROM, date=days(n))


@pytest.mark.parametrize(
    ("stock", "quantity", "expected"),
    [
        (Stock(units=5), 1, IN_STOCK),
        (Stock(units=5), 5, IN_STOCK),  # the units cover the quantity exactly
        (Stock(units=5), 6, NOT_AVAILABLE),
        (Stock(units=0, available_from=days(1)), 1, available_from(1)),
        (Stock(units=0, available_from=TODAY), 1, NOT_AVAILABLE),  # today is not the future
        (Stock(units=0, available_from=days(-1)), 1, NOT_AVAILABLE),  # the past is ignored
        (
            Stock(units=0, available_from=days(-30), sold_out_orders=True, delivery_days=4),
            1,
            delivery(4),
        ),
        (Stock(units=2, available_from=days(10)), 2, IN_STOCK),  # units first
        (Stock(units=2, available_from=days(10)), 3, available_from(10)),
        (Stock(units=0, sold_out_orders=True, delivery_days=7), 1, delivery(7)),
        (Stock(units=1, sold_out_orders=True, delivery_days=7), 2, delivery(7)),
        (Stock(units=0, available_from=days(3), sold_out_orders=True), 1, available_from(3)),
        (Stock(units=0, available_from=TODAY, sold_out_orders=True), 1, delivery(0)),
        (None, 1, NOT_AVAILABLE),  # no stock data
    ],
)
def test_stock_status(stock: Stock | None, quantity: int, expected: StockStatus) -> None:
    assert stock_status(stock, quantity, TODAY) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stock_status(Stock(), 0, TODAY), "quantity"),
        (lambda: Stock(units=-1), "units"),
        (lambda: Stock(delivery_days=-1), "delivery days"),
    ],
)
def test_bad_stock_input_is_refused(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([IN_STOCK, IN_STOCK], IN_STOCK),
        ([IN_STOCK, delivery(3)], delivery(3)),
        ([delivery(3), delivery(10), delivery(5)], delivery(10)),
        ([available_from(5), delivery(10)], delivery(10)),  # the longest wait wins
        ([available_from(15), delivery(10)], available_from(15)),
        ([delivery(3), available_from(3)], available_from(3)),  # same day: the date
        ([IN_STOCK, delivery(0)], delivery(0)),  # same day: delivery before in stock
        ([IN_STOCK, NOT_AVAILABLE, delivery(2)], NOT_AVAILABLE),
        ([], NOT_AVAILABLE),  # a set without items
    ],
)
def test_worst_status(statuses: list[StockStatus], expected: StockStatus) -> None:
    assert worst_status(statuses, TODAY) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (IN_STOCK, TODAY),
        (delivery(4), days(4)),
        (available_from(9), days(9)),
        (NOT_AVAILABLE, None),
    ],
)
def test_expected_date(status: StockStatus, expected: dt.date | None) -> None:
    assert status.expected(TODAY) == expected
    assert status.orderable is (expected is not None)


# money --------------------------------------------------------------------------------
NBSP = "\xa0"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "precision", "expected"),
    [
        (D("1234.5"), "CZK", "cs_CZ", None, f"1{NBSP}234,50{NBSP}Kč"),
        (D("1234.5"), "CZK", "cs_CZ", 2, f"1{NBSP}234,50{NBSP}Kč"),
        (D("1234.5"), "CZK", "cs_CZ", 0, f"1{NBSP}235{NBSP}Kč"),  # whole crowns, half up
        (D("0.005"), "CZK", "cs_CZ", None, f"0,01{NBSP}Kč"),
        (D("1234.5"), "EUR", "en_US", None, "€1,234.50"),
        (D("0.005"), "EUR", "en_US", 2, "€0.01"),
        (D("1234.5"), "EUR", "en_US", 0, "€1,235"),
        (D("49.9"), "EUR", "cs_CZ", None, f"49,90{NBSP}€"),
        (D("1290"), "czk", "en_US", None, f"CZK{NBSP}1,290.00"),
        (D("1290"), "CZK", "en_US", 0, f"CZK{NBSP}1,290"),  # a pricelist's own precision too
        (None, "EUR", "en_US", None, ""),
    ],
)
def test_format_money(
    amount: Decimal | None, currency: str, locale: str, precision: int | None, expected: str
) -> None:
    assert format_money(amount, currency, locale, precision) == expected


def test_markets_map_locales_to_pricelists() -> None:
    assert (market_for("cs_CZ").pricelist, market_for("en_US").pricelist) == ("CZK", "EUR")
    with pytest.raises(LookupError, match="MARKETS"):
        market_for("de_DE")


# filters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected", "bad"),
    [
        ({}, ProductFilter(), []),
        ({"in_stock": "1"}, ProductFilter(in_stock=True), []),
        ({"in_stock": "0", "sort": ""}, ProductFilter(), []),
        (
            {"price_min": "100", "price_max": "250.50"},
            ProductFilter(False, D(100), D("250.50")),
            [],
        ),
        ({"price_min": "99,90"}, ProductFilter(price_min=D("99.90")), []),  # decimal comma
        ({"price_min": " ", "price_max": ""}, ProductFilter(), []),  # empty form fields
        ({"sort": "-price"}, ProductFilter(sort=Sort.PRICE_DESC), []),
        ({"sort": "name", "utm_source": "x"}, ProductFilter(), []),  # others ignored
        ({"in_stock": "yes"}, ProductFilter(), ["in_stock"]),
        ({"price_min": "abc", "in_stock": "1"}, ProductFilter(), ["price_min"]),  # unfiltered
        ({"price_max": "-5"}, ProductFilter(), ["price_max"]),
        ({"price_max": "NaN"}, ProductFilter(), ["price_max"]),
        ({"price_max": "Infinity"}, ProductFilter(), ["price_max"]),
        ({"price_min": "1e20"}, ProductFilter(), ["price_min"]),
        ({"price_min": "300", "price_max": "100"}, ProductFilter(), ["price_min", "price_max"]),
        ({"sort": "popularity"}, ProductFilter(), ["sort"]),
        ({"sort": "price", "in_stock": "2"}, ProductFilter(), ["in_stock"]),
    ],
)
def test_parse_filter(args: dict[str, str], expected: ProductFilter, bad: list[str]) -> None:
    parsed = parse_filter(args)
    assert parsed.filter == expected
    assert parsed.bad == bad


@pytest.mark.parametrize(
    "product_filter",
    [
        ProductFilter(),
        ProductFilter(True, D("1.5"), D(10), Sort.PRICE_DESC),
        ProductFilter(price_max=D(3), sort=Sort.NAME_DESC),
    ],
)
def test_filter_query_round_trips(product_filter: ProductFilter) -> None:
    assert parse_filter(product_filter.query()).filter == product_filter


# the database ---------------------------------------------------------------------------
@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's engine runs inside the block."""
    run: list[str] = []

    def record(*args: Any) -> None:
        run.append(args[2])

    engine = session.get_bind()
    assert isinstance(engine, sqlalchemy.Engine)
    sqlalchemy.event.listen(engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", record)


def category(session: Session, slugs: tuple[str, str], parent: Category | None = None) -> Category:
    made = Category(parent=parent)
    made.texts = [
        CategoryText(locale="en_US", name=slugs[0].title(), slug=slugs[0]),
        CategoryText(locale="cs_CZ", name=slugs[1].title(), slug=slugs[1]),
    ]
    session.add(made)
    return made


def product(
    session: Session,
    code: str,
    where: Category | None,
    prices: dict[Pricelist, str] | None = None,
    units: int = 10,
    *,
    kind: ProductKind = ProductKind.REGULAR,
    locales: tuple[str, ...] = ("en_US", "cs_CZ"),
) -> Product:
    made = Product(code=code, kind=kind, category=where)
    made.texts = [
        ProductText(locale=locale, name=f"{code} {locale}", slug=f"{code.lower()}-{locale[:2]}")
        for locale in locales
    ]
    made.prices = [Price(pricelist=pl, amount=D(amount)) for pl, amount in (prices or {}).items()]
    if kind is ProductKind.REGULAR:
        made.availabilities = [Availability(code="CZ", units=units)]
    session.add(made)
    return made


@pytest.fixture
def czk(db_session: Session) -> Pricelist:
    pricelist = Pricelist(
        code="CZK",
        currency="CZK",
        prices_include_vat=True,
        vat_rates=[21, "12", D(0)],
        default_vat_rate=D(21),
    )
    db_session.add(pricelist)
    return pricelist


@pytest.fixture
def shop(db_session: Session, czk: Pricelist) -> dict[str, Any]:
    """electronics/phones, electronics/audio/headphones, books; a few products and a set."""
    electronics = category(db_session, ("electronics", "elektronika"))
    phones = category(db_session, ("phones", "telefony"), electronics)
    audio = category(db_session, ("audio", "zvuk"), electronics)
    headphones = category(db_session, ("headphones", "sluchatka"), audio)
    books = category(db_session, ("books", "knihy"))
    made: dict[str, Any] = {
        "electronics": electronics,
        "phones": phones,
        "audio": audio,
        "headphones": headphones,
        "books": books,
        "tv": product(db_session, "TV", electronics, {czk: "9990"}),
        "phone": product(db_session, "PHONE", phones, {czk: "4990"}, units=0),
        "buds": product(db_session, "BUDS", headphones, {czk: "990"}, units=3),
        "novel": product(db_session, "NOVEL", books, {czk: "299"}),
        "english": product(db_session, "ENGLISH", books, {czk: "399"}, locales=("en_US",)),
    }
    db_session.flush()
    made["novel"].prices[0].vat_rate = D(0)
    bundle = product(db_session, "BUNDLE", electronics, kind=ProductKind.SET)
    bundle.set_items = [
        SetItem(item=made["tv"], quantity=1),
        SetItem(item=made["buds"], quantity=2),
    ]
    bundle.prices = [Price(pricelist=czk, set_discount_percent=D(10))]
    made["bundle"] = bundle
    db_session.commit()
    return made


def test_category_by_path_follows_the_tree(db_session: Session, shop: dict[str, Any]) -> None:
    assert category_by_path(db_session, "electronics", "en_US") is shop["electronics"]
    assert (
        category_by_path(db_session, "electronics/audio/headphones", "en_US")
        is (shop["headphones"])
    )
    assert (
        category_by_path(db_session, "elektronika/zvuk/sluchatka/", "cs_CZ") is (shop["headphones"])
    )


@pytest.mark.parametrize(
    ("path", "locale"),
    [
        ("headphones", "en_US"),  # not a top category
        ("electronics/headphones", "en_US"),  # skips a level
        ("books/phones", "en_US"),  # another branch
        ("electronics/phones/phones", "en_US"),
        ("elektronika/telefony", "en_US"),  # the other locale's slugs
        ("electronics/cameras", "en_US"),
        ("Electronics", "en_US"),
        ("../electronics", "en_US"),
        ("", "en_US"),
        ("electronics//phones", "en_US"),
    ],
)
def test_category_by_path_refuses_wrong_paths(
    db_session: Session, shop: dict[str, Any], path: str, locale: str
) -> None:
    assert category_by_path(db_session, path, locale) is None


def test_category_trail_and_path(db_session: Session, shop: dict[str, Any]) -> None:
    headphones_id = shop["headphones"].id
    db_session.expunge_all()
    headphones = db_session.get(Category, headphones_id)
    assert headphones is not None
    with statements(db_session) as run:
        trail = category_trail(db_session, headphones)
    assert len(run) == 2  # the recursive query and the texts
    assert [c.text("en_US").slug for c in trail] == ["electronics", "audio", "headphones"]  # type: ignore[union-attr]
    assert category_path(trail, "cs_CZ") == "elektronika/zvuk/sluchatka"
    assert category_path(trail, "de_DE") is None


def test_subcategories(db_session: Session, shop: dict[str, Any]) -> None:
    # by position, then by the locale's name
    assert subcategories(db_session, None, "en_US") == [shop["books"], shop["electronics"]]
    assert subcategories(db_session, shop["electronics"], "en_US") == [
        shop["audio"],
        shop["phones"],
    ]
    assert subcategories(db_session, shop["electronics"], "cs_CZ") == [
        shop["phones"],
        shop["audio"],
    ]
    shop["books"].position = 1
    db_session.flush()
    assert subcategories(db_session, None, "en_US") == [shop["electronics"], shop["books"]]
    assert subcategories(db_session, shop["headphones"], "en_US") == []


@pytest.mark.parametrize(
    ("key", "locale", "below", "codes"),
    [
        ("electronics", "en_US", True, {"TV", "PHONE", "BUDS", "BUNDLE"}),
        ("electronics", "en_US", False, {"TV", "BUNDLE"}),
        ("audio", "en_US", True, {"BUDS"}),
        ("audio", "en_US", False, set()),
        ("books", "en_US", True, {"NOVEL", "ENGLISH"}),
        ("books", "cs_CZ", True, {"NOVEL"}),  # untranslated products are left out
    ],
)
def test_category_products(
    db_session: Session,
    shop: dict[str, Any],
    key: str,
    locale: str,
    below: bool,
    codes: set[str],
) -> None:
    found = category_products(db_session, shop[key], locale, subcategories=below)
    assert {p.code for p in found} == codes


def test_product_by_slug(db_session: Session, shop: dict[str, Any]) -> None:
    assert product_by_slug(db_session, "tv-cs", "cs_CZ") is shop["tv"]
    assert product_by_slug(db_session, "tv-cs", "en_US") is None
    assert product_by_slug(db_session, "english-cs", "cs_CZ") is None
    assert product_by_slug(db_session, "TV-CS", "cs_CZ") is None
    assert product_by_slug(db_session, "tv-cs.html", "cs_CZ") is None


def test_product_prices_and_sets(db_session: Session, shop: dict[str, Any], czk: Pricelist) -> None:
    db_session.expunge_all()
    czk = pricelist_by_code(db_session, "CZK")  # type: ignore[assignment]
    novel = product_by_slug(db_session, "novel-en", "en_US")
    bundle = product_by_slug(db_session, "bundle-en", "en_US")
    assert novel is not None and bundle is not None
    with statements(db_session) as run:
        novel_price = novel.price_in(czk)
        bundle_price = bundle.price_in(czk)
        bundle_status = bundle.status("CZ", TODAY)
    assert run == []  # everything was loaded with the products
    assert novel_price is not None and novel_price.vat_rate == 0
    assert novel_price.net == novel_price.gross == D("299.00")  # zero rate
    assert bundle_price is not None
    assert bundle_price.gross_before == D("11970.00")  # 9 990 + 2 x 990
    assert bundle_price.gross == D("10773.00")
    assert bundle_price.net == D("8903.31")
    assert bundle_status == IN_STOCK  # 2 x 3 buds cover one set
    assert bundle.status("CZ", TODAY, quantity=2).kind is StatusKind.NOT_AVAILABLE  # 4 > 3


def test_a_set_without_an_item_price_has_no_price(
    db_session: Session, shop: dict[str, Any], czk: Pricelist
) -> None:
    eur = Pricelist(code="EUR", currency="EUR", vat_rates=[21], default_vat_rate=D(21))
    db_session.add(eur)
    shop["tv"].prices.append(Price(pricelist=eur, amount=D(400)))
    db_session.flush()
    assert shop["tv"].price_in(eur) is not None
    assert shop["bundle"].price_in(eur) is None  # the buds have no EUR price


def test_a_set_containing_itself_is_a_catalog_error(
    db_session: Session, shop: dict[str, Any], czk: Pricelist
) -> None:
    inner = product(db_session, "INNER", None, kind=ProductKind.SET)
    inner.set_items = [SetItem(item=shop["bundle"], quantity=1)]
    db_session.flush()
    shop["bundle"].set_items.append(SetItem(item=inner, quantity=1))
    db_session.flush()
    with pytest.raises(CatalogError, match="contains itself"):
        shop["bundle"].price_in(czk)
    with pytest.raises(CatalogError, match="contains itself"):
        shop["bundle"].status("CZ", TODAY)


def test_set_of_sets_from_the_database(
    db_session: Session, shop: dict[str, Any], czk: Pricelist
) -> None:
    box = product(db_session, "BOX", shop["books"], kind=ProductKind.SET)
    box.set_items = [
        SetItem(item=shop["bundle"], quantity=1),
        SetItem(item=shop["novel"], quantity=1),
    ]
    box.prices = [Price(pricelist=czk, set_discount_amount=D("73"))]
    db_session.commit()
    db_session.expunge_all()
    czk = pricelist_by_code(db_session, "CZK")  # type: ignore[assignment]
    found = product_by_slug(db_session, "box-cs", "cs_CZ")
    assert found is not None
    with statements(db_session) as run:
        price = found.price_in(czk)
        status = found.status("CZ", TODAY)
    assert run == []
    assert price is not None
    assert price.gross_before == D("11072.00")  # the bundle's 10 773 + 299
    assert price.gross == D("10999.00")
    assert price.vat_rate is None  # 21 % and 0 %
    assert status == IN_STOCK


def test_a_rate_the_pricelist_lacks_is_a_catalog_error(
    db_session: Session, shop: dict[str, Any], czk: Pricelist
) -> None:
    shop["tv"].prices[0].vat_rate = D(15)
    with pytest.raises(CatalogError, match=r"no VAT rate 15 \(its rates: 21, 12, 0\)"):
        shop["tv"].price_in(czk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "euro", "ISO 4217"),
        ("precision", 5, "0 to 4"),
        ("vat_rates", ["21", "-1"], "0 or more"),
    ],
)
def test_bad_pricelists_are_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pricelist(**{field: value})


def test_slugs_are_checked_and_unique_per_locale(db_session: Session, shop: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="did you mean 'mobile-phones'"):
        ProductText(locale="en_US", name="x", slug="Mobile Phones")
    product(db_session, "OTHER", None)
    db_session.flush()
    duplicate = db_session.get(ProductText, (shop["tv"].id, "en_US"))
    assert duplicate is not None
    duplicate.slug = "other-en"
    with pytest.raises(IntegrityError):
        db_session.flush()


def test_offers_and_filters(db_session: Session, shop: dict[str, Any], czk: Pricelist) -> None:
    products = category_products(db_session, shop["electronics"], "en_US")
    offers = offers_of(products, "en_US", czk, "CZ", TODAY)
    by_code = {offer.product.code: offer for offer in offers}
    assert by_code["PHONE"].status == NOT_AVAILABLE
    assert by_code["TV"].name == "TV en_US" and by_code["TV"].slug == "tv-en"

    def codes(product_filter: ProductFilter) -> list[str]:
        return [offer.product.code for offer in product_filter.apply(offers)]

    assert codes(ProductFilter()) == ["BUDS", "BUNDLE", "PHONE", "TV"]
    assert codes(ProductFilter(sort=Sort.NAME_DESC)) == ["TV", "PHONE", "BUNDLE", "BUDS"]
    assert codes(ProductFilter(sort=Sort.PRICE)) == ["BUDS", "PHONE", "TV", "BUNDLE"]
    assert codes(ProductFilter(sort=Sort.PRICE_DESC)) == ["BUNDLE", "TV", "PHONE", "BUDS"]
    assert codes(ProductFilter(in_stock=True)) == ["BUDS", "BUNDLE", "TV"]
    assert codes(ProductFilter(price_min=D(990), price_max=D(4990))) == ["BUDS", "PHONE"]
    assert codes(ProductFilter(price_min=D(10000))) == ["BUNDLE"]  # the set's derived price


def test_offers_without_a_pricelist_have_no_price_and_sort_last(
    db_session: Session, shop: dict[str, Any]
) -> None:
    products = category_products(db_session, shop["books"], "en_US")
    offers = offers_of(products, "en_US", None, "CZ", TODAY)
    assert [o.price for o in offers] == [None, None]
    assert ProductFilter(sort=Sort.PRICE).apply(offers) == ProductFilter().apply(offers)
    assert ProductFilter(price_max=D(1000)).apply(offers) == []


def test_featured_products(db_session: Session, shop: dict[str, Any], czk: Pricelist) -> None:
    assert featured_products(db_session, "en_US", czk, 5) == []
    shop["tv"].prices[0].amount_before = D("11990")  # 17 % off
    shop["novel"].prices[0].amount_before = D("399")  # 25 % off
    shop["english"].prices[0].amount_before = D("499")  # 20 % off, English only
    db_session.flush()
    assert featured_products(db_session, "cs_CZ", czk, 5) == [shop["novel"], shop["tv"]]
    assert featured_products(db_session, "en_US", czk, 2) == [shop["novel"], shop["english"]]
    assert featured_products(db_session, "en_US", czk, 0) == []
    shop["novel"].availabilities[0].units = 0
    db_session.flush()
    assert featured_products(db_session, "cs_CZ", czk, 5, "CZ") == [shop["tv"]]
    assert featured_products(db_session, "cs_CZ", czk, 5, "EU") == []  # no stock there


# the demo catalog -----------------------------------------------------------------------
@pytest.fixture
def demo(db_session: Session) -> Session:
    seed_catalog(db_session, TODAY)
    db_session.commit()
    db_session.expunge_all()
    return db_session


def test_seed_catalog(demo: Session) -> None:
    def count(model: type) -> int:
        return demo.scalar(select(func.count()).select_from(model)) or 0

    assert 190 <= count(Product) <= 210
    assert count(Category) == 13
    assert count(ProductText) == 2 * count(Product)
    assert count(CategoryText) == 2 * count(Category)
    products = load_products(demo, select(Product).order_by(Product.id))
    czk = pricelist_by_code(demo, "CZK")
    eur = pricelist_by_code(demo, "EUR")
    assert czk is not None and czk.prices_include_vat and czk.rates == [21, 12, 0]
    assert eur is not None and not eur.prices_include_vat
    for code in ("CZ", "EU"):
        statuses = {p.status(code, TODAY).kind for p in products}
        assert statuses == set(StatusKind)
    sets = [p for p in products if p.is_set]
    assert len(sets) >= 5
    assert any(item.item.is_set for s in sets for item in s.set_items)  # a set of sets
    for pricelist in (czk, eur):
        prices = [p.price_in(pricelist) for p in products]
        assert all(price is not None for price in prices)
        assert sum(1 for price in prices if price and price.has_discount) >= 20
        assert {price.vat_rate for price in prices if price} >= {21, 12, 0, None}
    assert all(len(p.ean or "") == 13 for p in products if not p.is_set)
    # nested categories: three levels
    assert category_by_path(demo, "electronics/audio/headphones", "en_US") is not None
    assert category_by_path(demo, "elektronika/zvuk/sluchatka", "cs_CZ") is not None


def test_seed_catalog_is_deterministic_and_runs_once(demo: Session) -> None:
    before = demo.scalar(select(func.count()).select_from(Product))
    seed_catalog(demo, TODAY)
    demo.flush()
    assert demo.scalar(select(func.count()).select_from(Product)) == before
    phone = product_by_slug(demo, "nordia-one-smartphone-64-gb", "en_US")
    assert phone is not None and phone.code == "PHO-101"
    czk = pricelist_by_code(demo, "CZK")
    assert czk is not None
    assert phone.price_in(czk) == price_breakdown("11990", 21, includes_vat=True, precision=2)


@pytest.mark.parametrize(
    ("number", "expected"),
    [(400638133393, "4006381333931"), (590123412345, "5901234123457"), (12, "0000000000123")],
)
def test_ean13_check_digit(number: int, expected: str) -> None:
    assert ean13(number) == expected


def test_listing_costs_the_same_statements_whatever_its_size(demo: Session) -> None:
    czk = pricelist_by_code(demo, "CZK")
    counts = {}
    for path in ("electronics/phones", "electronics", "books", "gift-sets"):
        demo.expunge_all()
        found = category_by_path(demo, path, "en_US")
        assert found is not None
        with statements(demo) as run:
            offers = offers_of(category_products(demo, found, "en_US"), "en_US", czk, "CZ", TODAY)
            assert all(offer.price is not None for offer in offers)
        counts[path] = (len(offers), len(run))
    # 21, 84 and 21 regular products: the descendants, the products, four collections
    # (texts, prices, stock, gallery; the main image comes in the products' query; no sets,
    # so no set items query)
    assert counts["electronics/phones"] == (21, 6)
    assert counts["electronics"] == (84, 6)
    assert counts["books"] == (21, 6)
    # sets: all their items, however deep, in one recursive query, then the item products
    # not listed (with texts and gallery) in one query each, prices and stock of all at once
    assert counts["gift-sets"] == (10, 10)
