"""`jetpy search rebuild`: the whole search index built afresh from the database."""

from __future__ import annotations

import time

import click
from sqlalchemy.exc import SQLAlchemyError

from application.classes import search
from application.classes.search_sources import SOURCES
from jetpy import Application
from jetpy.cli.modulecli import pass_app


@click.group("search")
def search_group() -> None:
    """The site search's index (module web.search)."""


@search_group.command("rebuild")
@pass_app
def rebuild(app: Application) -> None:
    """Index every published article and product again, in every locale."""
    started = time.perf_counter()
    try:
        with app.db.session() as session:
            count = search.rebuild(session, SOURCES)
            session.commit()
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"the index was not rebuilt, the database refused: {type(error).__name__} (are the "
            "tables there? run `jetpy db upgrade` first)"
        ) from None
    kinds = ", ".join(source.kind + "s" for source in SOURCES)
    click.echo(f"indexed {count} documents ({kinds}) in {time.perf_counter() - started:.2f} s")
