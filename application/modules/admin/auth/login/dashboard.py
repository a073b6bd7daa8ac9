"""What the admin dashboard shows: counts with links, quick actions, the latest changes.

Everything is filtered by what the signed-in administrator may open: a count links to its list
only when they may see that page, a quick action is offered only when they may see the page
and run the module's ACL action, and the latest changes come from the audit log
(application/classes/audit.py) only when its page is there for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from application.classes.admin_users import MODULE_ACTION, Administrator, Role
from application.classes.audit import AuditEntry, latest_changes
from application.classes.catalog.models import Product
from application.classes.content import Article
from application.classes.media import MediaItem

if TYPE_CHECKING:
    from application.modules.admin.auth.login.auth import AdminAuth
    from jetpy import Controller
    from jetpy.kernel.pages import Page

# what the dashboard counts: (label, the model, the admin page listing it)
COUNTED: tuple[tuple[str, Any, str], ...] = (
    ("Articles", Article, "articles"),
    ("Products", Product, "products"),
    ("Media", MediaItem, "media"),
    ("Administrators", Administrator, "users"),
    ("Roles", Role, "roles"),
)
# quick actions: (label, admin page, module and ACL action needed, query of the action)
QUICK: tuple[tuple[str, str, str, str], ...] = (
    ("Add article", "articles", "content.articles.admin:add", "?add"),
    ("Add product", "products", "catalog.products.admin:add", "?add"),
    ("Upload media", "media", "admin.media:upload", ""),
    ("Add administrator", "users", "admin.auth.users:add", "?add"),
)
AUDIT_PAGE = "audit"
LATEST = 8


@dataclass(frozen=True)
class Count:
    """One figure of the dashboard, with the page that lists the items (when there is one)."""

    label: str
    count: int
    url: str | None


@dataclass(frozen=True)
class Change:
    """One line of "latest changes": what, who, when, and where to look at it."""

    entry: AuditEntry
    action: str  # translated: Created, Updated, Deleted
    url: str | None  # the audit entry's page


class Dashboard:
    """The dashboard's parts for the controller's signed-in administrator."""

    def __init__(self, controller: Controller, auth: AdminAuth) -> None:
        self.controller = controller
        self.auth = auth
        self.user = auth.current_user(controller.ctx)
        tree = controller.app.trees[(controller.base.id, controller.locale.name)]
        self.pages: dict[str, Page] = tree.by_id

    def visible(self, page_id: str) -> Page | None:
        """The page when it is active and the user may see it."""
        page = self.pages.get(page_id)
        if page is None or not page.is_active:
            return None
        return page if self.auth.can_see_page(self.controller.ctx, page) else None

    def counts(self) -> list[Count]:
        """How many items of each kind, for those the user may open the list of.

        A kind whose admin page is missing (its module is not active) is still counted, for
        superusers only, without a link.
        """
        _ = self.controller._
        shown: list[Count] = []
        for label, model, page_id in COUNTED:
            page = self.pages.get(page_id)
            if page is not None and page.is_active:
                if not self.auth.can_see_page(self.controller.ctx, page):
                    continue
                url: str | None = page.url()
            elif self.is_superuser:
                url = None
            else:
                continue
            count = self.controller.db.scalar(select(func.count()).select_from(model)) or 0
            shown.append(Count(_(label), count, url))
        return shown

    def quick_actions(self) -> list[tuple[str, str]]:
        """(label, URL) of the actions the user may start from here."""
        _ = self.controller._
        found = []
        for label, page_id, privilege, query in QUICK:
            page = self.visible(page_id)
            if page is not None and self.may(privilege):
                found.append((_(label), page.url() + query))
        return found

    def latest_changes(self) -> list[Change] | None:
        """The newest entries of the audit log; None when the user may not read it."""
        page = self.visible(AUDIT_PAGE)
        if page is None:
            return None
        _ = self.controller._
        names = {"create": _("Created"), "update": _("Updated"), "delete": _("Deleted")}
        entries = latest_changes(self.controller.db, LATEST)
        return [
            Change(entry, names.get(entry.action, entry.action), page.url(view=entry.id))
            for entry in entries
        ]

    @property
    def is_superuser(self) -> bool:
        return self.user is not None and self.user.is_superuser

    def may(self, privilege: str) -> bool:
        if self.user is None:
            return False
        return self.is_superuser or self.user.has_privilege(MODULE_ACTION, privilege)
