"""Localized slugs: the URL fragment of an article, product or category in one locale."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: `$` would let a final newline in
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")
MAX_MADE = 190  # characters of a slug made from a title (room for `-2` … in 200)
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


@dataclass(frozen=True)
class SlugChoice:
    """The slug a form stores, or why the typed one cannot be used (a phrase, `%(slug)s`)."""

    slug: str
    problem: str = ""
    suggestion: str = ""


def choose_slug(
    session: Session,
    column: InstrumentedAttribute[str],
    title: str,
    typed: str,
    *scope: ColumnElement[Any],
) -> SlugChoice:
    """The slug of a form: the typed one if it is a slug that is free within `scope`;
    none typed: made from `title` and numbered when taken (see `free_slug`).

    A typed slug is never changed behind the editor's back: a bad or taken one is a
    problem with a suggestion, for the form to show at the field.
    """
    typed = typed.strip()
    if not typed:
        made = slugify(title)[:MAX_MADE]
        if not made:
            return SlugChoice("", "The title has no letters or digits; write the slug.")
        return SlugChoice(free_slug(session, column, made, *scope))
    if not SLUG.fullmatch(typed):
        return SlugChoice(
            "",
            "Use lowercase letters and digits joined by dashes, e.g. %(slug)s.",
            slugify(typed)[:MAX_MADE].strip("-") or "item",
        )
    taken = session.scalar(select(column).where(column == typed, *scope).limit(1))
    if taken is not None:
        return SlugChoice(
            "",
            "Another item of this locale has this slug; use another, e.g. %(slug)s.",
            free_slug(session, column, typed, *scope),
        )
    return SlugChoice(typed)


def check_localized_slugs(
    session: Session,
    form: Any,
    column: InstrumentedAttribute[str],
    others: Callable[[str], list[ColumnElement[Any]]],
    name_field: str,
    unnamed: str,
) -> bool:
    """Check the per-locale name and slug fields of an admin form (jetpy.web.forms.Form with
    `locales` and `localized()`); True when they may be saved.

    A locale whose name is empty must have its other fields empty too (it is left out); a
    named one gets its slug through `choose_slug` within `others(locale)` (the same locale,
    other items), a problem shown at the slug field; at least one locale must be named, else
    `unnamed` (already translated) is shown at the first locale's name.
    """
    from jetpy.web.forms import add_error  # the forms' layer, asked for only by admin forms

    valid, named = True, 0
    for locale in form.locales:
        fields = form.localized(locale)
        name, slug = fields[name_field], fields["slug"]
        name.data = (name.data or "").strip()
        if not name.data:
            rest = [field.data for key, field in fields.items() if key != name_field]
            if any(isinstance(data, str) and data.strip() for data in rest):
                add_error(name, form._("Give a name, or leave every field of this locale empty."))
                valid = False
            continue
        named += 1
        if name.errors or slug.errors:
            valid = False
            continue
        choice = choose_slug(session, column, name.data, slug.data or "", *others(locale))
        if choice.problem:
            add_error(slug, form._(choice.problem, slug=choice.suggestion))
            valid = False
        else:
            slug.data = choice.slug
    if not named:
        add_error(form[f"{name_field}_{form.locales[0]}"], unnamed)
        valid = False
    return valid
