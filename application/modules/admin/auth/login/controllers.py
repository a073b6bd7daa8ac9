"""The dashboard, the signed-in user in the layout, and the logout of the admin base."""

from __future__ import annotations

from werkzeug.wrappers import Response

from application.modules.admin.auth.login.auth import AdminAuth
from jetpy import Controller


class Main(Controller):
    """Actions of the admin base's own pages (the login form is the provider's)."""

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
        self.render("dashboard.html", user=self.auth.current_user(self.ctx))

    def user_action(self) -> None:
        """Who is signed in, and the button to sign out (for the layout's header)."""
        user = self.auth.current_user(self.ctx)
        if user is not None:
            logout = self.app.page("logout", base=self.base.id, locale=self.locale.name)
            self.render("user.html", user=user, logout_url=logout.url())

    def logout_action(self) -> Response:
        """POST (with the CSRF token, checked by the request flow): sign out; then the login."""
        if self.request.method == "POST":
            self.auth.log_out(self.ctx)
            self.flash(self._("You have signed out."), "info")
        home = self.app.page("_homepage_", base=self.base.id, locale=self.locale.name)
        return Response(status=303, headers={"Location": home.url()})
