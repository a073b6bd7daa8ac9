"""Workers: one process per queue runs its queued listeners; a master keeps them running.

- **A message** is handled in a request-like session (`app.db.request_session` is the
  handler's transaction): the row (event id, listener) goes into `jetpy_handled` in that same
  transaction, so a message seen again (redelivered after a crash) is acknowledged without
  running the handler twice. The message is acknowledged only after the commit.
- **Failures**: the message comes back after `retry_delay` seconds, doubled at each attempt;
  after `max_attempts` it goes to the queue's dead letters (`jetpy queues`).
- **Stopping**: SIGTERM (or SIGINT) lets the worker finish the message in hand, then exit.
- **The master** (`jetpy worker`) starts one worker process per queue of the activated
  modules, reads the definitions again when they changed (a module activated later gets its
  worker), restarts a worker that died, and relays the outbox every few seconds.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from jetpy.data.db import import_classes
from jetpy.modules.eventcodec import MessageError, decode, rebuild
from jetpy.modules.events import Event, _subclasses
from jetpy.queue.outbox import HANDLED_TABLE

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from jetpy.app import Application
    from jetpy.modules.events import Listener
    from jetpy.queue.brokers import Delivery

log = logging.getLogger("jetpy")
_MAIN = "from jetpy.cli.main import main; main()"  # the `jetpy` command, in this Python
BATCH_SECONDS = 0.2  # a batch's transaction lasts about this long at most
BATCH_LIMIT = 32  # messages in one transaction, at most (PostgreSQL caches 64 subtransactions)
_HANDLED = HANDLED_TABLE.insert()


def queues_of(app: Application) -> list[str]:
    """The queues the activated modules' listeners name, sorted."""
    return sorted(
        {
            listener.queue
            for listeners in app.events.listeners.values()
            for listener in listeners
            if listener.queue and listener.module.active
        }
    )


def _listener(app: Application, name: str) -> Listener | None:
    for listeners in app.events.listeners.values():
        for listener in listeners:
            if str(listener) == name and listener.module.active:
                return listener
    return None


def _event_class(name: str) -> type[Event] | None:
    classes = [cls for cls in _subclasses(Event) if cls.event_name == name]
    return classes[-1] if classes else None


@dataclass
class _Message:
    delivery: Delivery
    id: str
    listener: Listener
    event: Event
    outcome: str = ""  # handled, duplicate, failed
    error: Exception | None = None


def _read(app: Application, queue: str, deliveries: list[Delivery]) -> list[_Message]:
    """The messages that can be run; one that cannot be read goes to the dead letters."""
    found = []
    known: dict[tuple[str, str], tuple[Listener | None, type[Event] | None]] = {}
    for delivery in deliveries:
        try:
            message = decode(delivery.body)
            names = (message["listener"], message["event"])
            if names not in known:  # looked up once per batch
                known[names] = (_listener(app, names[0]), _event_class(names[1]))
            listener, cls = known[names]
            if listener is None or cls is None:
                raise MessageError(f"no activated listener {names[0]} or event {names[1]}")
            found.append(_Message(delivery, message["id"], listener, rebuild(cls, message)))
        except MessageError as exc:
            log.error("queue %s: message dropped to the dead letters: %s", queue, exc)
            app.outbox.broker.dead(queue, delivery)
    return found


def handle(app: Application, queue: str, delivery: Delivery) -> str:
    """Run the listener of one message; acknowledge, retry or dead-letter it. What was done."""
    outcomes = handle_batch(app, queue, [delivery])
    return outcomes[0] if outcomes else "dead"


