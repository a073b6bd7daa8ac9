"""The transactional outbox: queued events are rows of the database before they are messages.

- **Written with the work**: during a request (or a worker's handler) `add()` writes one row per
  queued listener into the request's own session, so the rows commit or roll back with the
  request's changes: a rolled-back request publishes nothing. Outside a request the rows are
  written and committed in a session of their own, then published at once.
- **Relayed after commit**: `Application.handle()` calls `flush()` once the request's session
  is closed; the rows this request wrote (and committed) are published and marked sent.
- **Nothing lost**: a crash between commit and publish leaves the rows unsent; `relay()` (run
  by the `jetpy worker` master every few seconds) publishes rows older than `grace` seconds.
  A row can be published twice (the crash after publishing, before marking): delivery is at
  least once, and workers drop a message whose (event id, listener) is in `jetpy_handled`.

The tables `jetpy_outbox` and `jetpy_handled` are created on first use when missing (a project
with migrations has them in the revision of the `jetpy_queue` branch).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar, Token
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from jetpy.modules.eventcodec import encode

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from jetpy.data.db import Database
    from jetpy.modules.events import Event, Listener
    from jetpy.queue.brokers import Broker

log = logging.getLogger("jetpy")

METADATA = MetaData()
OUTBOX_TABLE = Table(
    "jetpy_outbox",
    METADATA,
    Column("id", String(36), primary_key=True),  # the message's own id
    Column("queue", String(63), nullable=False),
    Column("body", Text, nullable=False),  # the message (jetpy.modules.eventcodec)
    Column("created", Float, nullable=False),
    Column("sent", Float, nullable=True, index=True),  # None: not published yet
)
HANDLED_TABLE = Table(
    "jetpy_handled",
    METADATA,
    Column("event_id", String(36), primary_key=True),
    Column("listener", String(200), primary_key=True),  # module:handler
    Column("handled", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=1),
)
TABLES = (OUTBOX_TABLE, HANDLED_TABLE)


def create_tables(engine: Engine) -> None:
    """Create the queue's tables when missing (another process may do it at the same time)."""
    for table in TABLES:
        try:
            table.create(engine, checkfirst=True)
        except DBAPIError:
            with engine.connect() as connection:
                if not engine.dialect.has_table(connection, table.name):
                    raise


class Outbox:
    """`app.outbox`: writes queued events with the work that emitted them, then relays them."""

    def __init__(self, database: Database, broker: Callable[[], Broker]) -> None:
        self.database = database
        self._make_broker = broker  # the broker is made when first needed (optional clients)
        self._broker: Broker | None = None
        self._ready = False
        # the ids of rows written by the running request or handler (None: not collecting)
        self._written: ContextVar[list[tuple[str, str, str]] | None] = ContextVar(
            f"jetpy.queue.outbox.{id(self):x}", default=None
        )

    @property
    def broker(self) -> Broker:
        """The broker messages go to, made on first use."""
        if self._broker is None:
            self._broker = self._make_broker()
        return self._broker

    def ready(self) -> None:
        if not self._ready:
            create_tables(self.database.engine)
            self._ready = True

    def add(self, event: Event, listeners: list[Listener]) -> None:
        """Write `event` once for each of the queued `listeners`."""
        event_id = str(uuid.uuid4())
        now = time.time()
        messages = [
            (str(uuid.uuid4()), listener.queue or "", encode(event, event_id, str(listener)))
            for listener in listeners
        ]
        rows = [
            {"id": id, "queue": queue, "body": body, "created": now} for id, queue, body in messages
        ]
        if self.database.in_request:
            session = self.database.request_session
            if not self._ready:  # in the request's transaction: no second connection waits
                for table in TABLES:
                    table.create(session.connection(), checkfirst=True)
            session.execute(OUTBOX_TABLE.insert(), rows)
            written = self._written.get()
            if written is not None:
                written.extend(messages)
            return
        self.ready()
        with self.database.engine.begin() as connection:
            connection.execute(OUTBOX_TABLE.insert(), rows)
        self.publish(messages)

    def collect(self) -> Token[list[tuple[str, str, str]] | None]:
        """A request or handler begins: remember the rows it writes."""
        return self._written.set([])

    def flush(self, token: Token[list[tuple[str, str, str]] | None]) -> None:
        """The request or handler ended (committed or not): publish its committed rows."""
        written = self._written.get() or []
        self._written.reset(token)
        if not written:
            return
        table = OUTBOX_TABLE
        ids = [each[0] for each in written]
        query = select(table.c.id).where(table.c.id.in_(ids), table.c.sent.is_(None))
        with self.database.engine.connect() as connection:
            committed = {row.id for row in connection.execute(query)}
        self.publish([each for each in written if each[0] in committed])

    def publish(self, rows: list[tuple[str, str, str]]) -> int:
        """Publish `(id, queue, body)` rows and mark them sent; a broker error leaves them."""
        sent = []
        try:
            for id, queue, body in rows:
                self.broker.publish(queue, body)
                sent.append(id)
        except Exception as exc:
            log.warning(
                "outbox: %d message(s) not published (%s); the relay sends them later",
                len(rows) - len(sent),
                exc,
            )
        if sent:
            with self.database.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    # no wait for the disk: a mark lost in a crash only makes the relay
                    # publish the row again, and a message seen twice is handled once
                    connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                connection.execute(
                    update(OUTBOX_TABLE).where(OUTBOX_TABLE.c.id.in_(sent)).values(sent=time.time())
                )
        return len(sent)

    def relay(self, grace: float = 5.0, limit: int = 1000) -> int:
        """Publish the unsent rows older than `grace` seconds (a crash, a broker down)."""
        self.ready()
        table = OUTBOX_TABLE
        query = (
            select(table.c.id, table.c.queue, table.c.body)
            .where(table.c.sent.is_(None), table.c.created <= time.time() - grace)
            .order_by(table.c.created)
            .limit(limit)
        )
        with self.database.engine.connect() as connection:
            rows = [(row.id, row.queue, row.body) for row in connection.execute(query)]
        return self.publish(rows) if rows else 0

    def unsent(self) -> int:
        """How many rows wait to be published."""
        self.ready()
        query = select(OUTBOX_TABLE.c.id).where(OUTBOX_TABLE.c.sent.is_(None))
        with self.database.engine.connect() as connection:
            return len(connection.execute(query).all())
