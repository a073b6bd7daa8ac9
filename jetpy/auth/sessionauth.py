"""`SessionAuth`: an auth provider keeping the signed-in user in the base's session."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from jetpy.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from jetpy.auth.redirects import safe_next
from jetpy.auth.throttle import FailureStore
from jetpy.kernel import csrf
from jetpy.kernel.errorpages import PageResponse
from jetpy.kernel.head import PLACEHOLDER

if TYPE_CHECKING:
    from jetpy.auth import AuthUser
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.pages import Page

SESSION_KEY = "_auth"
LOGIN_FIELD = "login"
PASSWORD_FIELD = "password"
NEXT_FIELD = "next"
MARK_FIELD = "_login"  # tells a login attempt from any other POST to a secret page
_NOBODY = object()  # ctx.vars["user"] when the provider looked and found no one


class SessionAuth(ABC):
    """An AuthProvider on top of the session and a source of users; subclass it.

    A subclass says where users come from (`user_by_id`, `user_by_login`). Then:

    - a secret page asked for without login answers the login form at the same URL (200),
      with the URL kept as `next`; the form posts back to it, and a good login redirects
      there (only ever to a path of this site);
    - a signed-in user sees a page when superuser or given `visit_page` for its id, else 403;
      the pages of `open_pages` (e.g. the sign-out page) every signed-in user may visit;
    - a router action with an `acl_action` runs for a superuser or with the privilege
      `module_action` `module:acl_action`;
    - failed logins are counted per account and address and per address (the app's login
      throttle, jetpy.auth.throttle): over a limit, the form answers 429 until the wait ends;
    - login gives the session a new id and marks it as the user's (`session_owner`);
      sign-out deletes it from the store; a new password and `sign_out_everywhere()` delete
      every session of the user, in every process. The session also remembers the user's
      `session_version`, which both raise: a session that escaped the store is refused too.
    """

    login_view = "jetpy/login.html"  # a full page: the base may put its own in views/
    # page ids every signed-in user may visit without `visit_page` (signing out must always work)
    open_pages: frozenset[str] = frozenset()

    # the source of users: what a subclass provides (an instance lacking one is refused at
    # load, when the base's auth factory is called) --------------------------------------
    @abstractmethod
    def user_by_id(self, ctx: RequestContext, id: Any) -> AuthUser | None:
        """The user with `id` (as stored in the session), or None."""

    @abstractmethod
    def user_by_login(self, ctx: RequestContext, login: str) -> AuthUser | None:
        """The user who signs in as `login` (a username or an e-mail address), or None."""

    def failure_store(self, ctx: RequestContext) -> FailureStore:
        """Where failed logins are counted: the app's store (config `login_throttle`)."""
        return ctx.app.throttles.store

    def store_password_hash(self, ctx: RequestContext, user: AuthUser, password_hash: str) -> None:
        """Keep a new hash of the user's password (the model's attribute by default)."""
        user.password_hash = password_hash  # type: ignore[misc]

    # AuthProvider ---------------------------------------------------------------------
    def page_access(self, ctx: RequestContext, page: Page) -> Response | bool:
        """The login form when nobody is signed in, else whether the user may see `page`."""
        user = self.current_user(ctx)
        if user is None:
            return self.login(ctx)
        return self.may_visit(user, page)

    def module_action_allowed(self, ctx: RequestContext, module: str, acl_action: str) -> bool:
        """Superusers may; others with the privilege `module_action` `module:acl_action`."""
        user = self.current_user(ctx)
        if user is None:
            return False
        return user.is_superuser or user.has_privilege("module_action", f"{module}:{acl_action}")

    def can_see_page(self, ctx: RequestContext, page: Page) -> bool:
        """Public pages for everyone; secret ones for users who may visit them."""
        if not page.is_secret:
            return True
        user = self.current_user(ctx)
        return user is not None and self.may_visit(user, page)

    def may_visit(self, user: AuthUser, page: Page) -> bool:
        return (
            user.is_superuser
            or page.id in self.open_pages
            or user.has_privilege("visit_page", page.id)
        )

    # the signed-in user ---------------------------------------------------------------
    def current_user(self, ctx: RequestContext) -> AuthUser | None:
        """The signed-in, active user whose session is still valid; looked up once a request.

        Templates see it as `user` (set before the page renders).
        """
        found = ctx.vars.get("user", None)
        if found is not None:
            return None if found is _NOBODY else found
        user = self._user_of_session(ctx)
        ctx.vars["user"] = user if user is not None else _NOBODY
        return user

    def _user_of_session(self, ctx: RequestContext) -> AuthUser | None:
        name = ctx.app.sessions.cookie_name(ctx.base.id)
        if ctx.loaded_session is None and name not in ctx.request.cookies:
            return None  # no session cookie: nobody, and the session stays unread
        session = ctx.session
        stored = session.get(SESSION_KEY)
        if stored is None:
            return None
        user = None
        if isinstance(stored, dict) and isinstance(stored.get("user"), (int, str)):
            user = self.user_by_id(ctx, stored["user"])
        if user is None or not user.is_active or user.session_version != stored.get("version"):
            del session[SESSION_KEY]  # deleted, deactivated, or signed out everywhere
            return None
        return user

    def log_in(self, ctx: RequestContext, user: AuthUser) -> None:
        """Sign `user` in: a new session id (an id known before login is worthless)."""
        session = ctx.session
        session.rotate()
        csrf.forget(session)
        session[SESSION_KEY] = {"user": user.id, "version": user.session_version}
        session.owner = self.session_owner(user)
        ctx.vars["user"] = user

    def log_out(self, ctx: RequestContext) -> None:
        """Sign out: the whole session is dropped, in the store too (a copied cookie is void)."""
        ctx.session.clear()
        ctx.vars["user"] = _NOBODY

    def session_owner(self, user: AuthUser) -> str:
        """Whose session it is in the store: this provider's class and the user's id."""
        return f"{type(self).__module__}.{type(self).__qualname__}:{user.id}"

    def sign_out_everywhere(self, ctx: RequestContext, user: AuthUser) -> None:
        """End every session of `user` (this request's too, when it is theirs).

        Done when the request's work is committed: its own session and then the store.
        """
        user.session_version += 1  # type: ignore[misc]
        ctx.session.end_sessions_of(self.session_owner(user))
        current = self.current_user(ctx)
        if current is not None and current.id == user.id:
            self.log_out(ctx)

    def set_password(self, ctx: RequestContext, user: AuthUser, password: str) -> None:
        """Give `user` a new password; every other session of the user ends.

        The session of this request stays signed in when it is the user's own.
        """
        current = self.current_user(ctx)  # before the version changes
        self.store_password_hash(ctx, user, hash_password(password))
        user.session_version += 1  # type: ignore[misc]
        ctx.session.end_sessions_of(self.session_owner(user))
        if current is not None and current.id == user.id:
            ctx.session.rotate()  # this one goes on under a new id
            ctx.session[SESSION_KEY] = {"user": user.id, "version": user.session_version}

    # the login form -------------------------------------------------------------------
    def login(self, ctx: RequestContext) -> Response:
        """Show the login form, or handle its POST: redirect to `next` when it worked."""
        request = ctx.request
        given = request.values.get(NEXT_FIELD)
        next_url = safe_next(given) or safe_next(_current_url(ctx)) or "/"
        values: dict[str, Any] = {"next": next_url, "login": "", "error": None, "wait": 0}
        if request.method != "POST" or MARK_FIELD not in request.form:
            return self.render_login(ctx, values)
        csrf.check(ctx)  # done by the request flow already, unless the base turned it off
        login = request.form.get(LOGIN_FIELD, "").strip()[:254]
        password = request.form.get(PASSWORD_FIELD, "")
        values["login"] = login
        # counted before the password is checked: parallel guesses cannot pass the limit
        throttle = ctx.app.throttles.throttle(self.failure_store(ctx))
        attempt = throttle.attempt(ctx.client_address, login, scope=ctx.base.id)
        if attempt.wait:
            values["wait"] = attempt.wait
            return self.render_login(ctx, values, 429, {"Retry-After": str(attempt.wait)})
        user = self.user_by_login(ctx, login) if login else None
        # without such a user a hash is checked all the same: the time tells nothing
        matches = verify_password(password, user.password_hash if user else dummy_hash())
        if user is None or not matches or not user.is_active:
            values["error"] = "wrong"
            values["wait"] = attempt.failed()
            return self.render_login(ctx, values)
        attempt.succeeded()
        if needs_rehash(user.password_hash):
            self.store_password_hash(ctx, user, hash_password(password))
        self.log_in(ctx, user)
        return Response(status=303, headers={"Location": next_url})

    def render_login(
        self,
        ctx: RequestContext,
        values: dict[str, Any],
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """The login page: `login_view` rendered with the base's templates."""
        templates = ctx.app.templates
        template = templates.environment(ctx.base).get_template(self.login_view)
        ctx.head.title = templates.shared_vars(ctx)["_"]("Sign in")
        html = templates.render(template, templates.shared_vars(ctx), values)
        html = html.replace(PLACEHOLDER, ctx.head.render(), 1)
        # a form with a token in it, for this browser only
        sent = {"Cache-Control": "no-store", "X-Frame-Options": "DENY", **(headers or {})}
        return PageResponse(html, status, sent)


def _current_url(ctx: RequestContext) -> str:
    """The requested URL as a local path with its query."""
    query = ctx.request.environ.get("QUERY_STRING", "")
    path = "/" + ctx.path.lstrip("/")  # `//host` would leave the site
    return quote(path, safe="/%:@!$&'()*+,;=-._~") + ("?" + query if query else "")
