"""Catalog queries the modules need; each takes the Session to run in.

Products come with their texts, prices, stock and set items loaded in bulk: the items of sets —
sets of sets included — in one recursive query, and prices and stock of all of them in one
statement each, so that a list of products costs the same few statements whatever its length
and however deep its sets nest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, func, inspect, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.interfaces import LoaderOption

from application.classes.catalog.models import (
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
from application.classes.slugs import SLUG

PRODUCT_LOADS: tuple[LoaderOption, ...] = (
    selectinload(Product.texts),
    selectinload(Product.prices),
    selectinload(Product.availabilities),
    selectinload(Product.set_items),
)


def pricelist_by_code(session: Session, code: str) -> Pricelist | None:
    return session.scalar(select(Pricelist).where(Pricelist.code == code))


# categories -----------------------------------------------------------------------------
def category_by_path(session: Session, path: str, locale: str) -> Category | None:
    """The category at slug path `path` (`electronics/phones`) in `locale`, or None.

    Every slug of the path must name the child of the one before, from a top category.
    """
    slugs = path.strip("/").split("/")
    if not all(SLUG.match(slug) for slug in slugs):
        return None
    found = session.scalars(
        select(Category)
        .join(Category.texts)
        .where(CategoryText.locale == locale, CategoryText.slug.in_(slugs))
        .options(selectinload(Category.texts))
    ).all()
    by_slug = {text.slug: category for category in found if (text := category.text(locale))}
    parent_id: int | None = None
    category = None
    for slug in slugs:
        category = by_slug.get(slug)
        if category is None or category.parent_id != parent_id:
            return None
        parent_id = category.id
    return category


def category_trail(session: Session, category: Category) -> list[Category]:
    """The category's ancestors from the top and the category, texts loaded (two statements)."""
    up = select(Category.id, Category.parent_id).where(Category.id == category.id)
    up_cte = up.cte("trail", recursive=True)
    up_cte = up_cte.union(  # not UNION ALL: a loop of parents (bad data) ends
        select(Category.id, Category.parent_id).join(up_cte, Category.id == up_cte.c.parent_id)
    )
    found = session.scalars(
        select(Category)
        .where(Category.id.in_(select(up_cte.c.id)))
        .options(selectinload(Category.texts))
    ).all()
    by_id = {c.id: c for c in found}
    trail: list[Category] = []
    current: Category | None = by_id.get(category.id)
    while current is not None and len(trail) <= len(by_id):
        trail.append(current)
        current = by_id.get(current.parent_id) if current.parent_id is not None else None
    return trail[::-1]


def category_path(trail: Sequence[Category], locale: str) -> str | None:
    """The slug path of the last category of `trail`; None when one is not translated."""
    slugs = []
    for category in trail:
        text = category.text(locale)
        if text is None:
            return None
        slugs.append(text.slug)
    return "/".join(slugs)


def subcategories(session: Session, parent: Category | None, locale: str) -> list[Category]:
    """The children of `parent` (the top categories for None) translated in `locale`."""
    parent_is = Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id
    return list(
        session.scalars(
            select(Category)
            .join(Category.texts)
            .where(parent_is, CategoryText.locale == locale)
            .order_by(Category.position, CategoryText.name, Category.id)
            .options(selectinload(Category.texts))
        )
    )


def descendant_ids(session: Session, category: Category) -> list[int]:
    """The ids of `category` and of every category below it."""
    down = select(Category.id).where(Category.id == category.id).cte("below", recursive=True)
    down = down.union(select(Category.id).join(down, Category.parent_id == down.c.id))
    return list(session.scalars(select(down.c.id)))


# products -------------------------------------------------------------------------------
def load_products(session: Session, statement: Select[Any]) -> list[Product]:
    """The products `statement` selects, with everything an offer needs loaded.

    Their texts come in one statement, and set items (sets of sets too), prices and
    availabilities of the products and of their items in three more, whatever the number of
    products and the nesting of sets (`load_offer_details`).
    """
    products = list(session.scalars(statement.options(selectinload(Product.texts))).unique())
    load_offer_details(session, products)
    return products


def load_set_items(session: Session, products: Sequence[Product]) -> None:
    """Load the items of the sets among `products`, and everything an offer of them needs."""
    load_offer_details(session, products)


