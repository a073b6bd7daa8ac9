"""Minimal CSRF protection for POST forms: a double-submit token (cookie + hidden field).

A form puts `<input type="hidden" name="csrf_token" value="{{ csrf_token() }}">` in itself;
its controller calls `self.check_csrf()` before it changes anything. The token is random and
lives in a cookie the browser sends back only for same-site requests (`SameSite=Lax`,
`HttpOnly`; on https `Secure` with the `__Host-` prefix, so no other host can plant it). A
forged request from another site cannot read the cookie, so it cannot send the same value in
the form. The forms and auth layer will bind the token to the session.
"""

from __future__ import annotations

import hmac
import re
import secrets
from typing import TYPE_CHECKING

from werkzeug.exceptions import BadRequest

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.context import RequestContext

FIELD = "csrf_token"
COOKIE = "jetpy_csrf"
MAX_AGE = 365 * 24 * 3600  # a form in a restored tab still works after a browser restart
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def cookie_name(ctx: RequestContext) -> str:
    """On https the `__Host-` prefix makes browsers refuse the cookie from other hosts."""
    return "__Host-" + COOKIE if ctx.scheme == "https" else COOKIE


def token(ctx: RequestContext) -> str:
    """The request's token: the one from its cookie, or a new one set on the response."""
    current = ctx.csrf_token
    if current is None:
        sent = ctx.request.cookies.get(cookie_name(ctx), "")
        current = ctx.csrf_token = sent if _TOKEN.fullmatch(sent) else secrets.token_urlsafe(32)
    return current


def is_valid(ctx: RequestContext) -> bool:
    """Whether the request is safe (GET …) or its form field matches its cookie."""
    request = ctx.request
    if request.method in SAFE_METHODS:
        return True
    sent = request.cookies.get(cookie_name(ctx), "")
    field = request.form.get(FIELD, "")
    if not _TOKEN.fullmatch(sent):
        return False
    return hmac.compare_digest(sent.encode(), field.encode())


def check(ctx: RequestContext) -> None:
    """Refuse with 400 a form whose token is missing or does not match the cookie."""
    if not is_valid(ctx):
        raise BadRequest(
            "The form's security token is missing or out of date. "
            "Reload the page (with cookies allowed) and send the form again."
        )


def set_cookie(ctx: RequestContext, response: Response) -> None:
    """Give the browser the token that a page rendered, unless it has it already."""
    value = ctx.csrf_token
    name = cookie_name(ctx)
    if value is None or ctx.request.cookies.get(name) == value:
        return
    secure = ctx.scheme == "https"
    response.set_cookie(
        name, value, max_age=MAX_AGE, path="/", secure=secure, httponly=True, samesite="Lax"
    )
