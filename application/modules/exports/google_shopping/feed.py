"""The catalog of one locale and pricelist as feed items: what is exported, and how.

- Every product translated in the locale that has a price in the pricelist is an item
  (a set has one when all its items have one). Products are read in batches of `BATCH`
  ordered by id, each batch with its texts, prices, stock and set items in a few statements,
  so the statement count grows with the number of batches, never per product.
- Prices are gross (consumers see prices with VAT, in both CZK and EUR pricelists): `g:price`
  is the price before a discount when there is one, and `g:sale_price` the discounted price.
- Availability comes from the catalog's rules under the locale's availability code (see
  `application.classes.catalog.markets`), mapped to Google's four values in `AVAILABILITY`.
- Links are the products' pages on base `web` (see `links`); `write_feed` takes them as a
  function of the offer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from application.classes.catalog import (
    CatalogError,
    Market,
    Offer,
    Price,
    Pricelist,
    Product,
    ProductKind,
    ProductText,
    StatusKind,
    load_products,
    market_for,
)
from application.classes.media import MediaItem
from application.classes.rich_text import to_plain
from application.modules.exports.google_shopping.rss import Channel, FeedItem, RssWriter

if TYPE_CHECKING:
    from typing import BinaryIO

    from jetpy import Application
    from jetpy.kernel.bases import Locale

BASE = "web"  # the base whose pages the feed links to
PRODUCTS_PAGE = "products"  # the page id the products browser is mounted on
BROWSER = "catalog.products.browser"
BATCH = 500

AVAILABILITY = {
    StatusKind.IN_STOCK: "in_stock",
    StatusKind.NOT_AVAILABLE: "out_of_stock",
    StatusKind.AVAILABLE_FROM: "preorder",
    StatusKind.DELIVERY: "backorder",
}


class FeedError(ValueError):
    """The feed cannot be made as asked (unknown locale or pricelist, no product page)."""


# what is exported ------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedSource:
    """The products of `locale` priced in `pricelist`, stock under `availability`."""

    locale: str
    pricelist: Pricelist
    availability: str
    today: dt.date


def web_locale(app: Application, name: str) -> Locale:
    """The locale `name` of base web; another name is a FeedError listing the valid ones."""
    base = app.bases.get(BASE)
    if base is None:
        raise FeedError(f"the application has no base `{BASE}` to link the products to")
    locale = base.locales.get(name)
    if locale is None:
        raise FeedError(
            f"base `{BASE}` has no locale {name!r}; use one of: {', '.join(sorted(base.locales))}"
        )
    return locale


def check_locale(app: Application, name: str) -> Market:
    """The market of web locale `name`: its pricelist and availability code, or a FeedError."""
    web_locale(app, name)
    try:
        return market_for(name)
    except LookupError as error:
        raise FeedError(str(error)) from None


def find_pricelist(session: Session, code: str) -> Pricelist:
    """The pricelist with `code`; an unknown code is a FeedError listing the known ones."""
    found = session.scalar(select(Pricelist).where(Pricelist.code == code))
    if found is not None:
        return found
    codes = list(session.scalars(select(Pricelist.code).order_by(Pricelist.code)))
    if not codes:
        raise FeedError(
            f"there is no pricelist {code!r}: the catalog has no pricelists at all "
            "(fill it, e.g. with `jetpy db seed`)"
        )
    raise FeedError(f"there is no pricelist {code!r}; use one of: {', '.join(codes)}")


def feed_source(
    session: Session, locale: str, pricelist: str | None, today: dt.date | None = None
) -> FeedSource:
    """What to export for `locale`: `pricelist` (default: the locale's market's) and stock."""
    try:
        market = market_for(locale)
    except LookupError as error:
        raise FeedError(str(error)) from None
    return FeedSource(
        locale,
        find_pricelist(session, pricelist or market.pricelist),
        market.availability,
        today or dt.date.today(),
    )


def _candidates(source: FeedSource) -> Select[Any]:
    # a regular product needs a stored amount; a set's price comes from its items, so
    # sets are all read and those with an unpriced item are dropped in Python
    priced = exists().where(
        Price.product_id == Product.id,
        Price.pricelist_id == source.pricelist.id,
        Price.amount.is_not(None),
    )
    translated = exists().where(
        ProductText.product_id == Product.id, ProductText.locale == source.locale
    )
    # conditions rather than joins: the database walks the products by id from the last
    # batch and stops after `size`, instead of sorting every translated product per batch
    return select(Product).where(translated, or_(Product.kind == ProductKind.SET, priced))


def count_products(session: Session, source: FeedSource) -> int:
    """How many products `batches()` will read (for a progress bar; a few may lack a price)."""
    counted = session.scalar(select(func.count()).select_from(_candidates(source).subquery()))
    return counted or 0


def batches(session: Session, source: FeedSource, size: int = BATCH) -> Iterator[list[Product]]:
    """The products to export, `size` at a time by id, with what their offers need loaded."""
    last = 0
    while True:
        statement = _candidates(source).where(Product.id > last).order_by(Product.id).limit(size)
        products = load_products(session, statement)
        if not products:
            return
        last = products[-1].id
        yield products
        if len(products) < size:
            return


def offers(products: Sequence[Product], source: FeedSource, skipped: list[str]) -> Iterator[Offer]:
    """The offers of `products` that have a price; one that breaks a rule goes to `skipped`."""
    for product in products:
        text = product.text(source.locale)
        if text is None:
            continue
        try:
            price = product.price_in(source.pricelist)
            status = product.status(source.availability, source.today)
        except CatalogError as error:
            skipped.append(f"{product.code}: {error}")
            continue
        if price is not None:  # not sold in this pricelist (a set with an unpriced item)
            yield Offer(product, text, price, status)


def feed_item(
    offer: Offer, source: FeedSource, link: str, image_link: ImageLink | None = None
) -> FeedItem:
    """The item of `offer` (one from `offers()`, so it has a price); with `image_link`, its
    main image and gallery as `g:image_link` and `g:additional_image_link`."""
    images = [image_link(image) for image in offer.product.images] if image_link else []
    price = offer.price
    if price is None:
        raise ValueError(f"product {offer.product.code} has no price in {source.pricelist.code}")
    before = price.gross_before if price.has_discount else None
    status = offer.status
    dated = status.kind in (StatusKind.AVAILABLE_FROM, StatusKind.DELIVERY)  # Google wants a date
    return FeedItem(
        id=offer.product.code,
        title=offer.name,
        description=to_plain(offer.text.description) or offer.name,
        link=link,
        price=before if before is not None else price.gross,
        sale_price=price.gross if before is not None else None,
        currency=source.pricelist.currency,
        availability=AVAILABILITY[status.kind],
        availability_date=status.expected(source.today) if dated else None,
        gtin=offer.product.ean or None,
        image_link=images[0] if images else None,
        additional_image_links=tuple(images[1:]),
    )


ProductLink = Callable[[Offer], str]  # the absolute URL of an offer's product page
ImageLink = Callable[[MediaItem], str]  # the absolute URL of an image of the media library


# writing ----------------------------------------------------------------------------------
@dataclass
class Written:
    """What `write_feed` did: items written, and products left out with the reason."""

    items: int = 0
    skipped: list[str] = field(default_factory=list)


def write_feed(
    out: BinaryIO,
    session: Session,
    source: FeedSource,
    feed_channel: Channel,
    link: ProductLink,
    progress: Callable[[int], None] | None = None,
    image_link: ImageLink | None = None,
) -> Written:
    """Write the feed of `source` to `out`; `progress(n)` after each batch of n products.

    A product whose price or stock cannot be computed (its pricelist lacks its VAT rate, a
    set contains itself) is left out and named in `Written.skipped`, so one bad row does not
    stop the feed; any other error propagates, and the caller throws the output away.
    """
    written = Written()
    with RssWriter(out, feed_channel) as writer:
        for products in batches(session, source):
            for offer in offers(products, source, written.skipped):
                writer.write(feed_item(offer, source, link(offer), image_link))
                written.items += 1
            if progress is not None:
                progress(len(products))
    return written
