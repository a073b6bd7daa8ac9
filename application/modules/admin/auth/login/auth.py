"""The auth provider of the admin base (base.yaml `auth:`): administrators in the session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from application.modules.admin.auth.login.models import Administrator, LoginFailure
from jetpy.auth import DatabaseFailures, SessionAuth

if TYPE_CHECKING:
    from jetpy.context import RequestContext


class AdminAuth(SessionAuth):
    """Administrators sign in by username or e-mail; roles carry their privileges."""

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

    def failure_store(self, ctx: RequestContext) -> DatabaseFailures:
        return DatabaseFailures(ctx.db, LoginFailure)
