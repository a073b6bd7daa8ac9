"""What a catalog write makes stale: the exact output-cache tags of the rows it changes.

The public catalog tags its output with what it shows (jetpy.cache): a product page
`product:<id>` (and its set items, `category:<id>` of its category trail, `pricelist:<code>`),
a category list `category:<id>` of its trail and of the subcategories it names,
`category-products:<id>` of itself and every category below it (whose products it lists) and
`product:<id>` of the products shown, the top categories `category:root` and theirs, the
featured widget `catalog:featured` and its products. `category:<id>` is the category itself
(the tag an admin's `data.changed` of a Category purges), `category-products:<id>` which
products it holds.

Before every flush, the catalog rows about to be written are turned into the tags their
change purges, kept in `session.info` until `catalog_changed(session)` takes them:

- a product (or its texts, set items, images): `product:<id>`, the categories it leaves and
  enters (`category-products:<id>`: the lists it moves between, or that its name reorders),
  and the sets containing it, however deep (and their categories);
- a price or stock row: the same, and `catalog:featured` (the featured products are the most
  discounted in stock);
- a category's texts: `category:<id>`; a category (its place): also its old and new
  parent's `category:<id>` (`category:root` for the top), whose subcategories change, and
  `category-products:<id>` of itself and both parents, whose lists gain or lose its products;
- a pricelist: `pricelist:<code>` (old and new code).

Whoever writes emits the event after the write (the admin and REST controllers do; a script
emits it after its commit), and jetpy's event delivery purges its `cache_tags` once the
request succeeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from application.classes.catalog.models import (
    Availability,
    Category,
    CategoryText,
    Price,
    Pricelist,
    Product,
    ProductImage,
    ProductText,
    SetItem,
)
from jetpy import Event

if TYPE_CHECKING:
    from jetpy import Application

PENDING = "catalog.cache_tags"  # the key in session.info
FEATURED = "catalog:featured"
ROOT = "category:root"  # the top categories' list


def product_tag(id: int) -> str:
    return f"product:{id}"


def category_tag(id: int | None) -> str:
    return ROOT if id is None else f"category:{id}"


def category_products_tag(id: int) -> str:
    return f"category-products:{id}"


def pricelist_tag(code: str) -> str:
    return f"pricelist:{code}"


@dataclass(frozen=True)
class CatalogChanged(Event):
    """Catalog rows changed; `cache_tags` is what the public catalog showed of them."""

    event_name: ClassVar[str] = "catalog.changed"

    cache_tags: tuple[str, ...] = ()


def catalog_changed(session: Session) -> CatalogChanged | None:
    """The event of the catalog writes `session` flushed since the last call (None: none)."""
    tags = session.info.pop(PENDING, None)
    return CatalogChanged(tuple(sorted(tags))) if tags else None


def emit_catalog_changes(app: Application, session: Session) -> None:
    """Emit `CatalogChanged` for what `session` flushed (in a request: delivered, and so
    purged, once the request succeeded; in a script: call it after the commit)."""
    changed = catalog_changed(session)
    if changed is not None:
        app.events.emit(changed)


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    if not any(isinstance(obj, _WATCHED) for obj in changed):
        return
    with session.no_autoflush:
        tags = _tags_of(session, changed)
    if tags:
        session.info.setdefault(PENDING, set()).update(tags)


_WATCHED = (
    Product,
    ProductText,
    ProductImage,
    SetItem,
    Price,
    Availability,
    Category,
    CategoryText,
    Pricelist,
)


def _tags_of(session: Session, changed: Iterable[Any]) -> set[str]:
    tags: set[str] = set()
    products: set[int] = set()  # whose category and containing sets are stale too
    categories: set[int | None] = set()
    for obj in changed:
        if isinstance(obj, Product):
            if obj.id is not None:
                products.add(obj.id)
            categories.update(_old_and_new(obj, "category_id", "category"))
        elif isinstance(obj, ProductText | ProductImage | SetItem | Price | Availability):
            owner = _owner(obj)
            if isinstance(owner, Product):
                if owner.id is not None:
                    products.add(owner.id)
                categories.add(owner.category_id)
            elif owner is not None:
                products.add(owner)
            if isinstance(obj, Price | Availability):
                tags.add(FEATURED)
        elif isinstance(obj, Category):
            if obj.id is not None:
                tags.add(category_tag(obj.id))
                categories.add(obj.id)
            for parent in _old_and_new(obj, "parent_id", "parent"):
                tags.add(category_tag(parent))
                categories.add(parent)
        elif isinstance(obj, CategoryText):
            category = obj.__dict__.get("category")
            tags.add(category_tag(category.id if category is not None else obj.category_id))
        elif isinstance(obj, Pricelist):
            tags.update(pricelist_tag(code) for code in _values(obj, "code") if code)
    if products:
        stale = _with_sets(session, products)
        tags.update(product_tag(id) for id in stale)
        categories.update(session.scalars(select(Product.category_id).where(Product.id.in_(stale))))
    # a product without a category is in no list
    tags.update(category_products_tag(id) for id in categories if id is not None)
    return tags


def _owner(obj: Any) -> Product | int | None:
    """The product a row belongs to: the object (when set through the relationship) or id."""
    if isinstance(obj, SetItem):
        return obj.set_id
    product = obj.__dict__.get("product")
    if product is not None:
        return product  # type: ignore[no-any-return]
    return obj.product_id  # type: ignore[no-any-return]


def _old_and_new(obj: Any, column: str, relation: str) -> set[Any]:
    """The values a foreign key had and has, whether set by id or through the relationship."""
    found = set(_values(obj, column))
    state = inspect(obj)
    history = state.attrs[relation].history
    for related in (*(history.added or ()), *(history.deleted or ())):
        found.add(related.id if related is not None else None)
    return found


def _values(obj: Any, attribute: str) -> list[Any]:
    history = inspect(obj).attrs[attribute].history
    values = [*(history.added or ()), *(history.unchanged or ()), *(history.deleted or ())]
    if not values:  # not loaded and not changed
        values = [getattr(obj, attribute)]
    return values


def _with_sets(session: Session, ids: set[int]) -> set[int]:
    """`ids` and the ids of the sets containing any of them, however deep (one statement)."""
    up = select(SetItem.set_id.label("id")).where(SetItem.item_id.in_(ids)).cte(recursive=True)
    up = up.union(select(SetItem.set_id).join(up, SetItem.item_id == up.c.id))
    return ids | set(session.scalars(select(up.c.id)))
