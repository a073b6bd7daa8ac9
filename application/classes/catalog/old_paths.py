"""Old category paths: a category's old URL answers 301 after it moved or a slug changed.

A category is addressed by its slug path (`tools/hand-tools/saws`), which changes when the
category or any category above it gets a new slug or a new parent. Every such write through
the ORM (admin, REST, a script; not a bulk `update()` statement, which no hook sees) keeps the
paths it replaces, exactly, per locale:

- before a flush that changes a category's parent or a category text's slug, the paths of
  that category and of every category below it are read from the database (as they still
  are);
- after the flush they are read again, and each path that changed is written down as an
  `OldCategoryPath` (locale, old path → category id). The newest owner of a path wins, and a
  row for a path that the category has again (moved back) is dropped.

The public browser asks `moved_category_path()` only when no live category has the path (so a
normal page costs nothing more, and a live category always wins over an old path): one indexed
lookup, then the category's path now. That path is live, so a redirect never leads to another
redirect, however often the category moved. A deleted category takes its old paths with it
(the foreign key cascades): they answer 404, not a redirect to nowhere.

Old paths longer than `MAX_PATH` characters are not kept (an index entry has a size limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Connection,
    ForeignKey,
    String,
    delete,
    event,
    insert,
    inspect,
    select,
    tuple_,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from application.classes.catalog.models import Category, CategoryText
from application.classes.catalog.queries import category_path, category_trail
from application.classes.model import Model
from application.classes.slugs import SLUG

MAX_PATH = 2000
CHUNK = 500  # (locale, path) pairs in one statement's IN list
# the session.info key of the paths a flush is about to change: an object per import of this
# module, since the listeners of every import stay registered on Session (tests load the
# application afresh) and each one must keep its own paths, not take another's
PENDING = object()

Paths = dict[tuple[int, str], str]  # (category id, locale) → slug path


class OldCategoryPath(Model):
    """A slug path `category_id` had in `locale` (`tools/hand-tools`), without the page's URL."""

    __tablename__ = "catalog_category_old_paths"

    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    path: Mapped[str] = mapped_column(String(MAX_PATH), primary_key=True)
    category_id: Mapped[int] = mapped_column(
        ForeignKey("catalog_categories.id", ondelete="CASCADE"), index=True
    )


def moved_category_path(session: Session, path: str, locale: str) -> str | None:
    """The slug path now of the category that had `path` in `locale`, or None.

    None also when the category is no longer translated in `locale`, or when its path now is
    `path` (then it is live and needs no redirect).
    """
    path = path.strip("/")
    if not path or len(path) > MAX_PATH or not all(SLUG.match(s) for s in path.split("/")):
        return None
    id = session.scalar(
        select(OldCategoryPath.category_id).where(
            OldCategoryPath.locale == locale, OldCategoryPath.path == path
        )
    )
    category = session.get(Category, id) if id is not None else None
    if category is None:
        return None
    trail = category_trail(session, category)
    if trail[0].parent_id is not None:
        return None  # no top category above it: a loop of parents (bad data) has no URL
    now = category_path(trail, locale)
    return now if now != path else None


