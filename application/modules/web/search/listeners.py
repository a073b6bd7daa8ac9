"""Keep the index current: every admin save and REST write (`data.changed`) of an article or
a product indexes that item again, in a session of its own (the event comes after the
request's commit); a deletion takes it out. A category renamed or moved in the admin (no
REST controller writes categories) indexes the products in it and below it again: their
documents carry the names of their categories."""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.classes import search
from application.classes.search_sources import PRODUCTS, SOURCES
from jetpy.data.changes import DELETE

if TYPE_CHECKING:
    from jetpy import Application
    from jetpy.data.changes import ItemChanged


def reindex_item(app: Application, event: ItemChanged) -> None:
    """Index the changed item again, or remove it; a changed category (its name, its place)
    indexes the products in it and below it again; other entities are not searched."""
    if not event.entity_id.isdigit():
        return
    if event.entity == "Category":
        # a deleted one held no products (the admin refuses otherwise); a new position or
        # description leaves the documents as they are: only a new name or a new place counts
        if event.action == DELETE or not any(
            name == "parent_id" or name.endswith(".name") for name in event.changes
        ):
            return
        with app.db.session() as session:
            products = PRODUCTS.in_categories(session, int(event.entity_id))
            search.reindex_items(session, PRODUCTS, products)
            session.commit()
        return
    source = next((each for each in SOURCES if each.entity == event.entity), None)
    if source is None:
        return
    item_id = int(event.entity_id)
    with app.db.session() as session:
        if event.action == DELETE:
            search.ensure_index(session)
            search.remove(session, source.kind, item_id)
        else:
            search.reindex(session, source, item_id)
        session.commit()
