"""The audit log in the admin base: `/admin/audit/` lists the entries, `?view=ID` shows one.

Read-only: entries are written by the module's listener, never through a form. The grid
filters by entity, user, action, base and period, and searches labels and ids; the ACL
action `view` of this module is needed for both pages.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from werkzeug.wrappers import Response

from application.classes.audit import ACTIONS, AuditEntry
from application.classes.content import utcnow
from jetpy import ControllerRouter
from jetpy.web.crud import CrudController
from jetpy.web.grid import Column, Filter, Grid

PERIODS = {"day": 1, "week": 7, "month": 31, "year": 366}  # name → days back from now
MAX_CHOICES = 200  # users or entities offered by a filter


class Main(CrudController):
    """The audit log's grid and the page of one entry."""

    model = AuditEntry
    view_template = "audit.log/view.html"

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action(
            "view",
            resolver=lambda: "view" in self.request.args,
            url_creator=partial(self.item_url, "view"),
            acl_action="view",
        )
        router.add_action("list", url_creator=lambda: self.page.url(), acl_action="view")
        router.set_default_action("list")
        return router

    def list_action(self) -> Response | None:
        grid = self.get_grid()
        label = self._("Details")
        grid.row_actions = lambda entry: [(label, self.item_url("view", entry))]
        return grid.serve(self)

    def get_grid(self) -> Grid:
        _ = self._
        actions = {"create": _("created"), "update": _("updated"), "delete": _("deleted")}
        now = utcnow()
        periods = {
            "day": _("Last 24 hours"),
            "week": _("Last 7 days"),
            "month": _("Last 31 days"),
            "year": _("Last year"),
        }
        return Grid(
            select(AuditEntry),
            [
                Column("at", _("When (UTC)"), value=lambda e: f"{e.at:%Y-%m-%d %H:%M:%S}"),
                Column("action", _("Action"), value=lambda e: actions.get(e.action, e.action)),
                Column("entity", _("Entity")),
                Column("entity_id", "ID", searchable=True),
                Column("label", _("Item"), searchable=True),
                Column("actor_name", _("User"), searchable=True, value=self.actor_text),
                Column(
                    "changes",
                    _("Changed fields"),
                    sortable=False,
                    value=lambda e: ", ".join(sorted(e.changes)),
                ),
            ],
            filters=[
                Filter("entity", _("Entity"), self.choices(AuditEntry.entity)),
                Filter(
                    "actor", _("User"), self.choices(AuditEntry.actor_name), AuditEntry.actor_name
                ),
                Filter("action", _("Action"), [(name, actions[name]) for name in ACTIONS]),
                Filter("base", _("Where"), [("admin", _("Admin")), ("rest", _("REST API"))]),
                Filter(
                    "period",
                    _("Period"),
                    list(periods.items()),
                    where=lambda name: AuditEntry.at >= now - timedelta(days=PERIODS[name]),
                ),
            ],
            sort="-at",
            export_filename="audit-log",
            empty=_("Nothing has been recorded yet."),
        )

    def choices(self, column: Any) -> list[tuple[str, str]]:
        """The values the column holds (the filter's options), alphabetically."""
        statement = select(column).distinct().where(column != "").order_by(column)
        return [(value, value) for value in self.db.scalars(statement.limit(MAX_CHOICES))]

    def actor_text(self, entry: AuditEntry) -> str:
        where = self._("REST API") if entry.base == "rest" else self._("Admin")
        return f"{entry.actor_name or self._('nobody')} ({where})"

    def title_of(self, item: Any) -> str:
        return f"#{item.id} {item.entity} {item.entity_id}: {item.label}"