def handle_batch(
    app: Application,
    queue: str,
    deliveries: list[Delivery],
    stop: Callable[[], bool] = lambda: False,
) -> list[str]:
    """Run the messages in one transaction, each in a savepoint of its own; what was done.

    One commit (one fsync) for the batch instead of one per message: each handler runs in a
    savepoint with its `jetpy_handled` row, so a failing one is rolled back alone and retried;
    the others are acknowledged once the transaction committed. When `stop()` becomes true
    between two messages the rest are given back to the broker (`release`).
    """
    messages = _read(app, queue, deliveries)
    if not messages:
        return []
    done: list[_Message] = []
    try:
        _run(app, queue, messages, done, stop)
    except Exception as exc:
        if not done:  # the database is unreachable: nothing was run
            app.outbox.broker.release(queue, [message.delivery for message in messages])
            raise
        if len(done) == 1 and not isinstance(exc, _Ended):
            done[0].error = exc
            return _settle(app, queue, done, messages, exc)
        # the batch's transaction is gone (a failed commit, or a handler that committed or
        # rolled back itself): each message again in a transaction of its own; one whose
        # work was committed already is seen in jetpy_handled and only acknowledged
        log.warning("queue %s: a batch of %d is handled one by one (%s)", queue, len(done), exc)
        app.outbox.broker.release(queue, [message.delivery for message in messages[len(done) :]])
        return [handle(app, queue, message.delivery) for message in done]
    return _settle(app, queue, done, messages, None)


def _run(
    app: Application,
    queue: str,
    messages: list[_Message],
    done: list[_Message],
    stop: Callable[[], bool],
) -> None:
    """Run the handlers in one transaction and commit it; `done` gets those that ran."""
    database = app.db
    token = database.open_request()
    written = app.outbox.collect()
    try:
        session = database.request_session
        _begin(session)
        outer = session.get_transaction()
        for message in messages:
            if done and stop():
                break
            done.append(message)
            savepoint = session.begin_nested()
            try:
                row = {
                    "event_id": message.id,
                    "listener": str(message.listener),
                    "handled": time.time(),
                    "attempts": message.delivery.attempts + 1,
                }
                session.execute(_HANDLED, row)  # one compiled statement for all messages
            except IntegrityError:  # handled before (a redelivery), or by another worker now
                savepoint.rollback()
                message.outcome = "duplicate"
                continue
            try:
                message.listener.call(app, message.event)
                if savepoint.is_active:  # not when the handler committed by itself
                    savepoint.commit()
                message.outcome = "handled"
            except Exception as exc:
                if savepoint.is_active:
                    savepoint.rollback()
                message.outcome, message.error = "failed", exc
                log.warning("queue %s: %s failed", queue, message.listener, exc_info=True)
            if len(done) > 1 and session.get_transaction() is not outer:
                raise _Ended(f"{message.listener} ended the worker's transaction")
        database.commit_request()
    except Exception:
        database.rollback_request()
        raise
    finally:
        database.close_request(token)
        app.outbox.flush(written)  # events the handlers emitted, committed with their work


class _Ended(Exception):
    """A handler committed or rolled back the worker's transaction itself."""


