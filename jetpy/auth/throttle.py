"""The login throttle: failed sign-ins are counted per account and address, and per address.

Two limits hold within a window (config.yaml `login_throttle`, defaults below): `per_account`
failures for one account from one address, and the higher `per_address` from one address for
any accounts. A visitor who mistypes a password five times waits; the same account from
another address does not, so nobody can lock an account for everyone; an address that guesses
at many accounts waits for all of them. A count's window starts with its first failure.

Counting is atomic. An attempt is counted *before* its password is checked, by a store that
adds one and answers the new count in one step (the database: an `UPDATE … count + 1` or an
`INSERT`, in a transaction of its own; Redis: `INCR`); an attempt whose count passes a limit
is refused and its counts are given back, so parallel guesses cannot slip past the limit
together and waiting always ends. A successful sign-in gives its address count back and
clears its account count. What is counted is a request's client address (through the proxies
the config trusts, see jetpy.kernel.proxies) and the name typed, stored hashed: a password
typed into the name field by mistake is not kept readable.

Callers that have no account name (a bearer token) count the address only; a token that is
valid is never throttled at all, whatever others did from its address.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from jetpy.data.db import Database
    from jetpy.definitions.config import Config

PER_ACCOUNT = 5
PER_ADDRESS = 50
WINDOW = 15 * 60
TABLE_NAME = "jetpy_login_failures"
REDIS_PREFIX = "jetpy:throttle:"
PURGE_EVERY = 600  # seconds between two deletions of ended counts (per process)
_RETRIES = 5
log = logging.getLogger("jetpy")

FAILURES_TABLE = Table(
    TABLE_NAME,
    MetaData(),
    Column("key", String(64), primary_key=True),  # throttle_key(): a hash
    Column("count", Integer, nullable=False),
    Column("until", Float, nullable=False, index=True),  # when the count's window ends
)


class FailureStore(Protocol):
    """Where failures are counted: something all the application's processes share."""

    def add(self, key: str, now: float, window: int) -> tuple[int, float]:
        """Add one to `key`'s count atomically: the new count and when its window ends.

        A count whose window has ended starts again at 1, with a window from `now`.
        """

    def take_back(self, key: str) -> None:
        """Subtract the one an attempt added (it was refused, or it was no failure)."""

    def clear(self, key: str) -> None:
        """Forget `key`'s count (a successful sign-in)."""


class DatabaseFailures:
    """A FailureStore in the table `jetpy_login_failures` (created when missing).

    Each call is a short transaction of its own on its own connection: a count holds even
    when the request that made it is rolled back (a refused API call answers an error).
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self.table = FAILURES_TABLE
        self._ready = False
        self._purged = 0.0

    def _engine(self) -> Any:
        engine = self.database.engine
        if not self._ready:
            self.database.ensure_table(self.table)
            self._ready = True
        return engine

    def add(self, key: str, now: float, window: int) -> tuple[int, float]:
        table = self.table
        engine = self._engine()
        for _ in range(_RETRIES):
            try:
                with engine.begin() as connection:
                    connection.execute(
                        delete(table).where(table.c.key == key, table.c.until <= now)
                    )
                    # the row stays locked until commit: a parallel attempt waits, then adds
                    # to this count (PostgreSQL); SQLite lets one writer in at a time
                    changed = connection.execute(
                        update(table).where(table.c.key == key).values(count=table.c.count + 1)
                    )
                    if not changed.rowcount:
                        connection.execute(
                            table.insert().values(key=key, count=1, until=now + window)
                        )
                    row = connection.execute(
                        select(table.c.count, table.c.until).where(table.c.key == key)
                    ).one()
                break
            except IntegrityError:
                continue  # a parallel attempt inserted the same key first: add to its row
        else:
            raise JetpyError(f"the login throttle could not count in {TABLE_NAME}")
        if now - self._purged > PURGE_EVERY:
            self._purge(now)
        return int(row.count), float(row.until)

    def _purge(self, now: float) -> None:
        """Drop the counts whose window ended (now and then: the table stays small)."""
        self._purged = now
        try:
            with self._engine().begin() as connection:
                connection.execute(delete(self.table).where(self.table.c.until <= now))
        except DBAPIError:  # e.g. a deadlock with another process's purge: next time
            log.warning("expired login counts were not deleted from %s", TABLE_NAME, exc_info=True)

    def take_back(self, key: str) -> None:
        table = self.table
        with self._engine().begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.key == key, table.c.count > 0)
                .values(count=table.c.count - 1)
            )

    def clear(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(self.table).where(self.table.c.key == key))


# a count that is missing is not made by a take-back (it would never expire)
_TAKE_BACK = "if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end"


class RedisFailures:
    """A FailureStore in Redis (redis-py, the optional extra `jetpy[redis]`): `INCR` counts.

    Each count is a key `jetpy:throttle:<hash>` that expires by itself when its window ends.
    """

    def __init__(self, url: str, prefix: str = REDIS_PREFIX) -> None:
        try:
            import redis
        except ImportError:
            raise JetpyError(
                "`login_throttle: {store: redis}` in config.yaml needs redis-py: "
                "`pip install 'jetpy[redis]'` (or `pip install redis`)"
            ) from None
        if not url:
            raise JetpyError(
                "`login_throttle: {store: redis}` needs the server's address: add "
                "`url: redis://127.0.0.1:6379/0` under `login_throttle:` in config.yaml"
            )
        self.client: Any = redis.Redis.from_url(url)
        self.prefix = prefix

    def add(self, key: str, now: float, window: int) -> tuple[int, float]:
        name = self.prefix + key
        pipeline = self.client.pipeline(transaction=True)  # MULTI … EXEC: nothing in between
        pipeline.set(name, 0, ex=window, nx=True)  # a new count, with its window
        pipeline.incr(name)
        pipeline.pttl(name)
        _, count, left = pipeline.execute()
        return int(count), now + max(int(left), 0) / 1000

    def take_back(self, key: str) -> None:
        self.client.eval(_TAKE_BACK, 1, self.prefix + key)

    def clear(self, key: str) -> None:
        self.client.delete(self.prefix + key)


def throttle_key(kind: str, *values: str) -> str:
    """The stored key of a count: a hash of its kind (`account`, `address` …) and values."""
    text = "\n".join(value.strip().lower() for value in values)
    return hashlib.sha256(f"{kind}:{text}".encode()).hexdigest()


@dataclass
class Attempt:
    """One counted attempt; `wait` > 0: it was refused (nothing stays counted), wait so long."""

    throttle: LoginThrottle
    wait: int = 0
    # key → (limit, count with this attempt, end of the window)
    counts: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    cleared_by_success: tuple[str, ...] = ()

    def failed(self) -> int:
        """It failed: it stays counted. Seconds the next attempt must wait (0: none)."""
        now = self.throttle.clock()
        waits = [until - now for limit, count, until in self.counts.values() if count >= limit]
        return max(0, math.ceil(max(waits, default=0)))

    def succeeded(self) -> None:
        """It worked: the account's failures are forgiven, the address gets its count back."""
        store = self.throttle.store
        for key in self.counts:
            if key in self.cleared_by_success:
                store.clear(key)
            else:
                store.take_back(key)