def load_offer_details(session: Session, products: Sequence[Product]) -> None:
    """Set items, prices and availabilities of `products` and of all their items.

    At most three statements: the set items reachable from the sets among `products` (a
    recursive query), then the prices and the availabilities of every product involved; item
    products not among `products` come in one more query (with their texts). Collections
    already loaded are left as they are (as a `selectinload` would), so pending changes of a
    session are not overwritten.
    """
    involved = {product.id: product for product in products}
    set_ids = [product.id for product in products if product.is_set]
    items_of: dict[int, list[SetItem]] = {}
    if set_ids:
        below = (
            select(SetItem.item_id.label("id"))
            .where(SetItem.set_id.in_(set_ids))
            .cte("set_members", recursive=True)
        )
        # UNION rather than UNION ALL: a (refused, but possible in old data) cycle ends
        below = below.union(select(SetItem.item_id).join(below, SetItem.set_id == below.c.id))
        rows = session.scalars(
            select(SetItem)
            .where(or_(SetItem.set_id.in_(set_ids), SetItem.set_id.in_(select(below.c.id))))
            .order_by(SetItem.set_id, SetItem.position, SetItem.item_id)
        ).all()
        missing = {row.item_id for row in rows} - involved.keys()
        if missing:
            found = session.scalars(
                select(Product).where(Product.id.in_(missing)).options(selectinload(Product.texts))
            )
            involved.update((product.id, product) for product in found)
        for row in rows:
            items_of.setdefault(row.set_id, []).append(row)
            # a strong reference from the item row: the session's identity map is weak,
            # and an item product dropped from it would be loaded again, one by one
            set_committed_value(row, "item", involved[row.item_id])
    ids = list(involved)
    prices = _by_product(session, select(Price).where(Price.product_id.in_(ids)))
    stock = _by_product(session, select(Availability).where(Availability.product_id.in_(ids)))
    for product in involved.values():
        _fill(product, "set_items", items_of.get(product.id, []))
        _fill(product, "prices", prices.get(product.id, []))
        _fill(product, "availabilities", stock.get(product.id, []))


def _by_product(session: Session, statement: Select[Any]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = {}
    for row in session.scalars(statement):
        found.setdefault(row.product_id, []).append(row)
    return found


def _fill(product: Product, name: str, rows: list[Any]) -> None:
    if name in inspect(product).unloaded:
        set_committed_value(product, name, rows)


def _translated(locale: str) -> Select[Product]:
    return select(Product).join(
        ProductText, and_(ProductText.product_id == Product.id, ProductText.locale == locale)
    )


def category_products(
    session: Session, category: Category, locale: str, *, subcategories: bool = True
) -> list[Product]:
    """The products of `category` translated in `locale`, and of the categories below it.

    A category page shows what is below it (a shopper in Electronics sees the phones too);
    pass `subcategories=False` for the category's own products only.
    """
    ids = descendant_ids(session, category) if subcategories else [category.id]
    return products_in(session, ids, locale)


def products_in(session: Session, category_ids: Sequence[int], locale: str) -> list[Product]:
    """The products of the categories `category_ids` translated in `locale`, by id."""
    statement = _translated(locale).where(Product.category_id.in_(category_ids))
    return load_products(session, statement.order_by(Product.id))


def category_page(
    session: Session,
    category_ids: Sequence[int],
    locale: str,
    page: int,
    per_page: int,
    descending: bool = False,
) -> tuple[list[Product], int]:
    """Page `page` of `products_in()` sorted by name, paged in SQL, and their number.

    The order is the one `ProductFilter.apply` gives a name sort: `ProductText.sort_name`,
    then the code, compared by code point (PostgreSQL: collation "C"). A page out of range
    has no products; the count tells. Statements: the count, the page, its texts, and the
    offer details (`load_offer_details`).
    """
    statement = _translated(locale).where(Product.category_id.in_(category_ids))
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    if page < 1 or (page - 1) * per_page >= total:
        return [], total
    code: Any = Product.code
    if session.get_bind().dialect.name == "postgresql":
        code = code.collate("C")  # sort_name has the collation itself
    keys = (ProductText.sort_name, code)
    ordered = statement.order_by(*(key.desc() for key in keys) if descending else keys)
    products = load_products(session, ordered.limit(per_page).offset((page - 1) * per_page))
    return products, total


def product_by_slug(session: Session, slug: str, locale: str) -> Product | None:
    """The product whose slug in `locale` is `slug`, with everything an offer needs."""
    if not SLUG.match(slug):
        return None
    found = load_products(session, _translated(locale).where(ProductText.slug == slug))
    return found[0] if found else None


def featured_products(
    session: Session,
    locale: str,
    pricelist: Pricelist,
    count: int,
    availability: str | None = None,
) -> list[Product]:
    """Up to `count` discounted regular products of `pricelist`, the biggest discount first.

    With an `availability` code, only products with units in stock under it.
    """
    if count < 1:
        return []
    discount = (Price.amount_before - Price.amount) / Price.amount_before
    statement = (
        _translated(locale)
        .join(Price, Price.product_id == Product.id)
        .where(
            Price.pricelist_id == pricelist.id,
            Product.kind == ProductKind.REGULAR,
            Price.amount_before > Price.amount,
        )
        .order_by(discount.desc(), Product.id)
        .limit(count)
    )
    if availability is not None:
        statement = statement.join(
            Availability,
            and_(
                Availability.product_id == Product.id,
                Availability.code == availability,
                Availability.units > 0,
            ),
        )
    return load_products(session, statement)
