"""Sessions in a signed cookie, one per base: small JSON data the browser keeps for the site.

The cookie holds the data itself, signed with the config's `secret_key` (itsdangerous), so
the browser can read it but cannot change it: a changed or expired cookie counts as no
session at all. Keep only small things here (ids, a CSRF token, flash messages); never a
password. A request that never touches `ctx.session` reads no cookie and sets none.

Reserved keys: `_csrf` and `_flashes` (jetpy.web.forms), `_auth` (jetpy.auth).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Any

from itsdangerous import BadSignature, URLSafeTimedSerializer

from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.kernel.context import RequestContext

log = logging.getLogger("jetpy")

COOKIE_PREFIX = "jetpy_session_"
MAX_AGE = 14 * 24 * 3600  # a session unused for this long is over
# an active session is signed again (with a new time) at most this often, so that it ends
# MAX_AGE after its last use rather than after its start, without a cookie on every response
REFRESH_AFTER = 24 * 3600
COOKIE_LIMIT = 4000  # browsers drop cookies above ~4 KB
_SECRET_FIX = (
    "set `secret_key` in application/config.yaml to a long random text, e.g. the output of "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
)


def new_id() -> str:
    """A random session id (128 bits)."""
    return secrets.token_urlsafe(16)


class Session(MutableMapping[str, Any]):
    """The session of one request: a mapping of JSON values, saved when modified.

    Changing a key marks the session modified; a change inside a value (a list appended to)
    does not, so assign the value again or set `modified = True`.
    """

    def __init__(
        self, data: dict[str, Any] | None = None, id: str | None = None, issued: float = 0
    ) -> None:
        self.data: dict[str, Any] = data if data is not None else {}
        self.id = id or new_id()
        self.issued = issued  # when the cookie was signed (0: no cookie came with the request)
        self.modified = False

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.modified = True

    def __delitem__(self, key: str) -> None:
        del self.data[key]
        self.modified = True

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        return f"<Session {self.id[:6]}… keys={sorted(self.data)}>"

    def clear(self) -> None:
        """Forget everything (logout); the cookie is removed from the browser."""
        self.data.clear()
        self.id = new_id()
        self.modified = True

    def rotate(self) -> None:
        """Give the session a fresh id, keeping the data; call it at login (fixation)."""
        self.id = new_id()
        self.modified = True


class SessionCookies:
    """Reads and writes the session cookies of an application (one per base)."""

    def __init__(self, secret_key: str, max_age: int = MAX_AGE) -> None:
        self.secret_key = secret_key
        self.max_age = max_age
        self._serializers: dict[str, URLSafeTimedSerializer] = {}

    def serializer(self, base_id: str) -> URLSafeTimedSerializer:
        """The signer of a base's cookie; its salt keeps one base's cookie out of another."""
        found = self._serializers.get(base_id)
        if found is None:
            if not self.secret_key:
                raise JetpyError(f"sessions need a secret key: {_SECRET_FIX}")
            found = URLSafeTimedSerializer(self.secret_key, salt=f"jetpy.session.{base_id}")
            self._serializers[base_id] = found
        return found

    @staticmethod
    def cookie_name(base_id: str) -> str:
        return COOKIE_PREFIX + base_id

    def load(self, ctx: RequestContext) -> Session:
        """The session from the request's cookie; an empty one if it is missing or bad."""
        serializer = self.serializer(ctx.base.id)
        sent = ctx.request.cookies.get(self.cookie_name(ctx.base.id))
        if not sent:
            return Session()
        try:
            payload, signed = serializer.loads(sent, max_age=self.max_age, return_timestamp=True)
        except BadSignature:  # tampered, signed with another key, or expired
            return Session()
        if not isinstance(payload, dict):
            return Session()
        id, data = payload.get("i"), payload.get("d")
        if not isinstance(id, str) or not id or not isinstance(data, dict):
            return Session()
        return Session(data, id, signed.timestamp())

    def save(self, ctx: RequestContext, session: Session, response: Response) -> None:
        """Put the session on the response when it changed (or is due for a new signature)."""
        name = self.cookie_name(ctx.base.id)
        # the page was made for this browser: no shared cache may hand it to another
        response.vary.add("Cookie")
        if not session.data:
            if session.issued or name in ctx.request.cookies:
                response.delete_cookie(name, path="/", httponly=True, samesite="Lax")
            return
        due = session.issued and time.time() - session.issued > REFRESH_AFTER
        if not session.modified and not due:
            return
        try:
            value = self.serializer(ctx.base.id).dumps({"i": session.id, "d": session.data})
        except TypeError as error:
            raise JetpyError(
                f"the session holds a value that is not JSON ({error}); "
                "store ids, text, numbers, lists and dicts of them"
            ) from None
        if len(value) > COOKIE_LIMIT:
            log.warning(
                "the session cookie of base %s is %d bytes; browsers may drop it above %d "
                "(keep ids in the session, not records)",
                ctx.base.id,
                len(value),
                COOKIE_LIMIT,
            )
        response.set_cookie(
            name,
            value,
            max_age=self.max_age,
            path="/",
            secure=ctx.scheme == "https",
            httponly=True,
            samesite="Lax",
        )
