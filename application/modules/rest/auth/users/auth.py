"""The auth provider of the rest base (base.yaml `auth:`): API users by bearer token or Basic.

Every request brings its credentials (`Authorization: Bearer <token>` or HTTP Basic); there
are no sessions and no cookies. Reads are public, so credentials are looked at only when a
write (or a secret page) asks for them: wrong ones answer 401 with the JSON envelope and a
`WWW-Authenticate` challenge. Failures are counted by the app's login throttle
(jetpy.auth.throttle): Basic credentials per name and address and per address, wrong tokens
per address; over a limit further attempts get 429 with `Retry-After` until the count's window
ends. A valid bearer token is never refused, whatever failed before from its address: a token
is 256 random bits, which no number of guesses finds, so it is checked before any count.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from application.modules.rest.auth.users.models import ApiUser, token_hash
from jetpy.auth import verify_password
from jetpy.auth.passwords import MAX_LENGTH, dummy_hash
from jetpy.rest import ApiError

if TYPE_CHECKING:
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.pages import Page

MAX_TOKEN = 200  # longer is no token of ours: refused without a query
SCOPE = "rest"  # the throttle's counts of API users, apart from the other bases' sign-ins
_UNSET = object()


@dataclass(frozen=True)
class ApiIdentity:
    """The API user of a request: plain data, valid for that request only."""

    id: int
    name: str
    privileges: frozenset[str]
    is_superuser: bool = False  # API users never are; there for code that asks any user

    def has_privilege(self, kind: str, value: str) -> bool:
        """Only `module_action` privileges (`module:acl_action`) exist for API users."""
        return kind == "module_action" and value in self.privileges


def challenge(ctx: RequestContext) -> list[tuple[str, str]]:
    """The `WWW-Authenticate` headers of a 401: both schemes this API accepts."""
    realm = ctx.base.id
    return [
        ("WWW-Authenticate", f'Bearer realm="{realm}"'),
        ("WWW-Authenticate", f'Basic realm="{realm}", charset="UTF-8"'),
    ]


class RestAuth:
    """An AuthProvider authenticating each request by its `Authorization` header."""

    # AuthProvider ---------------------------------------------------------------------
    def page_access(self, ctx: RequestContext, page: Page) -> bool:
        """A secret page of the base is for any authenticated API user; else 401."""
        if not page.is_secret:
            return True
        if self.current_user(ctx) is None:
            raise ApiError(
                401,
                f"{ctx.request.path} needs an API user; send `Authorization: Bearer <token>` "
                "or HTTP Basic credentials.",
                code="unauthorized",
                headers=challenge(ctx),
            )
        return True

    def module_action_allowed(self, ctx: RequestContext, module: str, acl_action: str) -> bool:
        """Whether any role of the request's API user grants `module:acl_action`."""
        user = self.current_user(ctx)
        return user is not None and user.has_privilege("module_action", f"{module}:{acl_action}")

    def can_see_page(self, ctx: RequestContext, page: Page) -> bool:
        """Public pages for everyone; secret ones for authenticated API users."""
        if not page.is_secret:
            return True
        try:
            return self.current_user(ctx) is not None
        except ApiError:
            return False

    # the request's API user -----------------------------------------------------------
    def current_user(self, ctx: RequestContext) -> ApiIdentity | None:
        """The API user of the request's credentials, None without any; looked up once.

        Wrong credentials raise ApiError 401, too many failures ApiError 429.
        """
        found = ctx.vars.get("api_user", _UNSET)
        if found is not _UNSET:
            if isinstance(found, ApiError):
                raise found
            return found if isinstance(found, ApiIdentity) else None
        header = ctx.request.headers.get("Authorization", "")
        try:
            user = self.authenticate(ctx, header) if header else None
        except ApiError as error:
            ctx.vars["api_user"] = error
            raise
        ctx.vars["api_user"] = user
        return user

    def authenticate(self, ctx: RequestContext, header: str) -> ApiIdentity:
        """The API user of an `Authorization` header; ApiError 401 or 429 when none."""
        scheme, _, credentials = header.strip().partition(" ")
        credentials = credentials.strip()
        name: str | None = None
        password = token = ""
        if scheme.lower() == "bearer" and 0 < len(credentials) <= MAX_TOKEN:
            token = credentials
        elif scheme.lower() == "basic":
            pair = _basic(credentials)
            if pair is None:
                raise self.unauthorized(ctx, "The HTTP Basic credentials are malformed")
            name, password = pair
        else:
            raise self.unauthorized(
                ctx, "The Authorization header is neither `Bearer <token>` nor HTTP Basic"
            )
        # its own session: the request's may be rolled back (the throttle counts on its own)
        with ctx.app.db.session() as db:
            user: ApiUser | None
            if name is None:
                query = select(ApiUser).where(ApiUser.token_hash == token_hash(token))
                user = db.scalars(query).first()
                if user is not None and user.is_active:
                    return ApiIdentity(user.id, user.name, frozenset(user.privilege_values))
                attempt = ctx.app.throttles.throttle().attempt(ctx.client_address, scope=SCOPE)
            else:
                attempt = ctx.app.throttles.throttle().attempt(
                    ctx.client_address, name, scope=SCOPE
                )
                if attempt.wait:
                    raise self.too_many(attempt.wait)
                query = select(ApiUser).where(func.lower(ApiUser.name) == name.lower())
                user = db.scalars(query).first()
                stored = user.password_hash if user is not None else None
                # without a user (or a password) a hash is checked all the same: time tells nothing
                matches = verify_password(password, stored or dummy_hash()) and stored is not None
                if user is not None and matches and user.is_active:
                    attempt.succeeded()
                    return ApiIdentity(user.id, user.name, frozenset(user.privilege_values))
            if attempt.wait:  # a wrong token from an address over its limit
                raise self.too_many(attempt.wait)
            raise self.unauthorized(
                ctx, "The credentials are wrong, or the API user is deactivated"
            )

    @staticmethod
    def too_many(wait: int) -> ApiError:
        """429 with `Retry-After`."""
        return ApiError(
            429,
            f"Too many failed authentications from this address or for this user; "
            f"try again in {wait} seconds.",
            code="too_many_attempts",
            headers={"Retry-After": str(wait)},
        )

    @staticmethod
    def unauthorized(ctx: RequestContext, reason: str) -> ApiError:
        """401 with the envelope and the challenge."""
        return ApiError(
            401,
            f"{reason}; send `Authorization: Bearer <token>` or HTTP Basic credentials "
            "of an active API user.",
            code="unauthorized",
            headers=challenge(ctx),
        )


def _basic(credentials: str) -> tuple[str, str] | None:
    """Name and password of HTTP Basic credentials, or None when malformed."""
    if not credentials or len(credentials) > 4 * MAX_LENGTH:
        return None
    try:
        text = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    name, colon, password = text.partition(":")
    if not colon or not name or len(name) > 100 or len(password) > MAX_LENGTH:
        return None
    return name, password
