"""Localized slugs: the URL fragment of an article, product or category in one locale."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: `$` would let a final newline in
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
# letters that Unicode does not decompose into an ASCII letter and a mark
_SPELLED_OUT = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
)


def slugify(text: str) -> str:
    """`text` as a slug: ASCII letters and digits joined by dashes (`Kůň a vůz` is `kun-a-vuz`)."""
    spelled = text.lower().translate(_SPELLED_OUT)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALLOWED.sub("-", ascii_text.lower()).strip("-")


def check_slug(slug: str) -> str:
    """`slug` when it is one; a ValueError that shows how to write it otherwise."""
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        suggestion = slugify(slug) if isinstance(slug, str) else ""
        hint = f"; did you mean {suggestion!r}?" if suggestion else ""
        raise ValueError(
            f"{slug!r} is not a slug: use lowercase ASCII letters and digits joined by "
            f"single dashes{hint}"
        )
    return slug


def free_slug(
    session: Session, column: InstrumentedAttribute[str], slug: str, *scope: ColumnElement[Any]
) -> str:
    """`slug`, or `slug-2`, `slug-3` … whichever no row within `scope` has in `column`.

    `scope` narrows the rows that count, e.g. `Text.locale == locale` and `Text.owner_id != id`
    (a row may keep its own slug). An empty slug stays empty.
    """
    slug = slug.strip("-")
    if not slug:
        return ""
    statement = select(column).where(or_(column == slug, column.like(f"{slug}-%")), *scope)
    taken = set(session.scalars(statement))
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    return candidate
