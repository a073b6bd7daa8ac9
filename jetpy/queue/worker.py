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
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from jetpy.data.db import import_classes
from jetpy.modules.eventcodec import MessageError, decode, rebuild
from jetpy.modules.events import Event, _subclasses
from jetpy.queue.outbox import HANDLED_TABLE

if TYPE_CHECKING:
    from jetpy.app import Application
    from jetpy.modules.events import Listener
    from jetpy.queue.brokers import Delivery

log = logging.getLogger("jetpy")
_MAIN = "from jetpy.cli.main import main; main()"  # the `jetpy` command, in this Python


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


def handle(app: Application, queue: str, delivery: Delivery) -> str:
    """Run the listener of one message; acknowledge, retry or dead-letter it. What was done."""
    broker = app.outbox.broker
    try:
        message = decode(delivery.body)
        listener = _listener(app, message["listener"])
        cls = _event_class(message["event"])
        if listener is None or cls is None:
            raise MessageError(
                f"no activated listener {message['listener']} or event {message['event']}"
            )
        event = rebuild(cls, message)
    except MessageError as exc:
        log.error("queue %s: message dropped to the dead letters: %s", queue, exc)
        broker.dead(queue, delivery)
        return "dead"
    key = {"event_id": message["id"], "listener": message["listener"]}
    database = app.db
    token = database.open_request()
    written = app.outbox.collect()
    try:
        session = database.request_session
        handled = HANDLED_TABLE
        seen = select(handled.c.event_id).where(
            handled.c.event_id == key["event_id"], handled.c.listener == key["listener"]
        )
        if session.execute(seen).first() is not None:
            broker.ack(queue, delivery)
            return "duplicate"
        session.execute(
            handled.insert().values(**key, handled=time.time(), attempts=delivery.attempts + 1)
        )
        listener.call(app, event)
        database.commit_request()
    except IntegrityError:  # another worker handled it at the same moment
        database.rollback_request()
        broker.ack(queue, delivery)
        return "duplicate"
    except Exception:
        database.rollback_request()
        attempts = delivery.attempts + 1
        if attempts >= app.config.queue_max_attempts:
            log.exception(
                "queue %s: %s failed %d times; the message goes to the dead letters",
                queue,
                listener,
                attempts,
            )
            broker.dead(queue, delivery)
            return "dead"
        delay = app.config.queue_retry_delay * 2 ** (attempts - 1)
        log.warning(
            "queue %s: %s failed (attempt %d), tried again in %.1f s",
            queue,
            listener,
            attempts,
            delay,
            exc_info=True,
        )
        broker.retry(queue, delivery, delay)
        return "retry"
    finally:
        database.close_request(token)
        app.outbox.flush(written)  # events the handler emitted, committed with its work
    broker.ack(queue, delivery)
    return "handled"


class _Stop:
    def __init__(self) -> None:
        self.asked = False

    def __call__(self, _signum: int, _frame: Any) -> None:
        self.asked = True


def run_worker(app: Application, queue: str, *, once: bool = False) -> None:
    """Handle the messages of `queue` until SIGTERM or SIGINT (`once`: until it is empty)."""
    stop = _Stop()
    before = signal.signal(signal.SIGTERM, stop), signal.signal(signal.SIGINT, stop)
    app.outbox.ready()
    import_classes()  # the events of messages may be defined where no listener imports them
    consumer = f"{os.uname().nodename}-{os.getpid()}"
    broker = app.outbox.broker
    log.info("worker %s: queue %s", consumer, queue)
    try:
        while not stop.asked:
            try:
                delivery = broker.receive(queue, consumer, 1.0)
            except Exception as exc:
                log.warning("queue %s: broker unreachable (%s); trying again", queue, exc)
                broker.close()
                time.sleep(1.0)
                continue
            if delivery is None:
                if once:
                    break
                continue
            handle(app, queue, delivery)
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
