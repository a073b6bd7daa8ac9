"""The catalog's tables: categories, products (regular and sets), pricelists, prices, stock.

The models hold data and delegate every rule to `pricing` and `availability`. Localized texts
are rows of their own (one per locale), so a locale is added without a schema change.

Slugs are unique per locale across the whole catalog (one constraint per table, enforced by
the database), not only among siblings: a category is still addressed by its slug path
(`electronics/phones`), and that path is checked against the tree, but a slug alone names one
category or product of a locale, which keeps lookups a single indexed query.
"""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from application.classes.catalog.availability import (
    NOT_AVAILABLE,
    Stock,
    StockStatus,
    stock_status,
    worst_status,
)
from application.classes.catalog.money import format_money
from application.classes.catalog.pricing import (
    MAX_PRECISION,
    PriceBreakdown,
    SetDiscount,
    check_rate,
    price_breakdown,
    set_price,
)
from application.classes.media import MediaItem
from application.classes.model import Model
from application.classes.old_slugs import keep_old_slugs
from application.classes.rich_text import as_markup, clean_html
from application.classes.slugs import check_slug

MONEY = Numeric(14, MAX_PRECISION)
RATE = Numeric(5, 2)


class CatalogError(ValueError):
    """Catalog data that breaks a rule (a set containing itself, a VAT rate a pricelist lacks)."""


# categories -----------------------------------------------------------------------
class Category(Model):
    """A node of the category tree; names and slugs are in `texts`, one row per locale."""

    __tablename__ = "catalog_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_categories.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # among siblings

    parent: Mapped[Category | None] = relationship(
        back_populates="children", remote_side="Category.id"
    )
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="(Category.position, Category.id)"
    )
    texts: Mapped[list[CategoryText]] = relationship(
        back_populates="category", cascade="all, delete-orphan"
    )
    products: Mapped[list[Product]] = relationship(back_populates="category")

    def text(self, locale: str) -> CategoryText | None:
        """The texts of `locale`, or None when the category is not translated."""
        return next((text for text in self.texts if text.locale == locale), None)

    def __repr__(self) -> str:
        return f"<Category {self.id}>"


class CategoryText(Model):
    """A category's name, slug and description in one locale."""

    __tablename__ = "catalog_category_texts"
    __table_args__ = (UniqueConstraint("locale", "slug"),)

    category_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_categories.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    category: Mapped[Category] = relationship(back_populates="texts")

    @validates("slug")
    def _check_slug(self, key: str, slug: str) -> str:
        return check_slug(slug)


# products -------------------------------------------------------------------------
class ProductKind(enum.StrEnum):
    REGULAR = "regular"
    SET = "set"  # a set of other products (sets included) with quantities


class Product(Model):
    """A product: a regular one, or a set whose price and availability come from its items."""

    __tablename__ = "catalog_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    ean: Mapped[str | None] = mapped_column(String(14))
    kind: Mapped[ProductKind] = mapped_column(
        Enum(
            ProductKind,
            native_enum=False,
            length=16,
            values_callable=lambda kinds: [kind.value for kind in kinds],
        ),
        default=ProductKind.REGULAR,
    )
    category_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_categories.id"), index=True)
    # the main image, from the media library (an item in use is not deleted there)
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media_items.id"), index=True)

    category: Mapped[Category | None] = relationship(back_populates="products")
    image: Mapped[MediaItem | None] = relationship(lazy="joined")
    gallery: Mapped[list[ProductImage]] = relationship(
        cascade="all, delete-orphan",
        order_by="ProductImage.position",
        lazy="selectin",
    )
    texts: Mapped[list[ProductText]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )
    prices: Mapped[list[Price]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )
    availabilities: Mapped[list[Availability]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )
    set_items: Mapped[list[SetItem]] = relationship(
        foreign_keys="SetItem.set_id",
        cascade="all, delete-orphan",
        order_by="(SetItem.position, SetItem.item_id)",
    )

    @property
    def is_set(self) -> bool:
        return self.kind == ProductKind.SET

    @property
    def images(self) -> list[MediaItem]:
        """The main image, then the gallery's (each once)."""
        found = [self.image] if self.image is not None else []
        found += [row.media for row in self.gallery if row.media not in found]
        return found

    def text(self, locale: str) -> ProductText | None:
        """The texts of `locale`, or None when the product is not translated."""
        return next((text for text in self.texts if text.locale == locale), None)

    def price_row(self, pricelist: Pricelist) -> Price | None:
        return next((p for p in self.prices if p.pricelist_id == pricelist.id), None)

    def price_in(self, pricelist: Pricelist) -> PriceBreakdown | None:
        """The price in `pricelist`; None when it has none (for a set: when an item has none)."""
        return self._price_in(pricelist, ())

    def _price_in(self, pricelist: Pricelist, within: tuple[int, ...]) -> PriceBreakdown | None:
        row = self.price_row(pricelist)
        if not self.is_set:
            return row.breakdown(pricelist) if row is not None else None
        self._check_not_within(within)
        items = []
        for set_item in self.set_items:
            price = set_item.item._price_in(pricelist, (*within, self.id))
            if price is None:
                return None
            items.append((price, set_item.quantity))
        if not items:
            return None
        discount = row.set_discount if row is not None else None
        return set_price(
            items,
            discount,
            includes_vat=pricelist.prices_include_vat,
            precision=pricelist.precision,
        )

    def availability_row(self, code: str) -> Availability | None:
        return next((a for a in self.availabilities if a.code == code), None)

    def status(self, code: str, today: dt.date, quantity: int = 1) -> StockStatus:
        """What a customer ordering `quantity` is told under availability `code`."""
        return self._status(code, today, quantity, ())

    def _status(
        self, code: str, today: dt.date, quantity: int, within: tuple[int, ...]
    ) -> StockStatus:
        if not self.is_set:
            row = self.availability_row(code)
            return stock_status(row.stock if row is not None else None, quantity, today)
        self._check_not_within(within)
        if not self.set_items:
            return NOT_AVAILABLE
        return worst_status(
            (
                item.item._status(code, today, quantity * item.quantity, (*within, self.id))
                for item in self.set_items
            ),
            today,
        )

    def _check_not_within(self, within: tuple[int, ...]) -> None:
        if self.id in within:
            raise CatalogError(
                f"set {self.code!r} contains itself (through the sets with ids "
                f"{', '.join(map(str, within))}); remove it from its items"
            )

    def __repr__(self) -> str:
        return f"<Product {self.code!r}>"


