"""Old slugs: when an article's or product's slug changes, its old URL answers 301.

A model whose slug is part of a public URL registers itself with `keep_old_slugs(kind, cls,
id_attribute)`. Before every flush, a changed slug of such an object is written down as an
`OldSlug` (kind, locale, old slug → id of the item; the newest owner of a slug wins). The
public controllers look a slug up with `moved_to()` only when no live item has it, and
redirect to the item's current slug: a slug taken back or taken by another item is live
again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, event, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from application.classes.model import Model


class OldSlug(Model):
    """A slug an item of `kind` had in `locale`; `item_id` is the item's id."""

    __tablename__ = "old_slugs"

    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, index=True)


@dataclass(frozen=True)
class _Kind:
    name: str
    id_attribute: str


_KINDS: dict[type, _Kind] = {}


def keep_old_slugs(kind: str, cls: type, id_attribute: str) -> None:
    """Remember the old slugs of `cls` objects (with `locale`, `slug` and `id_attribute`)."""
    _KINDS[cls] = _Kind(kind, id_attribute)


def moved_to(session: Session, kind: str, locale: str, slug: str) -> int | None:
    """The id of the item of `kind` that had `slug` in `locale`, or None."""
    return session.scalar(
        select(OldSlug.item_id).where(
            OldSlug.kind == kind, OldSlug.locale == locale, OldSlug.slug == slug
        )
    )


@event.listens_for(Session, "before_flush")
def _remember(session: Session, _context: Any, _instances: Any) -> None:
    if not _KINDS:
        return
    for obj in session.dirty:  # a new object has no old slug
        kind = _KINDS.get(type(obj))
        if kind is None:
            continue
        state = inspect(obj)
        history = state.attrs.slug.history
        if not history.has_changes():
            continue
        locale, new = obj.locale, obj.slug
        item_id = getattr(obj, kind.id_attribute)
        for old in history.deleted or ():
            if old and old != new and item_id is not None:
                session.merge(OldSlug(kind=kind.name, locale=locale, slug=old, item_id=item_id))
