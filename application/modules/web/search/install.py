"""Installing the module builds the index from what the database holds (when it has the
site's tables: on a database still to be made, `jetpy db upgrade` and `jetpy db seed` do)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.classes import search
from application.classes.search_sources import SOURCES

if TYPE_CHECKING:
    from jetpy.project.manager import InstallContext

NEEDED = {"article_localization", "catalog_product_texts", "search_words"}


def install(context: InstallContext) -> None:
    if not NEEDED.issubset(context.db.table_names()):
        return
    with context.db.session() as session:
        search.rebuild(session, SOURCES)
        session.commit()
