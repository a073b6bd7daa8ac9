"""Catalog queries the modules need; each takes the Session to run in.

Products come with their texts, prices, stock and set items loaded in bulk (`selectinload`),
and the items of sets — sets of sets included — one query per nesting level, so that a list
of products costs the same few statements whatever its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, select
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
    up_cte = up_cte.union_all(
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
    down = down.union_all(select(Category.id).join(down, Category.parent_id == down.c.id))
    return list(session.scalars(select(down.c.id)))


# products -------------------------------------------------------------------------------
def load_products(session: Session, statement: Select[Any]) -> list[Product]:
    """The products `statement` selects, with everything an offer needs loaded."""
    products = list(session.scalars(statement.options(*PRODUCT_LOADS)).unique())
    load_set_items(session, products)
    return products


def load_set_items(session: Session, products: Sequence[Product]) -> None:
    """Load the items of the sets among `products`, and theirs: one query per nesting level."""
    loaded = {product.id: product for product in products}
    sets = [product for product in products if product.is_set]
    while sets:
        wanted = {item.item_id for s in sets for item in s.set_items} - loaded.keys()
        if wanted:
            found = session.scalars(
                select(Product).where(Product.id.in_(wanted)).options(*PRODUCT_LOADS)
            ).all()
            loaded.update((product.id, product) for product in found)
        for product in sets:
            for item in product.set_items:
                # a strong reference from the item row: the session's identity map is weak,
                # and an item product dropped from it would be loaded again, one by one
                set_committed_value(item, "item", loaded[item.item_id])
        sets = [loaded[i] for i in wanted if loaded[i].is_set] if wanted else []


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
    return load_products(
        session, _translated(locale).where(Product.category_id.in_(ids)).order_by(Product.id)
    )


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