class LoginThrottle:
    """Counts sign-in attempts per account and address and per address (see the module)."""

    def __init__(
        self,
        store: FailureStore,
        per_account: int = PER_ACCOUNT,
        per_address: int = PER_ADDRESS,
        window: int = WINDOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.per_account = per_account
        self.per_address = per_address
        self.window = window
        self.clock = clock

    def attempt(self, address: str, account: str | None = None, scope: str = "") -> Attempt:
        """Count a sign-in from `address` (as `account`) before its password is checked.

        `scope` keeps the counts of different user sources apart (e.g. the base's id).
        """
        limits = {throttle_key("address", scope, address): self.per_address}
        if account is None:
            return self.count(limits)
        mine = throttle_key("account", scope, account, address)
        return self.count({mine: self.per_account, **limits}, cleared_by_success=(mine,))

    def count(self, limits: Mapping[str, int], cleared_by_success: tuple[str, ...] = ()) -> Attempt:
        """Count one for each key; over any key's limit: refused and every count given back."""
        now = self.clock()
        counts: dict[str, tuple[int, int, float]] = {}
        for key, limit in limits.items():
            count, until = self.store.add(key, now, self.window)
            counts[key] = (limit, count, until)
        over = [until - now for limit, count, until in counts.values() if count > limit]
        if over:
            for key in counts:
                self.store.take_back(key)
            return Attempt(self, wait=max(1, math.ceil(max(over))))
        return Attempt(self, counts=counts, cleared_by_success=cleared_by_success)


class Throttles:
    """The application's login throttles, as config.yaml `login_throttle` says (`app.throttles`).

    One store for all of them (the database table, or Redis), made on first use.
    """

    def __init__(self, config: Config, database: Database) -> None:
        self.config = config
        self.database = database
        self._store: FailureStore | None = None

    @property
    def store(self) -> FailureStore:
        store = self._store
        if store is None:
            if self.config.throttle_store == "redis":
                store = RedisFailures(self.config.throttle_url)
            else:
                store = DatabaseFailures(self.database)
            self._store = store
        return store

    def throttle(self, store: FailureStore | None = None) -> LoginThrottle:
        """A LoginThrottle with the configured limits, on `store` (default: the app's)."""
        config = self.config
        return LoginThrottle(
            store or self.store,
            per_account=config.throttle_per_account,
            per_address=config.throttle_per_address,
            window=config.throttle_window,
        )
