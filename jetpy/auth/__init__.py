"""Authentication and authorization per base.

Each base may have an auth provider (base.yaml `auth: package.module:factory`, or set by the
base initializer on `ctx.auth`); secret pages, router actions with an `acl_action` and menus
ask it. `SessionAuth` is a ready provider that keeps the signed-in user in the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from jetpy.auth.passwords import hash_password, needs_rehash, verify_password, weak_password
from jetpy.auth.redirects import safe_next
from jetpy.auth.sessionauth import SessionAuth
from jetpy.auth.throttle import (
    Attempt,
    DatabaseFailures,
    FailureStore,
    LoginThrottle,
    RedisFailures,
    Throttles,
)

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.pages import Page

__all__ = [
    "Attempt",
    "AuthProvider",
    "AuthUser",
    "DatabaseFailures",
    "FailureStore",
    "LoginThrottle",
    "RedisFailures",
    "SessionAuth",
    "Throttles",
    "hash_password",
    "needs_rehash",
    "safe_next",
    "verify_password",
    "weak_password",
]


class AuthProvider(Protocol):
    """Set per base to authenticate and authorize requests.

    Without a provider a base's secret pages answer 403 and ACL-protected router actions
    are refused: nothing secret is ever shown by default.
    """

    def page_access(self, ctx: RequestContext, page: Page) -> Response | bool:
        """True to show the page, False for 403, or a response (e.g. the login form)."""

    def module_action_allowed(self, ctx: RequestContext, module: str, acl_action: str) -> bool:
        """Whether the current user may run `module`'s ACL action `acl_action`."""

    def can_see_page(self, ctx: RequestContext, page: Page) -> bool:
        """Whether menus should offer `page` to the current user."""


class AuthUser(Protocol):
    """What `SessionAuth` needs of a user (an administrator, a visitor …)."""

    @property
    def id(self) -> Any:
        """Kept in the session: an int or a text."""

    @property
    def password_hash(self) -> str: ...

    @property
    def session_version(self) -> int:
        """Raised when the password changes: every session made before ends."""

    @property
    def is_active(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...

    def has_privilege(self, kind: str, value: str) -> bool:
        """`visit_page` with a page id, or `module_action` with `module:acl_action`."""