def sort_name(name: str) -> str:
    """How product names sort: case and accents folded, so "Čaj" sorts near "Caj" rather
    than after "Zebra" (compared by code point, as Python and SQL's binary collation do)."""
    folded = unicodedata.normalize("NFKD", name).casefold()
    return "".join(c for c in folded if not unicodedata.combining(c))


class ProductText(Model):
    """A product's name, slug and description in one locale."""

    __tablename__ = "catalog_product_texts"
    __table_args__ = (UniqueConstraint("locale", "slug"),)

    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # `sort_name(name)`, kept with the name: a category page is sorted and paged by it in SQL
    sort_name: Mapped[str] = mapped_column(
        Text().with_variant(Text(collation="C"), "postgresql"), default=""
    )
    slug: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    product: Mapped[Product] = relationship(back_populates="texts")

    @validates("name")
    def _keep_sort_name(self, key: str, name: str) -> str:
        self.sort_name = sort_name(name or "")
        return name

    @validates("slug")
    def _check_slug(self, key: str, slug: str) -> str:
        return check_slug(slug)

    @validates("description")
    def _clean_description(self, key: str, description: str | None) -> str:
        return clean_html(description)  # rich text: cleaned whoever writes it

    @property
    def description_html(self) -> Markup:
        """The description as markup for templates (cleaned when stored)."""
        return as_markup(self.description)


