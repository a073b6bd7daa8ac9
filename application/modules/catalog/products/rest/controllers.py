"""Products in the REST API: `/rest/products/` (en_US) and `/rest/cs/products/` (cs_CZ).

Reads show the products translated in the URL's locale, priced in that locale's market
(`application.classes.catalog.markets`: EUR and EU stock for en_US, CZK and CZ stock for
cs_CZ). Money is always text holding a decimal (`"1299.00"`), never a JSON float.

- A list item: id, code, EAN, kind, category id, name and slug in the locale, the price in
  the market's pricelist and the stock status under the market's availability code.
- One product adds its texts in every locale, its category, its set items, its price in
  every pricelist (net, gross, VAT, rate, currency, price before discount) and its status
  under every availability code.

POST and PUT take::

    {"code": "TEA-101", "ean": "8590000000016", "kind": "regular", "category_id": 3,
     "texts": {"en_US": {"name": "…", "slug": "…", "description": "…"}},
     "prices": {"CZK": {"amount": "129.00", "amount_before": "149.00", "vat_rate": "12"}},
     "set_items": [{"product_id": 5, "quantity": 2}]}

`prices` holds the stored figure of each pricelist (gross when it includes VAT); a set has
no amounts but may have `set_discount_percent` or `set_discount_amount`, and needs
`set_items`. PUT replaces texts, prices and set items (those left out are removed); stock
is not written through the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from application.classes.catalog import (
    MARKETS,
    Category,
    Offer,
    Price,
    PriceBreakdown,
    Pricelist,
    Product,
    ProductKind,
    ProductText,
    SetItem,
    StockStatus,
    load_products,
    market_for,
    offers_of,
)
from application.classes.catalog.cache_tags import emit_catalog_changes
from application.classes.catalog.identifiers import code_problem, ean_problem
from application.classes.slugs import check_slug, free_slug, slugify
from jetpy import ApiError, RestController
from jetpy.data.changes import CREATE, DELETE, UPDATE, Snapshot, snapshot
from jetpy.rest import Body, SortKey

NAME_LENGTH = 200
DESCRIPTION_LENGTH = 20_000
MAX_AMOUNT = Decimal("9999999999")  # the price columns hold 14 digits, 4 of them decimals
MAX_QUANTITY = 10_000


class Main(RestController):
    """GET list and one, POST, PUT, DELETE of products."""

    sort_keys = ("code", "name", "price")
    default_sort = "+code"

    # reads ------------------------------------------------------------------------------
    def get_list(self) -> Any:
        locale = self.locale.name
        market = market_for(locale)
        pricelist = self.db.scalar(select(Pricelist).where(Pricelist.code == market.pricelist))
        query = self.query
        translated = _translated(locale)
        if any(key.name == "price" for key in query.sort):
            # a set's price comes from its items: it cannot be compared in SQL
            products = load_products(self.db, translated.order_by(Product.id))
            offers = offers_of(products, locale, pricelist, market.availability, _today())
            total = len(offers)
            offers = sort_offers(offers, query.sort)[query.offset :][: query.items_per_page]
        else:
            total = self.db.scalar(select(func.count()).select_from(translated.subquery())) or 0
            columns: dict[str, Any] = {"code": Product.code, "name": ProductText.name}
            order = [
                columns[key.name].desc() if key.descending else columns[key.name].asc()
                for key in query.sort
            ]
            statement = translated.order_by(*order, Product.id)
            statement = statement.limit(query.items_per_page).offset(query.offset)
            products = load_products(self.db, statement)
            offers = offers_of(products, locale, pricelist, market.availability, _today())
        return self.list_response(
            [self.summary(offer, pricelist, market.availability) for offer in offers], total
        )

    def summary(self, offer: Offer, pricelist: Pricelist | None, code: str) -> dict[str, Any]:
        product = offer.product
        return {
            "id": product.id,
            "code": product.code,
            "ean": product.ean,
            "kind": product.kind.value,
            "category_id": product.category_id,
            "name": offer.name,
            "slug": offer.slug,
            "price": price_json(pricelist, offer.price) if pricelist and offer.price else None,
            "availability": status_json(code, offer.status),
            "url": self.item_url(product.id),
        }

    def get_one(self, id: int) -> Any:
        found = load_products(self.db, _translated(self.locale.name).where(Product.id == id))
        if not found:
            raise ApiError(404, f"There is no product {id} in {self.locale.name}.")
        return self.full(found[0])

    def full(self, product: Product) -> dict[str, Any]:
        """The whole product: texts in every locale, prices in every pricelist, stock."""
        locale = self.locale.name
        text = product.text(locale)
        pricelists = self.db.scalars(select(Pricelist).order_by(Pricelist.code)).all()
        category = None
        if product.category_id is not None:
            category = self.db.scalar(
                select(Category)
                .where(Category.id == product.category_id)
                .options(selectinload(Category.texts))
            )
        category_text = category.text(locale) if category is not None else None
        codes = sorted(
            {m.availability for m in MARKETS.values()}
            | {row.code for row in product.availabilities}
        )
        today = _today()
        return {
            "id": product.id,
            "code": product.code,
            "ean": product.ean,
            "kind": product.kind.value,
            "name": text.name if text else None,
            "slug": text.slug if text else None,
            "description": text.description if text else None,
            "category": None
            if category is None
            else {
                "id": category.id,
                "name": category_text.name if category_text else None,
                "slug": category_text.slug if category_text else None,
            },
            "texts": {
                row.locale: {"name": row.name, "slug": row.slug, "description": row.description}
                for row in sorted(product.texts, key=lambda row: row.locale)
            },
            "set_items": [
                {"product_id": item.item_id, "code": item.item.code, "quantity": item.quantity}
                for item in product.set_items
            ],
            "prices": [
                price_json(pricelist, breakdown)
                for pricelist in pricelists
                if (breakdown := product.price_in(pricelist)) is not None
            ],
            "availability": [status_json(code, product.status(code, today)) for code in codes],
            "url": self.item_url(product.id),
        }

    # writes -----------------------------------------------------------------------------
    def post(self) -> Any:
        product = Product()
        self.fill(product)
        self.db.add(product)
        self.flush()
        self.record_change(CREATE, product, None, self.label(product))
        return self.created(self.reread(product.id), product.id)

    def put(self, id: int) -> Any:
        product = self.product(id)
        before = snapshot(product)
        self.fill(product)
        self.flush()
        self.record_change(UPDATE, product, before, self.label(product))
        return self.reread(product.id)

    def delete(self, id: int) -> None:
        product = self.product(id)
        sets = self.db.scalars(
            select(Product.code)
            .join(SetItem, SetItem.set_id == Product.id)
            .where(SetItem.item_id == id)
        ).all()
        if sets:
            raise ApiError(
                409,
                f"Product {product.code} is an item of the sets {', '.join(sorted(sets))}; "
                "remove it from them first.",
            )
        before, label = snapshot(product), self.label(product)
        self.db.delete(product)
        self.flush()
        self.record_change(DELETE, product, before, label)

    def record_change(self, action: str, item: Any, before: Snapshot | None, label: str) -> None:
        super().record_change(action, item, before, label)
        emit_catalog_changes(self.app, self.db)  # the cached pages that showed it

    def label(self, product: Product) -> str:
        """How the audit log names the product: its name in the URL's locale, else the code."""
        text = product.text(self.locale.name)
        return text.name if text is not None else product.code

    def product(self, id: int) -> Product:
        found = load_products(self.db, select(Product).where(Product.id == id))
        if not found:
            raise ApiError(404, f"There is no product {id}.")
        return found[0]

    def reread(self, id: int) -> dict[str, Any]:
        """The product as GET answers it, read afresh (a set's items and prices included)."""
        self.db.expire_all()
        return self.full(self.product(id))

    def fill(self, product: Product) -> None:
        """Check the body and put it into `product`; 400 lists every wrong field."""
        body = self.body()
        body.ignore("id", "url")
        code = body.text("code", required=True)
        if code is not None and (problem := code_problem(code)):
            body.error("code", problem)
            code = None
        elif code is not None:
            owner = self.db.scalar(select(Product.id).where(Product.code == code))
            if owner is not None and owner != product.id:
                body.error("code", f"already used by product {owner}")
        ean = body.text("ean")
        if ean is not None and (problem := ean_problem(ean)):
            body.error("ean", problem)
        kind_text = body.text("kind") or ProductKind.REGULAR.value
        kind = ProductKind.REGULAR
        try:
            kind = ProductKind(kind_text)
        except ValueError:
            body.error("kind", f"must be regular or set, not {kind_text!r}")
        category_id = body.integer("category_id", minimum=1)
        if category_id is not None and self.db.get(Category, category_id) is None:
            body.error("category_id", f"there is no category {category_id}")
        texts = self.read_texts(body, product.id)
        prices = self.read_prices(body, kind)
        items = self.read_set_items(body, kind, product.id)
        body.check()
        product.code = code or ""
        product.ean = ean or None
        product.kind = kind
        product.category_id = category_id
        product.texts = [_keep(product.texts, locale, values) for locale, values in texts.items()]
        product.prices = [_same_price(product.prices, price) for price in prices]
        product.set_items = [_same_item(product.set_items, item) for item in items]

    def read_texts(self, body: Body, product_id: int | None) -> dict[str, dict[str, str]]:
        texts = body.object("texts", required=True)
        if texts is None:
            return {}
        locales = list(self.base.locales)
        if not texts.names():
            body.error("texts", f"give the texts of one locale or more: {', '.join(locales)}")
        found: dict[str, dict[str, str]] = {}
        for locale in texts.names():
            if locale not in locales:
                texts.error(locale, f"not a locale of this API; use {', '.join(locales)}")
                continue
            fields = texts.object(locale, required=True)
            if fields is None:
                continue
            name = fields.text("name", required=True, max_length=NAME_LENGTH)
            slug = fields.text("slug", max_length=NAME_LENGTH)
            description = fields.text("description", max_length=DESCRIPTION_LENGTH) or ""
            if slug:
                try:
                    check_slug(slug)
                except ValueError as exc:
                    fields.error("slug", str(exc))
                    continue
                owner = self.slug_owner(locale, slug)
                if owner is not None and owner != product_id:
                    fields.error("slug", f"already used by product {owner} in {locale}")
                    continue
            elif name:
                others = [ProductText.locale == locale]
                if product_id is not None:
                    others.append(ProductText.product_id != product_id)
                wanted = slugify(name)[: NAME_LENGTH - 4]  # room for a -2 … suffix
                slug = free_slug(self.db, ProductText.slug, wanted, *others)
                if not slug:
                    fields.error("slug", "cannot be made from the name; give one")
            if name and slug:
                found[locale] = {"name": name, "slug": slug, "description": description}
        return found

    def slug_owner(self, locale: str, slug: str) -> int | None:
        return self.db.scalar(
            select(ProductText.product_id).where(
                ProductText.locale == locale, ProductText.slug == slug
            )
        )

    def read_prices(self, body: Body, kind: ProductKind) -> list[Price]:
        given = body.object("prices")
        if given is None:
            return []
        pricelists = {p.code: p for p in self.db.scalars(select(Pricelist))}
        prices = []
        for code in given.names():
            pricelist = pricelists.get(code)
            if pricelist is None:
                known = ", ".join(sorted(pricelists)) or "none"
                given.error(code, f"there is no pricelist {code}; pricelists: {known}")
                continue
            fields = given.object(code, required=True)
            if fields is None:
                continue
            # by id, not `pricelist=`: that would append the price to pricelist.prices too
            price = Price(pricelist_id=pricelist.id)
            places = min(pricelist.precision, 4)
            if kind is ProductKind.SET:
                price.set_discount_percent = fields.decimal(
                    "set_discount_percent", minimum=Decimal(0), maximum=Decimal(100), places=2
                )
                price.set_discount_amount = fields.decimal(
                    "set_discount_amount", minimum=Decimal(0), maximum=MAX_AMOUNT, places=places
                )
                if price.set_discount_percent is not None and price.set_discount_amount is not None:
                    fields.error(
                        "set_discount_amount", "a set has a percentage or an amount off, not both"
                    )
            else:
                price.amount = fields.decimal(
                    "amount", required=True, minimum=Decimal(0), maximum=MAX_AMOUNT, places=places
                )
                price.amount_before = fields.decimal(
                    "amount_before", minimum=Decimal(0), maximum=MAX_AMOUNT, places=places
                )
                rate = fields.decimal(
                    "vat_rate", minimum=Decimal(0), maximum=Decimal(100), places=2
                )
                if rate is not None and rate not in pricelist.rates:
                    rates = ", ".join(str(r) for r in pricelist.rates)
                    fields.error("vat_rate", f"pricelist {code} has the rates {rates}")
                price.vat_rate = rate
            prices.append(price)
        return prices

    def read_set_items(
        self, body: Body, kind: ProductKind, product_id: int | None
    ) -> list[SetItem]:
        if kind is not ProductKind.SET:
            if body.data.get("set_items"):
                body.error("set_items", "only a set has items; give `kind: set`")
            body.ignore("set_items")
            return []
        given = body.objects("set_items")
        if not given:
            body.error("set_items", "a set needs one item or more")
            return []
        wanted = {}
        for index, fields in enumerate(given):
            item_id = fields.integer("product_id", required=True, minimum=1)
            quantity = fields.integer("quantity", minimum=1, maximum=MAX_QUANTITY)
            if item_id is None:
                continue
            if item_id == product_id:
                fields.error("product_id", "a set cannot contain itself")
            elif item_id in wanted:
                fields.error("product_id", f"product {item_id} is listed twice")
            else:
                wanted[item_id] = (index, quantity or 1, fields)
        found = {
            p.id: p for p in load_products(self.db, select(Product).where(Product.id.in_(wanted)))
        }
        items = []
        for item_id, (index, quantity, fields) in wanted.items():
            item = found.get(item_id)
            if item is None:
                fields.error("product_id", f"there is no product {item_id}")
            elif product_id is not None and contains(item, product_id):
                fields.error("product_id", f"product {item_id} contains this set already")
            else:
                items.append(SetItem(item_id=item_id, quantity=quantity, position=index))
        return items