def subtree_paths(connection: Connection, ids: Iterable[int]) -> Paths:
    """The slug paths, per locale, of the categories `ids` and of every category below them,
    as the database has them (three statements, whatever the depth)."""
    roots = list(ids)
    # UNION rather than UNION ALL: a loop of parents (refused by the admin, not by the
    # database) ends the recursion instead of running it forever
    down = select(Category.id).where(Category.id.in_(roots)).cte("moved_below", recursive=True)
    down = down.union(select(Category.id).join(down, Category.parent_id == down.c.id))
    up = (
        select(Category.id, Category.parent_id)
        .where(Category.id.in_(roots))
        .cte("moved_above", recursive=True)
    )
    up = up.union(select(Category.id, Category.parent_id).join(up, Category.id == up.c.parent_id))
    below = set(connection.scalars(select(down.c.id)))
    involved = union(select(down.c.id), select(up.c.id)).subquery()
    parents: dict[int, int | None] = {
        id: parent
        for id, parent in connection.execute(
            select(Category.id, Category.parent_id).where(Category.id.in_(select(involved)))
        )
    }
    slugs: dict[tuple[int, str], str] = {
        (id, locale): slug
        for id, locale, slug in connection.execute(
            select(CategoryText.category_id, CategoryText.locale, CategoryText.slug).where(
                CategoryText.category_id.in_(select(involved))
            )
        )
    }
    locales = {locale for _, locale in slugs}
    paths: Paths = {}
    for id in below:
        for locale in locales:
            path = _path(id, locale, parents, slugs)
            if path is not None:
                paths[(id, locale)] = path
    return paths


def _path(
    id: int, locale: str, parents: dict[int, int | None], slugs: dict[tuple[int, str], str]
) -> str | None:
    """The slug path of `id` in `locale`; None when a category on the way has no text there
    (the category has no URL in that locale) or the parents loop (refused, but not by the
    database)."""
    found: list[str] = []
    current: int | None = id
    while current is not None:
        slug = slugs.get((current, locale))
        if slug is None or len(found) > len(parents):
            return None
        found.append(slug)
        current = parents.get(current)
    return "/".join(reversed(found))


def _changed(obj: Any) -> bool:
    """Whether `obj` is a write that may change category paths: a new parent, a new slug."""
    state = inspect(obj)
    if isinstance(obj, Category):
        return bool(state.attrs.parent_id.history.has_changes()) or bool(
            state.attrs.parent.history.has_changes()
        )
    if isinstance(obj, CategoryText):
        return bool(state.attrs.slug.history.has_changes())
    return False


@event.listens_for(Session, "before_flush")
def _read_before(session: Session, _context: Any, _instances: Any) -> None:
    session.info.pop(PENDING, None)
    ids = {
        obj.id if isinstance(obj, Category) else obj.category_id
        for obj in session.dirty  # a new category has no old path
        if isinstance(obj, Category | CategoryText) and _changed(obj)
    }
    ids.discard(None)
    if ids:
        session.info[PENDING] = (ids, subtree_paths(session.connection(), ids))


@event.listens_for(Session, "after_flush")
def _keep_changed(session: Session, _context: Any) -> None:
    pending = session.info.pop(PENDING, None)
    if pending is None:
        return
    ids, before = pending
    connection = session.connection()
    after = subtree_paths(connection, ids)
    old = {
        (locale, path): id
        for (id, locale), path in before.items()
        if after.get((id, locale)) != path and len(path) <= MAX_PATH
    }
    # the newest owner of a path wins, and a path live again is no old path (kept anew when
    # the category leaves it again)
    keys = [*old, *((locale, path) for (_, locale), path in after.items())]
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        key = tuple_(OldCategoryPath.locale, OldCategoryPath.path)
        connection.execute(delete(OldCategoryPath).where(key.in_(chunk)))
    if old:
        rows = [{"locale": k[0], "path": k[1], "category_id": id} for k, id in old.items()]
        connection.execute(keep_paths(connection), rows)


def keep_paths(connection: Connection) -> Any:
    """INSERT of old paths where a row another transaction wrote meanwhile gives way.

    Two saves at once can keep the same old path: an editor renames a parent while another
    moves a category below it, and both read the category's path before either committed.
    The delete above does not see the other's uncommitted row, so a plain INSERT would fail
    on the key; both name the same category, and the later write wins, as with a save.
    """
    dialect = connection.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        return insert(OldCategoryPath)
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OldCategoryPath)
    return upsert.on_conflict_do_update(
        index_elements=[OldCategoryPath.locale, OldCategoryPath.path],
        set_={"category_id": upsert.excluded.category_id},
    )
