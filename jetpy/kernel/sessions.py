"""Sessions kept on the server, one per base; the browser holds only a signed random id.

The cookie `jetpy_session_<base>` carries a random id (128 bits) signed with the newest secret
key (any key of the list is accepted, see jetpy.definitions.secretkey). The data live in a
`SessionStore`: the database by default (jetpy.data.sessionstores), Redis when config.yaml says
`sessions: {store: redis, url: …}`, or a store of your own (any object with the five methods of
the protocol). The store knows sessions by a hash of their id, so a copy of it opens nothing.

So the server can end a session: sign-out deletes it, and `Session.end_sessions_of(owner)`
deletes every session of a user (a new password, "sign out everywhere") in every process at
once. A session ends after `idle_timeout` seconds without a request and `absolute_timeout`
seconds after it began (config.yaml `sessions:`), whatever happens.

Cost per request: a request without the cookie never reaches the store; one with it reads its
record once; the record is written only when the session changed, and its idle clock is moved
at most every `touch_after` seconds.

Keep small things in a session (ids, a CSRF token, flash messages), never a password.
Reserved keys: `_csrf` and `_flashes` (jetpy.kernel.csrf, jetpy.kernel.flash), `_auth`
(jetpy.auth).
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
import time
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from itsdangerous import BadSignature, TimestampSigner

from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.kernel.context import RequestContext

COOKIE_PREFIX = "jetpy_session_"
IDLE_TIMEOUT = 2 * 3600  # seconds without a request that end a session
ABSOLUTE_TIMEOUT = 24 * 3600  # seconds after its start that end a session in any case
TOUCH_AFTER = 300  # at most this often a session's idle clock is written back


def new_id() -> str:
    """A random session id (128 bits)."""
    return secrets.token_urlsafe(16)


def store_key(id: str) -> str:
    """The key a store knows a session by: a hash of its id (the id itself opens it)."""
    return hashlib.sha256(id.encode()).hexdigest()


@dataclass
class Record:
    """What a store keeps of one session."""

    data: dict[str, Any]
    owner: str | None  # whose session it is (e.g. `AdminAuth:3`), for ending them all
    created: float  # seconds since the epoch
    seen: float  # the last request, as far as it was written back


class SessionStore(Protocol):
    """Where sessions live; shared by every process of the application.

    `key` is `store_key(id)`; `ttl` is how many seconds the record may still live (a store may
    keep it longer, the manager checks the times itself).
    """

    def get(self, key: str) -> Record | None:
        """The record of `key`, or None when there is none (or it has expired)."""

    def put(self, key: str, record: Record, ttl: int) -> None:
        """Create or replace the record of `key`."""

    def touch(self, key: str, record: Record, ttl: int) -> None:
        """The session was used at `record.seen`: keep it `ttl` seconds longer."""

    def delete(self, key: str) -> None:
        """Forget the record of `key` (if any)."""

    def delete_owner(self, owner: str) -> int:
        """Forget every session of `owner`; how many there were."""


class Session(MutableMapping[str, Any]):
    """The session of one request: a mapping of JSON values, saved when modified.

    Changing a key marks the session modified; a change inside a value (a list appended to)
    does not, so assign the value again or set `modified = True`.
    """

    def __init__(
        self,
        data: dict[str, Any] | None = None,
        id: str | None = None,
        *,
        owner: str | None = None,
        created: float = 0,
        seen: float = 0,
        stored: bool = False,
    ) -> None:
        self.data: dict[str, Any] = data if data is not None else {}
        self.id = id or new_id()
        self.owner = owner  # set by the auth layer at sign-in
        self.created = created  # 0 until first saved
        self.seen = seen
        self.stored = stored  # the record exists in the store under this id
        self.modified = False
        self.dropped: list[str] = []  # ids whose records are deleted when saved
        self.ended_owners: list[str] = []  # owners whose sessions all end when saved

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
        """Forget everything (sign-out): the record is deleted, the cookie removed."""
        self._drop_id()
        self.data.clear()
        self.owner = None
        self.modified = True

    def rotate(self) -> None:
        """Give the session a fresh id, keeping the data; call it at sign-in (fixation).

        The old id is worthless afterwards; the session's clocks start again.
        """
        self._drop_id()
        self.modified = True

    def end_sessions_of(self, owner: str) -> None:
        """End every session of `owner` in the store when this one is saved.

        Done after the request's database work was committed, before this session itself is
        written: a session given a new id in the same request (`rotate()`) survives.
        """
        self.ended_owners.append(owner)

    def _drop_id(self) -> None:
        if self.stored:
            self.dropped.append(self.id)
        self.id = new_id()
        self.stored = False
        self.created = self.seen = 0


class SessionManager:
    """Reads and writes the sessions of an application (one cookie per base)."""

    def __init__(
        self,
        secret_keys: Sequence[str],
        store: SessionStore,
        idle_timeout: int = IDLE_TIMEOUT,
        absolute_timeout: int = ABSOLUTE_TIMEOUT,
    ) -> None:
        if idle_timeout <= 0 or absolute_timeout <= 0:
            raise JetpyError(
                "`sessions.idle_timeout` and `sessions.absolute_timeout` in config.yaml must be "
                f"positive numbers of seconds (found {idle_timeout} and {absolute_timeout})"
            )
        self.secret_keys = list(secret_keys)  # newest first
        self.store = store
        self.idle_timeout = idle_timeout
        self.absolute_timeout = absolute_timeout
        self.touch_after = min(TOUCH_AFTER, max(1, idle_timeout // 10))
        self._signers: dict[str, TimestampSigner] = {}

    def signer(self, base_id: str) -> TimestampSigner:
        """The signer of a base's cookie; its salt keeps one base's cookie out of another."""
        found = self._signers.get(base_id)
        if found is None:
            if not self.secret_keys:
                raise JetpyError(
                    "sessions need a secret key: see application/data/secret_key, "
                    "$JETPY_SECRET_KEY or `secret_key` in config.yaml"
                )
            # itsdangerous takes the keys oldest first and signs with the last one
            keys = list(reversed(self.secret_keys))
            found = TimestampSigner(keys, salt=f"jetpy.session.{base_id}")
            self._signers[base_id] = found
        return found

    @staticmethod
    def cookie_name(base_id: str) -> str:
        return COOKIE_PREFIX + base_id

    def cookie_value(self, base_id: str, id: str) -> str:
        """The signed cookie of session `id` (tests and tools)."""
        return self.signer(base_id).sign(id).decode()

    def session_id(self, base_id: str, cookie: str) -> str | None:
        """The session id in a cookie; None when it is forged, of another base or too old."""
        try:
            id = self.signer(base_id).unsign(cookie, max_age=self.absolute_timeout)
        except BadSignature:  # tampered, signed with another key, or older than any session
            return None
        return id.decode()

    def load(self, ctx: RequestContext) -> Session:
        """The session of the request's cookie; an empty one if it is missing, bad or over."""
        sent = ctx.request.cookies.get(self.cookie_name(ctx.base.id))
        if not sent:
            return Session()
        id = self.session_id(ctx.base.id, sent)
        if id is None:
            return Session()
        record = self.store.get(store_key(id))
        if record is None:
            return Session()
        now = time.time()
        if now - record.seen > self.idle_timeout or now - record.created > self.absolute_timeout:
            session = Session()
            session.dropped.append(id)  # the store may keep it a while: it is deleted now
            return session
        return Session(
            record.data,
            id,
            owner=record.owner,
            created=record.created,
            seen=record.seen,
            stored=True,
        )

    def save(self, ctx: RequestContext, session: Session, response: Response) -> None:
        """Write what the request changed to the store, and the cookie when the id is new.

        Called after the request's database work was committed (or rolled back): sessions of
        owners ended by a request that failed (status 400 and above) are left alone.
        """
        store = self.store
        name = self.cookie_name(ctx.base.id)
        # the page was made for this browser: no shared cache may hand it to another
        response.vary.add("Cookie")
        if response.status_code < 400:
            for owner in dict.fromkeys(session.ended_owners):
                store.delete_owner(owner)
        for id in session.dropped:
            store.delete(store_key(id))
        session.dropped.clear()
        if not session.data:
            if session.stored:
                store.delete(store_key(session.id))
            if name in ctx.request.cookies:
                response.delete_cookie(name, path="/", httponly=True, samesite="Lax")
            return
        now = time.time()
        if session.stored and not session.modified:
            if now - session.seen >= self.touch_after:
                session.seen = now
                store.touch(store_key(session.id), self._record(session), self._ttl(session, now))
            return
        if not session.stored:
            session.created = now
        session.seen = now
        try:
            store.put(store_key(session.id), self._record(session), self._ttl(session, now))
        except TypeError as error:
            raise JetpyError(
                f"the session holds a value that is not JSON ({error}); "
                "store ids, text, numbers, lists and dicts of them"
            ) from None
        if not session.stored:
            session.stored = True
            response.set_cookie(
                name,
                self.cookie_value(ctx.base.id, session.id),
                max_age=self.absolute_timeout,
                path="/",
                secure=ctx.scheme == "https",
                httponly=True,
                samesite="Lax",
            )

    @staticmethod
    def _record(session: Session) -> Record:
        return Record(session.data, session.owner, session.created, session.seen)

    def _ttl(self, session: Session, now: float) -> int:
        """Seconds the record may live: until idle, but never past the absolute end."""
        left = min(self.idle_timeout, session.created + self.absolute_timeout - now)
        return max(1, math.ceil(left))


class MemorySessionStore:
    """A SessionStore in a dict of this process: for tests and single-process tools only."""

    def __init__(self) -> None:
        self.records: dict[str, tuple[Record, float]] = {}  # key → (record, expires)

    def get(self, key: str) -> Record | None:
        found = self.records.get(key)
        if found is None or found[1] <= time.time():
            return None
        record = found[0]
        return Record(
            json.loads(json.dumps(record.data)), record.owner, record.created, record.seen
        )

    def put(self, key: str, record: Record, ttl: int) -> None:
        # through JSON, as any shared store: a value that is not JSON fails here too
        copy = Record(
            json.loads(json.dumps(record.data)), record.owner, record.created, record.seen
        )
        self.records[key] = (copy, time.time() + ttl)

    def touch(self, key: str, record: Record, ttl: int) -> None:
        if key in self.records:
            self.put(key, record, ttl)

    def delete(self, key: str) -> None:
        self.records.pop(key, None)

    def delete_owner(self, owner: str) -> int:
        keys = [key for key, (record, _) in self.records.items() if record.owner == owner]
        for key in keys:
            del self.records[key]
        return len(keys)