# helpers --------------------------------------------------------------------------------
def _translated(locale: str) -> Any:
    return select(Product).join(
        ProductText, and_(ProductText.product_id == Product.id, ProductText.locale == locale)
    )


def _today() -> dt.date:
    return dt.date.today()


def _keep(texts: Sequence[ProductText], locale: str, values: dict[str, str]) -> ProductText:
    """The product's row of `locale` changed to `values`, or a new one."""
    row = next((text for text in texts if text.locale == locale), None) or ProductText(
        locale=locale
    )
    row.name, row.slug, row.description = values["name"], values["slug"], values["description"]
    return row


def _same_price(rows: Sequence[Price], price: Price) -> Price:
    """The product's row of the price's pricelist changed to `price`, or `price` itself.

    Keeping the row turns a replaced price into an UPDATE rather than a DELETE and an
    INSERT of the same primary key.
    """
    row = next((row for row in rows if row.pricelist_id == price.pricelist_id), None)
    if row is None:
        return price
    row.amount, row.amount_before, row.vat_rate = price.amount, price.amount_before, price.vat_rate
    row.set_discount_percent = price.set_discount_percent
    row.set_discount_amount = price.set_discount_amount
    return row


def _same_item(rows: Sequence[SetItem], item: SetItem) -> SetItem:
    """The set's row of the item's product changed to `item`, or `item` itself."""
    row = next((row for row in rows if row.item_id == item.item_id), None)
    if row is None:
        return item
    row.quantity, row.position = item.quantity, item.position
    return row


