"""The audit log: one `AuditEntry` per item created, updated or deleted in the admin or the API.

Entries are written by the module audit.log from jetpy's `data.changed` events
(`jetpy.data.changes.ItemChanged`), so only writes that were committed are recorded. They say
who (the user's id and name as they were then, and the base: admin or rest), when, what (the
entity, its id and label) and which fields changed from what to what; secrets never appear.
The admin reads them through the functions below: the audit page, the history of one item, and
the dashboard's latest changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from application.classes.content import UTCDateTime
from application.classes.model import Model

if TYPE_CHECKING:
    from jetpy import ControllerRouter
    from jetpy.data.changes import ItemChanged

ACTIONS = ("create", "update", "delete")


class AuditEntry(Model):
    """What one write did to one item."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity_entity_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(16), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    # field → [old, new]
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor_id: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str] = mapped_column(String(200), default="", index=True)
    base: Mapped[str] = mapped_column(String(64), default="")  # admin, rest …
    module: Mapped[str] = mapped_column(String(100), default="")

    @classmethod
    def of(cls, event: ItemChanged) -> AuditEntry:
        """The entry recording `event`."""
        return cls(
            at=event.at,
            action=event.action,
            entity=event.entity,
            entity_id=event.entity_id[:64],
            label=event.label[:200],
            changes={name: list(pair) for name, pair in event.changes.items()},
            actor_id=event.actor_id,
            actor_name=event.actor_name[:200],
            base=event.base[:64],
            module=event.module[:100],
        )

    @property
    def changed_fields(self) -> list[tuple[str, Any, Any]]:
        """(field, old, new) in field order."""
        return [(name, pair[0], pair[1]) for name, pair in sorted(self.changes.items())]

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.entity} {self.entity_id}>"


def latest_changes(session: Session, limit: int = 10) -> Sequence[AuditEntry]:
    """The `limit` newest entries, newest first (the admin dashboard's "latest changes")."""
    if limit < 1:
        return []
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return session.scalars(statement.limit(limit)).all()


def history_of(
    session: Session, entity: str, entity_id: Any, limit: int = 200
) -> Sequence[AuditEntry]:
    """The entries of one item (e.g. `history_of(session, "Article", 7)`), newest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return session.scalars(statement).all()


class HistoryActions:
    """Mix into a `jetpy.web.crud.CrudController`: `?history=ID` lists that item's entries.

    The page needs the controller's ACL action for viewing; its URL is
    `crud_router.action("history").url(item)` (None for users who may not view). The view is
    the admin base's `audit_history.html`.
    """

    history_template = "audit_history.html"
    history_limit = 200

    def get_router(self) -> ControllerRouter:
        router: ControllerRouter = super().get_router()  # type: ignore[misc]
        crud: Any = self
        router.add_action(
            "history",
            resolver=lambda: "history" in crud.request.args,
            url_creator=partial(crud.item_url, "history"),
            acl_action=crud.acl_actions.get("view"),
        )
        return router

    def history_action(self) -> None:
        crud: Any = self
        item = crud.require_item("history")
        name = crud.title_of(item)
        entries = history_of(crud.db, type(item).__name__, item.id, self.history_limit)
        crud.breadcrumb.add(name)
        title = crud._("History of %(item)s", item=name)
        crud.head.title = title
        crud.render_crud(self.history_template, item=item, title=title, entries=entries)
