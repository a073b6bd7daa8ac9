"""The login throttle: after too many failed logins for a user or an address, attempts wait.

Failures are counted per key (the login name typed, the client's address) in a window of
time; once a key has `limit` failures in the window, further attempts wait until the oldest
of them leaves it. Refused attempts are not counted, so waiting always ends. Keys are stored
hashed: a password typed into the name field by mistake is not kept readable.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import delete, select

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from jetpy.kernel.context import RequestContext

LIMIT = 5
WINDOW = 15 * 60


class FailureStore(Protocol):
    """Where failed logins are counted (a table; anything shared by the app's processes)."""

    def add(self, key: str, at: float) -> None:
        """Record a failure for `key` at time `at` (seconds since the epoch)."""

    def times(self, key: str, since: float) -> list[float]:
        """The times of `key`'s failures after `since`, oldest first."""

    def clear(self, key: str) -> None:
        """Forget `key`'s failures (after a successful login)."""


class DatabaseFailures:
    """A FailureStore in a table; `model` has the columns `key` (text 64) and `at` (float)."""

    def __init__(self, db: Session, model: Any, window: int = WINDOW) -> None:
        self.db = db
        self.model = model
        self.window = window

    def add(self, key: str, at: float) -> None:
        model = self.model
        # old rows are of no use any more; dropping them here keeps the table small
        self.db.execute(delete(model).where(model.key == key, model.at < at - self.window))
        self.db.add(model(key=key, at=at))
        self.db.flush()

    def times(self, key: str, since: float) -> list[float]:
        model = self.model
        query = select(model.at).where(model.key == key, model.at > since).order_by(model.at)
        return [float(at) for at in self.db.scalars(query)]

    def clear(self, key: str) -> None:
        self.db.execute(delete(self.model).where(self.model.key == key))


def throttle_key(kind: str, value: str) -> str:
    """The stored key of a login name (`user`) or an address (`address`)."""
    return hashlib.sha256(f"{kind}:{value.strip().lower()}".encode()).hexdigest()


class LoginThrottle:
    """Counts failed logins per key and says how long the next attempt must wait."""

    def __init__(
        self,
        store: FailureStore,
        limit: int = LIMIT,
        window: int = WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.limit = limit
        self.window = window
        self.clock = clock

    def wait(self, keys: Iterable[str]) -> int:
        """Seconds until an attempt for these keys is allowed again; 0: allowed now."""
        now = self.clock()
        longest = 0.0
        for key in keys:
            times = self.store.times(key, now - self.window)
            if len(times) >= self.limit:
                longest = max(longest, times[-self.limit] + self.window - now)
        return math.ceil(longest) if longest > 0 else 0

    def failed(self, keys: Iterable[str]) -> None:
        """Count a failed attempt for every key."""
        now = self.clock()
        for key in keys:
            self.store.add(key, now)

    def succeeded(self, key: str) -> None:
        """A login for this user worked: its count starts again (the address's stays)."""
        self.store.clear(key)


def client_address(ctx: RequestContext) -> str:
    """The client's address: from the proxy's X-Forwarded-For only when the config trusts it."""
    request = ctx.request
    if ctx.app.config.behind_proxy:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded:
            # the proxy appends what it saw: the last entry is the only one it vouches for
            return forwarded.split(",")[-1].strip()
    return request.remote_addr or "unknown"
