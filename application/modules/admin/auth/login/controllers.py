"""The admin base's shell: dashboard, locale switch, the signed-in user, and the logout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from werkzeug.wrappers import Response

from application.classes.admin_users import Administrator, Role
from application.classes.catalog.models import Product
from application.classes.content import Article
from application.modules.admin.auth.login.auth import AdminAuth
from jetpy import Controller
from jetpy.kernel.alternates import switch_links
from jetpy.kernel.pages import Page

# what the dashboard counts: (label, the model, the admin page listing it)
COUNTED: tuple[tuple[str, Any, str], ...] = (
    ("Articles", Article, "articles"),
    ("Products", Product, "products"),
    ("Administrators", Administrator, "users"),
    ("Roles", Role, "roles"),
)


@dataclass(frozen=True)
class Count:
    """One figure of the dashboard, with the page that lists the items (when there is one)."""

    label: str
    count: int
    url: str | None


class Main(Controller):
    """Actions of the admin base's own pages and its layout (the login form is the provider's)."""

    @property
    def auth(self) -> AdminAuth:
        auth = self.ctx.auth
        if not isinstance(auth, AdminAuth):
            raise TypeError(
                f"module {self.module.name} runs in a base whose auth provider is "
                f"{type(auth).__name__}; set `auth: {AdminAuth.__module__}:AdminAuth` in base.yaml"
            )
        return auth

    def dashboard_action(self) -> None:
        user = self.auth.current_user(self.ctx)
        self.render("dashboard.html", user=user, counts=self.counts())

    def counts(self) -> list[Count]:
        """How many items of each kind, for those the user may open the list of.

        The shared classes are counted (not the admin modules' code): a kind whose admin
        module is not active is still counted, for superusers only, without a link.
        """
        user = self.auth.current_user(self.ctx)
        tree = self.app.trees[(self.base.id, self.locale.name)]
        shown: list[Count] = []
        for label, model, page_id in COUNTED:
            page: Page | None = tree.by_id.get(page_id)
            if page is not None and page.is_active:
                if not self.auth.can_see_page(self.ctx, page):
                    continue
                url: str | None = page.url()
            elif user is not None and user.is_superuser:
                url = None
            else:
                continue
            count = self.db.scalar(select(func.count()).select_from(model)) or 0
            shown.append(Count(self._(label), count, url))
        return shown

    def locale_switch_action(self) -> None:
        """This page in the base's other locales (their homepage when it lacks it); the query
        string, which names the item edited or shown, goes along."""
        self.render("locale_switch.html", links=switch_links(self.ctx, keep_query=True))

    def user_action(self) -> None:
        """Who is signed in, and the button to sign out (for the layout's header)."""
        user = self.auth.current_user(self.ctx)
        if user is not None:
            logout = self.app.page("logout", base=self.base.id, locale=self.locale.name)
            self.render("user.html", user=user, logout_url=logout.url())

    def logout_action(self) -> Response:
        """POST (with the CSRF token, checked by the request flow): sign out (with `everywhere`:
        every session of the user ends); then the login."""
        if self.request.method == "POST":
            user = self.auth.current_user(self.ctx)
            if user is not None and "everywhere" in self.request.form:
                self.auth.sign_out_everywhere(self.ctx, user)  # every browser of theirs
                self.flash(self._("You have signed out everywhere."), "info")
            else:
                self.auth.log_out(self.ctx)
                self.flash(self._("You have signed out."), "info")
        home = self.app.page("_homepage_", base=self.base.id, locale=self.locale.name)
        return Response(status=303, headers={"Location": home.url()})
