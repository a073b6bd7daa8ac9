"""What a write changed: snapshots of a model's item, their difference, and the `ItemChanged` event.

The admin's CRUD controllers and grid bulk operations (jetpy.web) and REST handlers emit one
`ItemChanged` per item they create, update or delete; a module listening to `data.changed`
(the example's audit log) keeps them. The event is emitted like any other, so it is delivered
only when the request succeeded (after its commit) and never for a refused or failed write.

- **Snapshot**: an item's column values, plus the parts it owns (one-to-many relationships
  with `delete-orphan`, e.g. an article's localizations: `localizations.en_US.title`) and the
  ids of many-to-many ones (`roles`), as JSON-ready values (Decimal and dates as text).
- **Secrets** are never recorded: a field whose name says password, hash, token, secret or salt
  (or that the model lists in `audit_secret`) shows as `SECRET` when it changed.
- **Long values** are compared whole and recorded cut to `MAX_VALUE` characters.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import inspect
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import RelationshipDirection

from jetpy.modules.events import Event

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from jetpy.kernel.context import RequestContext

CREATE, UPDATE, DELETE = "create", "update", "delete"
SECRET = "(secret)"  # what a secret field's values are recorded as
MAX_VALUE = 500  # characters of a value kept in a record
_SECRET_NAME = re.compile(r"password|passwd|hash|token|secret|salt|api_?key", re.IGNORECASE)

Snapshot = dict[str, Any]
Changes = dict[str, tuple[Any, Any]]  # field → (old, new)


@dataclass(frozen=True)
class ItemChanged(Event):
    """An item was created, updated or deleted by a user of the site (admin or API)."""

    event_name: ClassVar[str] = "data.changed"

    action: str  # create, update, delete
    entity: str  # the model's name, e.g. "Article"
    entity_id: str
    label: str  # how the item was named when it changed
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    actor_id: str | None = None
    actor_name: str = ""
    base: str = ""  # where it happened: "admin", "rest" …
    module: str = ""
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def snapshot(item: Any) -> Snapshot:
    """The item's recordable values by field name (owned parts as `relation.key.field`)."""
    values = _columns(item)
    mapper = inspect(type(item))
    for relation in mapper.relationships:
        if relation.viewonly:
            continue
        related = getattr(item, relation.key)
        if relation.direction is RelationshipDirection.MANYTOMANY:
            values[relation.key] = sorted(
                "/".join(str(v) for v in inspect(one).identity or ("new",)) for one in related
            )
        elif (
            relation.direction is RelationshipDirection.ONETOMANY and relation.cascade.delete_orphan
        ):
            parts = related.values() if isinstance(related, Mapping) else related
            skip = {column.key for column in relation.remote_side}
            for part in parts or ():
                own = _columns(part, skip)
                key = _part_key(part, skip)
                for name, value in own.items():
                    if name not in key[1]:
                        values[f"{relation.key}.{key[0]}.{name}"] = value
    return values


def changes_between(before: Snapshot | None, after: Snapshot | None, model: Any = None) -> Changes:
    """Field → (old, new) for every field whose value differs (secrets and long values hidden)."""
    old, new = before or {}, after or {}
    secrets = set(getattr(model, "audit_secret", ()))
    found: Changes = {}
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        if is_secret(name, secrets):
            found[name] = (SECRET if was is not None else None, SECRET if now is not None else None)
        else:
            found[name] = (_shortened(was), _shortened(now))
    return found


def is_secret(name: str, secrets: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether the field's values must never be recorded."""
    last = name.rpartition(".")[2]
    return last in secrets or bool(_SECRET_NAME.search(last))


def actor_of(ctx: RequestContext) -> tuple[str | None, str]:
    """(id, name) of the request's user, asked of the base's auth provider; (None, '') if none."""
    who = getattr(ctx.auth, "current_user", None)
    user = who(ctx) if callable(who) else None
    if user is None:
        return None, ""
    name = getattr(user, "username", None) or getattr(user, "name", None) or str(user)
    return str(getattr(user, "id", "")), str(name)


def item_changed(
    ctx: RequestContext,
    module: str,
    action: str,
    item: Any,
    before: Snapshot | None,
    label: str | Callable[[Any], str] = str,
) -> ItemChanged | None:
    """The event telling what `action` did to `item` (None: an update that changed nothing).

    `before` is the item's snapshot taken before the write (None when it was created); for a
    deletion the recorded changes are the deleted values (old → None).
    """
    after = None if action == DELETE else snapshot(item)
    changes = changes_between(before, after, type(item))
    if action == UPDATE and not changes:
        return None
    identity = inspect(item).identity
    entity_id = "/".join(str(part) for part in identity) if identity else ""
    actor_id, actor_name = actor_of(ctx)
    return ItemChanged(
        action=action,
        entity=type(item).__name__,
        entity_id=entity_id,
        label=(label(item) if callable(label) else label)[:200],
        changes=changes,
        actor_id=actor_id,
        actor_name=actor_name,
        base=ctx.base.id,
        module=module,
    )


def bulk_changes(
    ctx: RequestContext,
    module: str,
    session: Session,
    rows: list[Any],
    before: list[tuple[Snapshot, str]],
) -> list[ItemChanged]:
    """The events of a bulk operation that ran on `rows` (their snapshots and labels before).

    A row the operation deleted (through the session or by a DELETE statement) is a deletion;
    the others are read again, so that changes made by UPDATE statements are seen too.
    """
    session.flush()
    found = []
    for row, (snapped, label) in zip(rows, before, strict=True):
        state = inspect(row)
        action = DELETE if state.deleted or state.was_deleted else UPDATE
        if action == UPDATE:
            try:
                session.refresh(row)
            except InvalidRequestError:  # no such row any more
                action = DELETE
        event = item_changed(ctx, module, action, row, snapped, label)
        if event is not None:
            found.append(event)
    return found


# values -------------------------------------------------------------------------------------
def _columns(item: Any, skip: set[str] | frozenset[str] = frozenset()) -> Snapshot:
    state = inspect(item)
    values: Snapshot = {}
    for attribute in state.mapper.column_attrs:
        if attribute.key not in skip:
            values[attribute.key] = plain(getattr(item, attribute.key))
    return values


def _part_key(part: Any, skip: set[str]) -> tuple[str, set[str]]:
    """How a part is told from its siblings: its primary key without the parent's id."""
    names = [c.key for c in inspect(type(part)).primary_key if c.key not in skip]
    return "/".join(str(getattr(part, name)) for name in names), set(names)


def plain(value: Any) -> Any:
    """A JSON-ready form of a column's value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(each) for each in value]
    if isinstance(value, dict):
        return {str(key): plain(each) for key, each in value.items()}
    return str(value)


def _shortened(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return value[: MAX_VALUE - 1] + "…"
    return value
