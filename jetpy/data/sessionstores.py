"""The session stores of jetpy.kernel.sessions: a table of the database, or Redis.

`DatabaseSessionStore` keeps sessions in the table `jetpy_sessions`, which it creates when it is
missing (a project with migrations may create it in a revision of its own, see
application/migrations/); the index on `owner` finds a user's sessions. Expired rows are
ignored when read and deleted now and then.

`RedisSessionStore` keeps each session in a hash `jetpy:session:<key>` that expires by itself,
and the keys of a user's sessions in a set `jetpy:session-owner:<owner>`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Float, MetaData, String, Table, Text, delete, select, update

from jetpy.errors import JetpyError
from jetpy.kernel.sessions import Record

if TYPE_CHECKING:
    from jetpy.data.db import Database

TABLE_NAME = "jetpy_sessions"
PURGE_EVERY = 600  # seconds between two deletions of expired rows (per process)

SESSIONS_TABLE = Table(
    TABLE_NAME,
    MetaData(),
    Column("key", String(64), primary_key=True),  # store_key(id): a hash of the session id
    Column("owner", String(200), nullable=True, index=True),
    Column("data", Text, nullable=False),  # JSON
    Column("created", Float, nullable=False),
    Column("seen", Float, nullable=False),
    Column("expires", Float, nullable=False, index=True),
)


class DatabaseSessionStore:
    """A SessionStore in the application's database (its own connections, one per call)."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.table = SESSIONS_TABLE
        self._ready = False
        self._purged = 0.0

    def _engine(self) -> Any:
        engine = self.database.engine
        if not self._ready:
            self.database.ensure_table(self.table)
            self._ready = True
        return engine

    def get(self, key: str) -> Record | None:
        table = self.table
        query = select(table.c.data, table.c.owner, table.c.created, table.c.seen).where(
            table.c.key == key, table.c.expires > time.time()
        )
        with self._engine().connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        data = json.loads(row.data)
        return Record(data if isinstance(data, dict) else {}, row.owner, row.created, row.seen)

    def put(self, key: str, record: Record, ttl: int) -> None:
        table = self.table
        now = time.time()
        values = {
            "data": json.dumps(record.data, separators=(",", ":")),
            "owner": record.owner,
            "created": record.created,
            "seen": record.seen,
            "expires": now + ttl,
        }
        with self._engine().begin() as connection:
            changed = connection.execute(update(table).where(table.c.key == key).values(values))
            if not changed.rowcount:
                connection.execute(table.insert().values(key=key, **values))
            if now - self._purged > PURGE_EVERY:
                self._purged = now
                connection.execute(delete(table).where(table.c.expires <= now))

    def touch(self, key: str, record: Record, ttl: int) -> None:
        table = self.table
        values = {"seen": record.seen, "expires": time.time() + ttl}
        with self._engine().begin() as connection:
            connection.execute(update(table).where(table.c.key == key).values(values))

    def delete(self, key: str) -> None:
        with self._engine().begin() as connection:
            connection.execute(delete(self.table).where(self.table.c.key == key))

    def delete_owner(self, owner: str) -> int:
        with self._engine().begin() as connection:
            result = connection.execute(delete(self.table).where(self.table.c.owner == owner))
        return int(result.rowcount or 0)


class RedisSessionStore:
    """A SessionStore in Redis ≥ 7 (redis-py, the optional extra `jetpy[redis]`)."""

    prefix = "jetpy:session:"
    owner_prefix = "jetpy:session-owner:"

    def __init__(self, url: str) -> None:
        try:
            import redis
        except ImportError:
            raise JetpyError(
                "`sessions: {store: redis}` in config.yaml needs redis-py: "
                "`pip install 'jetpy[redis]'` (or `pip install redis`)"
            ) from None
        if not url:
            raise JetpyError(
                "`sessions: {store: redis}` needs the server's address: add "
                "`url: redis://127.0.0.1:6379/0` under `sessions:` in config.yaml"
            )
        self.client: Any = redis.Redis.from_url(url, decode_responses=True)

    def get(self, key: str) -> Record | None:
        found = self.client.hgetall(self.prefix + key)
        if "data" not in found:  # none, or only the `seen` of a touch just after it expired
            return None
        data = json.loads(found["data"])
        owner = found.get("owner") or None
        return Record(
            data if isinstance(data, dict) else {},
            owner,
            float(found["created"]),
            float(found["seen"]),
        )

    def put(self, key: str, record: Record, ttl: int) -> None:
        fields = {
            "data": json.dumps(record.data, separators=(",", ":")),
            "owner": record.owner or "",
            "created": repr(record.created),
            "seen": repr(record.seen),
        }
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(self.prefix + key)
            pipe.hset(self.prefix + key, mapping=fields)
            pipe.expire(self.prefix + key, ttl)
            self._index(pipe, key, record, ttl)
            pipe.execute()

    def touch(self, key: str, record: Record, ttl: int) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.prefix + key, "seen", repr(record.seen))
            pipe.expire(self.prefix + key, ttl)
            self._index(pipe, key, record, ttl)
            pipe.execute()

    def _index(self, pipe: Any, key: str, record: Record, ttl: int) -> None:
        # the index lives as long as the longest-living session in it
        if record.owner:
            pipe.sadd(self.owner_prefix + record.owner, key)
            pipe.expire(self.owner_prefix + record.owner, ttl, gt=True)
            pipe.expire(self.owner_prefix + record.owner, ttl, nx=True)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def delete_owner(self, owner: str) -> int:
        index = self.owner_prefix + owner
        keys = self.client.smembers(index)
        with self.client.pipeline(transaction=True) as pipe:
            for key in keys:
                pipe.delete(self.prefix + key)
            pipe.delete(index)
            deleted = pipe.execute()
        return sum(int(count) for count in deleted[:-1])