def _begin(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        # pysqlite begins a transaction only before a write, so a first SAVEPOINT would be a
        # transaction of its own; IMMEDIATE takes the write lock now: two workers wait for
        # each other instead of failing with `database is locked` on the upgrade
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _settle(
    app: Application,
    queue: str,
    done: list[_Message],
    messages: list[_Message],
    error: Exception | None,
) -> list[str]:
    """After the commit: acknowledge, retry or dead-letter each message; give back the rest."""
    broker = app.outbox.broker
    if error is not None:  # the commit of a single message failed: a failure of its own
        for message in done:
            message.outcome = "failed"
        log.warning("queue %s: the transaction failed (%s)", queue, error)
    acked = [m.delivery for m in done if m.outcome in ("handled", "duplicate")]
    if len(acked) == 1:
        broker.ack(queue, acked[0])
    elif acked:
        broker.ack_many(queue, acked)
    for message in done:
        if message.outcome == "failed":
            message.outcome = _failed(app, queue, message)
    if len(messages) > len(done):
        broker.release(queue, [m.delivery for m in messages[len(done) :]])
    return [message.outcome for message in done]


def _failed(app: Application, queue: str, message: _Message) -> str:
    attempts = message.delivery.attempts + 1
    permanent = getattr(message.error, "retry", True) is False  # e.g. jetpy.mail.MailRefused
    if permanent or attempts >= app.config.queue_max_attempts:
        log.error(
            "queue %s: %s failed %s; the message goes to the dead letters",
            queue,
            message.listener,
            f"for good ({message.error})" if permanent else f"{attempts} times",
        )
        app.outbox.broker.dead(queue, message.delivery)
        return "dead"
    delay = app.config.queue_retry_delay * 2 ** (attempts - 1)
    log.warning(
        "queue %s: %s failed (attempt %d), tried again in %.1f s",
        queue,
        message.listener,
        attempts,
        delay,
    )
    app.outbox.broker.retry(queue, message.delivery, delay)
    return "retry"


class _Stop:
    def __init__(self) -> None:
        self.asked = False

    def __call__(self, _signum: int, _frame: Any) -> None:
        self.asked = True


class _Pace:
    """How many messages to take at once: as many as are handled in about BATCH_SECONDS.

    Quick handlers get large batches (one commit and one acknowledgement for many); slow ones
    (an SMTP call) come one at a time, so no message waits behind a slow batch in one worker
    while another worker is idle, nor long enough to be taken over as a dead worker's.
    """

    def __init__(self) -> None:
        self.each = 0.05  # seconds per message, a moving average

    def next_limit(self, count: int, seconds: float, limit: int) -> int:
        if count:
            self.each = 0.7 * self.each + 0.3 * (seconds / count)
        wanted = min(BATCH_SECONDS / max(self.each, 1e-5), BATCH_LIMIT)
        fit = 1
        while fit * 2 <= wanted:  # powers of two, and down only when far off: few changes
            fit *= 2  # (a new limit is a new RabbitMQ consumer)
        return fit if fit > limit or fit < limit // 2 else limit


def run_worker(app: Application, queue: str, *, once: bool = False) -> None:
    """Handle the messages of `queue` until SIGTERM or SIGINT (`once`: until it is empty)."""
    stop = _Stop()
    before = signal.signal(signal.SIGTERM, stop), signal.signal(signal.SIGINT, stop)
    app.outbox.ready()
    import_classes()  # the events of messages may be defined where no listener imports them
    consumer = f"{os.uname().nodename}-{os.getpid()}"
    broker = app.outbox.broker
    log.info("worker %s: queue %s", consumer, queue)
    limit, pace = 1, _Pace()
    try:
        while not stop.asked:
            try:
                deliveries = broker.receive_many(queue, consumer, 1.0, limit)
            except Exception as exc:
                log.warning("queue %s: broker unreachable (%s); trying again", queue, exc)
                broker.close()
                time.sleep(1.0)
                continue
            if not deliveries:
                if once:
                    break
                continue
            started = time.perf_counter()
            try:
                outcomes = handle_batch(app, queue, deliveries, lambda: stop.asked)
            except Exception as exc:  # the database, or the broker while acknowledging
                log.warning("queue %s: a batch was not handled (%s); trying again", queue, exc)
                broker.close()  # what was not acknowledged comes again, and is seen handled
                time.sleep(1.0)
                continue
            limit = pace.next_limit(len(outcomes), time.perf_counter() - started, limit)
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])
        broker.close()
    log.info("worker %s: stopped", consumer)


def run_master(
    app: Application,
    project: Path,
    queues: list[str] | None = None,
    concurrency: int = 1,
    every: float = 2.0,
) -> None:
    """Start and watch the workers (all queues, or `queues`), relay the outbox; until SIGTERM."""
    stop = _Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers: dict[tuple[str, int], subprocess.Popen[bytes]] = {}
    while not stop.asked:
        if app.watcher.changed():
            app.read_definitions()
        wanted = queues or queues_of(app)
        for queue in wanted:
            for number in range(concurrency):
                worker = workers.get((queue, number))
                if worker is not None and worker.poll() is None:
                    continue
                if worker is not None:
                    log.warning(
                        "worker of %s (pid %d) ended with %s; starting another",
                        queue,
                        worker.pid,
                        worker.returncode,
                    )
                command = [sys.executable, "-c", _MAIN, "worker", "--project"]
                workers[(queue, number)] = subprocess.Popen(
                    [*command, str(project), "--run-queue", queue], cwd=project
                )
        try:
            app.outbox.relay()
        except Exception as exc:
            log.warning("outbox relay failed (%s); trying again", exc)
        deadline = time.monotonic() + every
        while not stop.asked and time.monotonic() < deadline:
            time.sleep(0.1)
    for worker in workers.values():
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers.values():
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
