"""Keep the index current: every admin save and REST write (`data.changed`) of an article or
a product indexes that item again, in a session of its own (the event comes after the
request's commit); a deletion takes it out."""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.classes import search
from application.classes.search_sources import SOURCES
from jetpy.data.changes import DELETE

if TYPE_CHECKING:
    from jetpy import Application
    from jetpy.data.changes import ItemChanged


def reindex_item(app: Application, event: ItemChanged) -> None:
    """Index the changed item again, or remove it; other entities are not searched."""
    source = next((each for each in SOURCES if each.entity == event.entity), None)
    if source is None or not event.entity_id.isdigit():
        return
    item_id = int(event.entity_id)
    with app.db.session() as session:
        if event.action == DELETE:
            search.ensure_index(session)
            search.remove(session, source.kind, item_id)
        else:
            search.reindex(session, source, item_id)
        session.commit()