def contains(product: Product, wanted: int) -> bool:
    """Whether `product` is the product `wanted` or holds it in its sets (items loaded)."""
    pending, seen = [product], set()
    while pending:
        current = pending.pop()
        if current.id == wanted:
            return True
        if current.id in seen:
            continue
        seen.add(current.id)
        pending.extend(item.item for item in current.set_items)
    return False


def price_json(pricelist: Pricelist, price: PriceBreakdown) -> dict[str, Any]:
    """A price in one pricelist; amounts are Decimals (written as text)."""
    return {
        "pricelist": pricelist.code,
        "currency": pricelist.currency,
        "includes_vat": pricelist.prices_include_vat,
        "price": price.price,
        "net": price.net,
        "gross": price.gross,
        "vat": price.vat,
        "vat_rate": price.vat_rate,
        "price_before": price.price_before,
        "discount_percent": price.discount_percent,
    }


def status_json(code: str, status: StockStatus) -> dict[str, Any]:
    """The stock status under availability `code`."""
    return {
        "code": code,
        "status": status.kind.value,
        "available_from": status.date,
        "delivery_days": status.days,
        "orderable": status.orderable,
    }


def sort_offers(offers: list[Offer], keys: Sequence[SortKey]) -> list[Offer]:
    """Offers in the order of `keys`; products without a price come last either way."""
    ordered = sorted(offers, key=lambda offer: offer.product.id)
    for key in reversed(keys):  # stable sorts, the last key first
        if key.name == "price":
            priced = [o for o in ordered if o.price is not None]
            unpriced = [o for o in ordered if o.price is None]
            priced.sort(
                key=lambda o: o.price.price if o.price else Decimal(0), reverse=key.descending
            )
            ordered = priced + unpriced
        elif key.name == "name":  # by code point, as SQLite and PostgreSQL's C collation
            ordered.sort(key=lambda o: o.name, reverse=key.descending)
        else:
            ordered.sort(key=lambda o: o.product.code, reverse=key.descending)
    return ordered