class ProductImage(Model):
    """An image of a product's gallery, in its place."""

    __tablename__ = "catalog_product_images"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(
        ForeignKey("media_items.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)

    media: Mapped[MediaItem] = relationship(lazy="joined")


class SetItem(Model):
    """One product of a set, with its quantity (the item may be a set itself)."""

    __tablename__ = "catalog_set_items"
    __table_args__ = (
        CheckConstraint("quantity >= 1", name="quantity"),
        CheckConstraint("set_id <> item_id", name="not_itself"),
    )

    set_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id"), primary_key=True, index=True
    )
    quantity: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    item: Mapped[Product] = relationship(foreign_keys=[item_id])


# pricelists and prices ----------------------------------------------------------------
class Pricelist(Model):
    """Prices in one currency: whether they include VAT, the VAT rates, the rounding.

    `precision` is the number of decimals every amount is rounded to (half up). The demo
    uses 2 for CZK as well as EUR: the gross price of a CZK product is usually whole crowns,
    but its net price and VAT are not, and VAT is accounted in hellers; rounding to whole
    crowns is a matter of the cash total of an order, not of unit prices.
    """

    __tablename__ = "catalog_pricelists"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3))
    prices_include_vat: Mapped[bool] = mapped_column(default=True)
    vat_rates: Mapped[list[str]] = mapped_column(JSON, default=list)  # decimals as text
    default_vat_rate: Mapped[Decimal] = mapped_column(RATE)
    precision: Mapped[int] = mapped_column(default=2)

    prices: Mapped[list[Price]] = relationship(
        back_populates="pricelist", cascade="all, delete-orphan"
    )

    @validates("currency")
    def _check_currency(self, key: str, currency: str) -> str:
        if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
            raise CatalogError(f"a currency is a three-letter ISO 4217 code, not {currency!r}")
        return currency.upper()

    @validates("vat_rates")
    def _check_rates(self, key: str, rates: list[Any]) -> list[str]:
        return [str(check_rate(rate)) for rate in rates]

    @validates("precision")
    def _check_precision(self, key: str, precision: int) -> int:
        if not 0 <= precision <= MAX_PRECISION:
            raise CatalogError(f"precision is 0 to {MAX_PRECISION} decimals, not {precision!r}")
        return precision

    @property
    def rates(self) -> list[Decimal]:
        return [Decimal(rate) for rate in self.vat_rates]

    def rate(self, rate: Decimal | None) -> Decimal:
        """`rate`, or the default rate for None; a rate the pricelist lacks is a CatalogError."""
        chosen = self.default_vat_rate if rate is None else rate
        if chosen not in self.rates:
            known = ", ".join(str(r.normalize()) for r in self.rates) or "none"
            raise CatalogError(
                f"pricelist {self.code!r} has no VAT rate {chosen.normalize()} "
                f"(its rates: {known}); add it to vat_rates or use one of them"
            )
        return chosen

    def format(self, amount: Decimal | None, locale: str) -> str:
        """`amount` in this pricelist's currency and precision, written as `locale` writes it."""
        return format_money(amount, self.currency, locale, self.precision)

    def __repr__(self) -> str:
        return f"<Pricelist {self.code!r}>"


class Price(Model):
    """The stored price of a product in a pricelist: gross, or net when the pricelist says so.

    For a set the amounts are not used (its price is its items'); a set's row holds its set
    discount: a percentage, or an amount in the pricelist's own figure.
    """

    __tablename__ = "catalog_prices"
    __table_args__ = (
        CheckConstraint(
            "set_discount_percent IS NULL OR set_discount_amount IS NULL", name="one_discount"
        ),
    )

    pricelist_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_pricelists.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="CASCADE"), primary_key=True, index=True
    )  # indexed: products load their prices and stock in bulk
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    amount_before: Mapped[Decimal | None] = mapped_column(MONEY)  # before a discount
    vat_rate: Mapped[Decimal | None] = mapped_column(RATE)  # None: the pricelist's default
    set_discount_percent: Mapped[Decimal | None] = mapped_column(RATE)
    set_discount_amount: Mapped[Decimal | None] = mapped_column(MONEY)

    pricelist: Mapped[Pricelist] = relationship(back_populates="prices")
    product: Mapped[Product] = relationship(back_populates="prices")

    @property
    def set_discount(self) -> SetDiscount | None:
        if self.set_discount_percent is None and self.set_discount_amount is None:
            return None
        return SetDiscount(self.set_discount_percent, self.set_discount_amount)

    def breakdown(self, pricelist: Pricelist) -> PriceBreakdown | None:
        """Net, gross and VAT of this price (None without an amount)."""
        if self.amount is None:
            return None
        return price_breakdown(
            self.amount,
            pricelist.rate(self.vat_rate),
            includes_vat=pricelist.prices_include_vat,
            precision=pricelist.precision,
            stored_before=self.amount_before,
        )


# stock --------------------------------------------------------------------------------
class Availability(Model):
    """Stock of a product under an availability code (a market or warehouse, e.g. `CZ`)."""

    __tablename__ = "catalog_availabilities"
    __table_args__ = (
        CheckConstraint("units >= 0", name="units"),
        CheckConstraint("delivery_days >= 0", name="delivery_days"),
    )

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_products.id", ondelete="CASCADE"), primary_key=True, index=True
    )  # indexed: products load their prices and stock in bulk
    units: Mapped[int] = mapped_column(default=0)
    delivery_days: Mapped[int] = mapped_column(default=0)  # for goods that are sold out
    available_from: Mapped[dt.date | None] = mapped_column(Date)
    sold_out_orders: Mapped[bool] = mapped_column(default=False)  # may sold-out goods be ordered

    product: Mapped[Product] = relationship(back_populates="availabilities")

    @property
    def stock(self) -> Stock:
        return Stock(
            self.units or 0,
            self.delivery_days or 0,
            self.available_from,
            bool(self.sold_out_orders),
        )


keep_old_slugs("product", ProductText, "product_id")  # the old URL answers 301
