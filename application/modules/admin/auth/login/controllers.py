"""The admin base's shell: dashboard, locale switch, the signed-in user, and the logout."""

from __future__ import annotations

from werkzeug.wrappers import Response

from application.modules.admin.auth.login.auth import AdminAuth
from application.modules.admin.auth.login.dashboard import Dashboard
from jetpy import Controller
from jetpy.kernel.alternates import switch_links


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
        board = Dashboard(self, self.auth)
        self.render(
            "dashboard.html",
            user=board.user,
            counts=board.counts(),
            actions=board.quick_actions(),
            changes=board.latest_changes(),
        )

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
