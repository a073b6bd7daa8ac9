"""The auth provider of the admin base (base.yaml `auth:`): administrators in the session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from application.classes.admin_users import Administrator
from jetpy.auth import SessionAuth

if TYPE_CHECKING:
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.pages import Page

# the ACL action a module's list needs (jetpy.web.crud's `list`): without it, no menu item
VIEW = "view"


class AdminAuth(SessionAuth):
    """Administrators sign in by username or e-mail; roles carry their privileges."""

    open_pages = frozenset({"logout"})  # every administrator may sign out

    def can_see_page(self, ctx: RequestContext, page: Page) -> bool:
        """Menus offer a page the user may visit and whose modules' lists the user may view.

        A page of a CRUD module answers 403 to a user without the module's `view` action
        even when the page itself may be visited: its menu item would only lead there.
        """
        if not super().can_see_page(ctx, page):
            return False
        acl_actions = ctx.app.acl_actions
        return all(
            self.module_action_allowed(ctx, content.module, VIEW)
            for content in page.contents
            if content.module is not None and VIEW in acl_actions.get(content.module, {})
        )

    def user_by_id(self, ctx: RequestContext, id: Any) -> Administrator | None:
        if not isinstance(id, int):
            return None
        return ctx.db.get(Administrator, id)

    def user_by_login(self, ctx: RequestContext, login: str) -> Administrator | None:
        lowered = login.strip().lower()
        if not lowered:
            return None
        query = select(Administrator).where(
            (func.lower(Administrator.username) == lowered)
            | (func.lower(Administrator.email) == lowered)
        )
        return ctx.db.scalars(query.limit(1)).first()
