"""The auth provider of the web base (base.yaml `auth:`): visitors signed in by e-mail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from werkzeug.wrappers import Response

from application.modules.web.auth.models import Visitor
from jetpy.auth import AuthUser, SessionAuth

if TYPE_CHECKING:
    from jetpy.kernel.context import RequestContext

MODULE = "web.auth"


class VisitorAuth(SessionAuth):
    """Visitors sign in with their e-mail address once they have confirmed it.

    Every signed-in visitor may see the secret pages of the base (e.g. "My account").
    """

    login_view = "web.auth/login.html"

    def user_by_id(self, ctx: RequestContext, id: Any) -> Visitor | None:
        if not isinstance(id, int):
            return None
        return ctx.db.get(Visitor, id)

    def user_by_login(self, ctx: RequestContext, login: str) -> Visitor | None:
        email = login.strip().lower()
        if not email:
            return None
        return ctx.db.scalars(select(Visitor).where(Visitor.email == email).limit(1)).first()

    @staticmethod
    def may_visit(user: AuthUser, page: Any) -> bool:
        return True

    def render_login(
        self,
        ctx: RequestContext,
        values: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The login page with the module's phrases (its dictionary) and its links."""
        translator = ctx.app.translations.translator(ctx.locale.name, MODULE)
        return super().render_login(ctx, {**values, "_": translator}, status, headers)
