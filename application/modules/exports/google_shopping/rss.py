"""The feed as XML: RSS 2.0 with Google Merchant's `g:` elements, written as a stream.

Items are written one by one, their text escaped (`xml.sax.saxutils.escape`), so a feed of
a hundred thousand products never sits in memory as a tree.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

GOOGLE_NS = "http://base.google.com/ns/1.0"
MAX_TITLE = 150  # Google Merchant's limits: longer values are refused or cut by Google
MAX_DESCRIPTION = 5000
MAX_ADDITIONAL_IMAGES = 10
# characters XML 1.0 cannot carry at all, not even escaped (a stray \x0b in a description
# would make the whole feed unreadable)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Channel:
    """The feed's own title, link (the shop's homepage) and description."""

    title: str
    link: str
    description: str


@dataclass(frozen=True)
class FeedItem:
    """One product as Google Merchant reads it; prices are gross, in `currency`."""

    id: str
    title: str
    description: str
    link: str
    price: Decimal
    currency: str
    availability: str  # in_stock, out_of_stock, preorder or backorder
    sale_price: Decimal | None = None
    availability_date: dt.date | None = None
    gtin: str | None = None
    image_link: str | None = None  # the main image (absolute URL)
    additional_image_links: tuple[str, ...] = ()  # the gallery's, at most 10
    brand: str | None = None
    condition: str = "new"


def money(amount: Decimal, currency: str) -> str:
    """`1234.50 CZK`: fixed-point digits (never `1E+3`) and the ISO currency code."""
    return f"{amount:f} {currency}"


def google_date(date: dt.date) -> str:
    """`2026-12-04T00:00Z`: Google reads dates as ISO 8601 with a time and a time zone."""
    return f"{date.isoformat()}T00:00Z"


def clean(text: str, limit: int | None = None) -> str:
    """`text` without characters XML cannot hold, cut to `limit` characters."""
    text = _NOT_XML.sub("", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


class RssWriter:
    """Writes the feed to a binary stream: `with RssWriter(out, channel) as w: w.write(item)`.

    Each item is escaped and joined into one string and written at once: a feed of a hundred
    thousand items is a few million elements, too many for a call per start tag and text.
    """

    def __init__(self, out: BinaryIO, channel: Channel) -> None:
        self._out = io.TextIOWrapper(out, encoding="utf-8", newline="\n")
        self._channel = channel

    def __enter__(self) -> RssWriter:
        channel = self._channel
        self._out.write(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<rss version="2.0" xmlns:g={quoteattr(GOOGLE_NS)}>\n'
            "  <channel>"
            + _element("title", clean(channel.title), 2)
            + _element("link", clean(channel.link), 2)
            + _element("description", clean(channel.description), 2)
        )
        return self

    def write(self, item: FeedItem) -> None:
        """Write one `<item>`."""
        parts = [
            "\n    <item>",
            _element("g:id", clean(item.id), 3),
            _element("g:title", clean(item.title, MAX_TITLE), 3),
            _element("g:description", clean(item.description, MAX_DESCRIPTION), 3),
            _element("link", clean(item.link), 3),
            *([_element("g:image_link", clean(item.image_link), 3)] if item.image_link else []),
            *(
                _element("g:additional_image_link", clean(url), 3)
                for url in item.additional_image_links[:MAX_ADDITIONAL_IMAGES]
            ),
            _element("g:price", money(item.price, item.currency), 3),
        ]
        if item.sale_price is not None:
            parts.append(_element("g:sale_price", money(item.sale_price, item.currency), 3))
        parts.append(_element("g:availability", item.availability, 3))
        if item.availability_date is not None:
            parts.append(_element("g:availability_date", google_date(item.availability_date), 3))
        if item.gtin:
            parts.append(_element("g:gtin", clean(item.gtin), 3))
        if item.brand:
            parts.append(_element("g:brand", clean(item.brand), 3))
        if not item.gtin and not item.brand:
            # Google asks for unique product identifiers unless the feed says there are none
            parts.append(_element("g:identifier_exists", "no", 3))
        parts.append(_element("g:condition", item.condition, 3))
        parts.append("\n    </item>")
        self._out.write("".join(parts))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # an unfinished feed stays unfinished (the caller throws it away), but what was
        # written is flushed and the caller's stream is handed back open either way
        if kind is None:
            self._out.write("\n  </channel>\n</rss>\n")
        self._out.flush()
        self._out.detach()


def _element(name: str, text: str, depth: int) -> str:
    return f"\n{'  ' * depth}<{name}>{escape(text)}</{name}>"
