"""What a shopper sees of products in one market, and the filters of a category page.

An `Offer` is a product with its texts, price and status computed once for a locale,
pricelist and availability code. Filters and sorting work on offers in Python rather than in
SQL, because the price of a set is derived from its items' prices and cannot be compared in
a query; a category page holds tens of products, which this handles in well under a
millisecond.

Filters and sorting use the pricelist's own figure (`PriceBreakdown.price`): the gross price
in a pricelist with VAT (CZK), the net price in one without (EUR) — the price shown first.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from application.classes.catalog.availability import StatusKind, StockStatus
from application.classes.catalog.models import Pricelist, Product, ProductText, sort_name
from application.classes.catalog.pricing import PriceBreakdown

MAX_PRICE = Decimal("1e12")


@dataclass(frozen=True)
class Offer:
    """A product as a shopper of one market sees it."""

    product: Product
    text: ProductText
    price: PriceBreakdown | None
    status: StockStatus

    @property
    def name(self) -> str:
        return self.text.name

    @property
    def slug(self) -> str:
        return self.text.slug


def offers_of(
    products: Iterable[Product],
    locale: str,
    pricelist: Pricelist | None,
    availability: str,
    today: dt.date,
    quantity: int = 1,
) -> list[Offer]:
    """Offers of `products` in `locale`; products without texts in that locale are left out."""
    offers = []
    for product in products:
        text = product.text(locale)
        if text is None:
            continue
        price = product.price_in(pricelist) if pricelist is not None else None
        offers.append(Offer(product, text, price, product.status(availability, today, quantity)))
    return offers


# filters --------------------------------------------------------------------------------
class Sort(enum.StrEnum):
    """The orders of a category page: by name or price, `-` for descending."""

    NAME = "name"
    NAME_DESC = "-name"
    PRICE = "price"
    PRICE_DESC = "-price"


@dataclass(frozen=True)
class ProductFilter:
    """The filters of a category page; the defaults filter nothing and sort by name."""

    in_stock: bool = False
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: Sort = Sort.NAME

    @property
    def filters(self) -> bool:
        """Whether anything is filtered out (sorting aside)."""
        return self.in_stock or self.price_min is not None or self.price_max is not None

    def apply(self, offers: Iterable[Offer]) -> list[Offer]:
        """The offers that pass, in the filter's order."""
        kept = [offer for offer in offers if self._passes(offer)]
        if self.sort in (Sort.PRICE, Sort.PRICE_DESC):
            priced = sorted(
                (o for o in kept if o.price is not None),
                key=lambda o: (o.price.price if o.price else Decimal(0), _name_key(o)),
                reverse=self.sort is Sort.PRICE_DESC,
            )
            return priced + sorted((o for o in kept if o.price is None), key=_name_key)
        return sorted(kept, key=_name_key, reverse=self.sort is Sort.NAME_DESC)

    def _passes(self, offer: Offer) -> bool:
        if self.in_stock and offer.status.kind is not StatusKind.IN_STOCK:
            return False
        if self.price_min is None and self.price_max is None:
            return True
        if offer.price is None:
            return False
        price = offer.price.price
        if self.price_min is not None and price < self.price_min:
            return False
        return self.price_max is None or price <= self.price_max

    def query(self) -> dict[str, str]:
        """The query parameters that give this filter back (defaults left out)."""
        query: dict[str, str] = {}
        if self.in_stock:
            query["in_stock"] = "1"
        if self.price_min is not None:
            query["price_min"] = str(self.price_min)
        if self.price_max is not None:
            query["price_max"] = str(self.price_max)
        if self.sort is not Sort.NAME:
            query["sort"] = self.sort.value
        return query


def _name_key(offer: Offer) -> tuple[str, str]:
    # the product's code breaks ties; SQL orders the same way (queries.category_page)
    return sort_name(offer.text.name), offer.product.code


@dataclass(frozen=True)
class ParsedFilter:
    """A filter read from query parameters, and the names of those that were wrong.

    With any wrong parameter the filter is the default one: the page shows everything and
    names what it could not use, rather than a half-applied filter.
    """

    filter: ProductFilter
    bad: list[str] = field(default_factory=list)
    # both prices are amounts, but the lowest is above the highest
    reversed_prices: bool = False


FILTER_PARAMETERS = ("in_stock", "price_min", "price_max", "sort")


def parse_filter(args: Mapping[str, str]) -> ParsedFilter:
    """Read `in_stock=1`, `price_min`, `price_max` and `sort` from query parameters.

    Empty values count as absent (an empty form field); other parameters are ignored.
    Prices take a decimal point or a decimal comma; a minimum above the maximum is wrong.
    """
    bad: list[str] = []
    in_stock = False
    value = args.get("in_stock", "").strip()
    if value in ("1", "0", ""):
        in_stock = value == "1"
    else:
        bad.append("in_stock")
    price_min = _price(args, "price_min", bad)
    price_max = _price(args, "price_max", bad)
    reversed_prices = price_min is not None and price_max is not None and price_min > price_max
    if reversed_prices:
        bad.extend(["price_min", "price_max"])
    sort = Sort.NAME
    value = args.get("sort", "").strip()
    if value:
        try:
            sort = Sort(value)
        except ValueError:
            bad.append("sort")
    if bad:
        return ParsedFilter(ProductFilter(), bad, reversed_prices)
    return ParsedFilter(ProductFilter(in_stock, price_min, price_max, sort))


def _price(args: Mapping[str, str], name: str, bad: list[str]) -> Decimal | None:
    value = args.get(name, "").strip().replace(",", ".")
    if not value:
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        bad.append(name)
        return None
    if not price.is_finite() or price < 0 or price >= MAX_PRICE:
        bad.append(name)
        return None
    return price
