"""`jetpy export google-shopping`: the catalog of one locale as a Google Merchant feed.

`export` is a group that other export modules may add their own commands to (jetpy merges
the groups of the same name that several modules define).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click
from sqlalchemy.exc import SQLAlchemyError

from application.modules.exports.google_shopping.feed import (
    FeedError,
    Written,
    check_locale,
    count_products,
    feed_source,
    write_feed,
)
from application.modules.exports.google_shopping.links import (
    channel,
    check_site_url,
    image_links,
    product_links,
)
from jetpy import Application
from jetpy.cli.modulecli import pass_app

DEFAULT_SITE = "http://127.0.0.1:8000"  # where `jetpy run` serves the site


@click.group("export")
def export() -> None:
    """Export the catalog for other services (shopping feeds)."""


@export.command("google-shopping")
@click.option("--locale", "-l", required=True, help="A locale of base web, e.g. cs_CZ.")
@click.option(
    "--pricelist",
    default=None,
    help="The pricelist's code, e.g. CZK  [default: the locale's, see catalog/markets.py]",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The feed file; `-` writes to standard output.",
)
@click.option(
    "--base-url",
    envvar="JETPY_BASE_URL",
    default=DEFAULT_SITE,
    show_default=True,
    help="Scheme and host of the public site, for the product links ($JETPY_BASE_URL).",
)
@pass_app
def google_shopping(
    app: Application, locale: str, pricelist: str | None, output: Path, base_url: str
) -> None:
    """Write the Google Merchant feed (RSS 2.0) of a locale's products and prices.

    Every product translated in the locale with a price in the pricelist becomes an item with
    its gross price, availability and the absolute URL of its page. A file is written under a
    temporary name and renamed when complete, so a failed export leaves the old feed as it was.
    """
    try:
        check_locale(app, locale)
    except FeedError as error:
        raise click.BadParameter(str(error), param_hint="'--locale'") from None
    try:
        site = check_site_url(base_url)
    except FeedError as error:
        raise click.BadParameter(str(error), param_hint="'--base-url'") from None
    to_stdout = str(output) == "-"
    if not to_stdout and not output.parent.is_dir():
        raise click.BadParameter(
            f"the folder {str(output.parent)!r} does not exist; create it first",
            param_hint="'--output'",
        )
    with app.db.session() as session:
        try:
            source = feed_source(session, locale, pricelist)
        except FeedError as error:
            raise click.BadParameter(str(error), param_hint="'--pricelist'") from None
        except SQLAlchemyError as error:
            raise _no_catalog(error) from None
        try:
            link = product_links(app, locale, site)
            images = image_links(app, site)
        except FeedError as error:
            raise click.ClickException(str(error)) from None
        feed_channel = channel(app, locale, site)
        try:
            if to_stdout:
                written = write_feed(
                    sys.stdout.buffer, session, source, feed_channel, link, image_link=images
                )
            else:
                total = count_products(session, source)
                with (
                    _replacing(output) as out,
                    click.progressbar(
                        length=total,
                        label=f"Writing {output.name}",
                        file=sys.stderr,
                    ) as bar,
                ):
                    written = write_feed(
                        out, session, source, feed_channel, link, bar.update, images
                    )
        except SQLAlchemyError as error:
            raise _no_catalog(error) from None
        except OSError as error:  # a read-only or full disk, a folder one may not write to
            raise click.ClickException(
                f"cannot write {error.filename or output}: {error.strerror or error}; "
                "choose a folder you may write to with --output"
            ) from None
    _report(written, locale, source.pricelist.code, "standard output" if to_stdout else output)


@contextmanager
def _replacing(target: Path) -> Iterator[BinaryIO]:
    """A temporary file beside `target` that replaces it only when the block succeeds."""
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(mode)  # mkstemp makes it private; a feed is there to be read
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _no_catalog(error: SQLAlchemyError) -> click.ClickException:
    first = str(error).splitlines()[0]
    return click.ClickException(
        f"cannot read the catalog: {first}; create the tables with `jetpy db upgrade` "
        "and fill them (e.g. `jetpy db seed`)"
    )


def _report(written: Written, locale: str, pricelist: str, where: Path | str) -> None:
    for problem in written.skipped:
        click.secho(f"warning: skipped product {problem}", fg="yellow", err=True)
    click.echo(f"{written.items} products of {locale} in {pricelist} written to {where}", err=True)
