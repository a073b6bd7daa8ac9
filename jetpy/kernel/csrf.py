"""CSRF protection bound to the session: the token lives in `ctx.session["_csrf"]`.

A form puts `<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">` in itself (a
`jetpy.web.forms.Form` does it on its own). The token is random, made the first time a page asks
for it and kept in the visitor's session with the session's id; a POST, PUT, PATCH or DELETE
must send it back, in the form field `csrf_token` or in the header `X-CSRF-Token` (scripts).
Another site can neither read the session nor plant one (the session cookie is signed), so it
cannot forge the token. A token belongs to one session id: when the session rotates at login
(`Session.rotate()`), a token seen before login is worthless after it.

Every unsafe request to a page of an HTML base is checked after the controllers resolved and
before any action runs (`protect()`): a missing or wrong token is answered 400 and nothing
changes. Bases with `errors: json` (APIs, which do not authenticate by cookie) are not checked,
nor pages whose controllers are all `csrf_exempt` (RestController) when the request brings no
session cookie of the base (a cookie means a browser, which can be led by another site to send
it: then the token is needed, in the header for scripts); base.yaml `csrf: true` or
`csrf: false` overrides a base's default. `Controller.check_csrf()` checks on demand, e.g. in
a base that is not checked, or in code that runs before the actions (an auth provider).
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import BadRequest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from jetpy.kernel.bases import Base
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.controller import Controller
    from jetpy.kernel.sessions import Session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SESSION_KEY = "_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MESSAGE = (
    "The form's security token is missing or out of date. "
    "Reload the page (with cookies allowed) and send the form again."
)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def token(ctx: RequestContext) -> str:
    """The session's token, made (and stored in the session) on first use."""
    session = ctx.session
    current = _stored(session)
    if current is None:
        current = secrets.token_urlsafe(32)
        session[SESSION_KEY] = [session.id, current]
    return current


def _stored(session: Session) -> str | None:
    """The token kept in `session`, unless it was made for another session id (or is bad)."""
    stored: Any = session.get(SESSION_KEY)
    if (
        isinstance(stored, list)
        and len(stored) == 2
        and stored[0] == session.id
        and isinstance(stored[1], str)
        and _TOKEN.fullmatch(stored[1])
    ):
        return stored[1]
    return None


def sent_token(ctx: RequestContext) -> str:
    """The token the request sent: the form field, else the header; '' when none."""
    request = ctx.request
    return request.form.get(FIELD) or request.headers.get(HEADER, "")


def is_valid(ctx: RequestContext) -> bool:
    """Whether the request is safe (GET …) or sent the token of its session."""
    return ctx.request.method in SAFE_METHODS or matches(ctx, sent_token(ctx))


def matches(ctx: RequestContext, sent: str) -> bool:
    """Whether `sent` is the token of the request's session."""
    if not _TOKEN.fullmatch(sent):
        return False  # decided without loading the session
    expected = _stored(ctx.session)
    if expected is None:
        return False  # no session, one that never showed a form, or one rotated since
    return hmac.compare_digest(expected.encode(), sent.encode())


def check(ctx: RequestContext) -> None:
    """Refuse with 400 an unsafe request whose token is missing or not its session's."""
    if not is_valid(ctx):
        raise BadRequest(MESSAGE)


def protects(base: Base) -> bool:
    """Whether jetpy checks every unsafe request to `base`: its `csrf`, else HTML bases only."""
    return base.csrf if base.csrf is not None else base.errors != "json"


def protect(ctx: RequestContext, controllers: Sequence[Controller]) -> None:
    """The automatic check before the actions run: unsafe requests to a protected base.

    Skipped only when every controller of the page is `csrf_exempt` (a RestController) and
    the request brings no session cookie of the base: a browser sends the cookie on its own,
    so a request with it may be forged by another site whatever the controller is.
    """
    if ctx.request.method in SAFE_METHODS or not protects(ctx.base):
        return
    if (
        controllers
        and all(controller.csrf_exempt for controller in controllers)
        and ctx.app.sessions.cookie_name(ctx.base.id) not in ctx.request.cookies
    ):
        return
    check(ctx)


def forget(session: Session) -> None:
    """Drop the session's token now; the next form gets a new one (rotation does it too)."""
    session.pop(SESSION_KEY, None)
