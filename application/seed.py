"""Demo data of the example site: `jetpy db seed` calls `seed(session)` on an empty database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from application.classes.catalog import Product
from application.classes.content import Article
from application.classes.demo_catalog import seed_catalog
from application.classes.demo_content import seed_articles
from application.classes.demo_images import seed_pictures
from application.classes.search import rebuild as rebuild_search
from application.classes.search_sources import SOURCES as SEARCHED
from jetpy.definitions.config import load_config
from jetpy.media import MediaLibrary

PROJECT = Path(__file__).resolve().parents[1]


def seed(session: Session, media: MediaLibrary | None = None) -> str:
    """Articles in both locales and a catalog with two pricelists, with pictures drawn into
    `media` (default: the project's media library, see config.yaml `media`); what was done.

    A database that holds articles or products already is left as it is (seeding twice would
    duplicate codes and slugs), so `jetpy db seed` may run on every start.
    """
    articles = session.scalar(select(func.count()).select_from(Article)) or 0
    products = session.scalar(select(func.count()).select_from(Product)) or 0
    if articles or products:
        return (
            f"the database holds {articles} articles and {products} products already; nothing "
            "was added (to start afresh, delete application/data/site.sqlite3 and run "
            "`jetpy db upgrade` and `jetpy db seed` again)"
        )
    seed_articles(session)
    seed_catalog(session)
    session.flush()
    pictures = seed_pictures(session, media or project_media())
    rebuild_search(session, SEARCHED)  # the site search finds the demo data at once
    articles = session.scalar(select(func.count()).select_from(Article)) or 0
    products = session.scalar(select(func.count()).select_from(Product)) or 0
    return f"seeded {articles} articles and {products} products with {pictures} pictures"


def project_media() -> MediaLibrary:
    """The media library `jetpy db seed` stores pictures in: this project's."""
    config = load_config(PROJECT / "application", PROJECT, [])
    return MediaLibrary.for_project(config, PROJECT)
