"""The inline broker (`queue: {broker: inline}`): queued listeners run in the emitting process.

For development, where neither Redis nor RabbitMQ runs (the example's set-up). Nothing else
changes: the emitter still writes its outbox rows in its own transaction, and a message is
handled once that transaction committed (a request's: just before its response goes out; a
command's: at once), by the code of a worker (jetpy.queue.worker.handle): the event makes the
JSON round trip, the handler runs in its own transaction with its `jetpy_handled` row, events
it emits follow the same way. Messages emitted while one is handled wait for it (no nesting).
- **Failures** are logged; the message is tried again after `retry_delay` seconds (doubled
  each time) by a timer thread of the process, and after `max_attempts` it is logged as dead
  and kept in memory: `jetpy queues` in another process cannot see it, and a retry still
  waiting when the process ends is lost (its outbox row stays, marked sent).
- **Not for production**: the process that answers a request pays for its handlers (an SMTP
  call) and a restart drops the waiting retries; `jetpy serve` warns, `jetpy worker` and
  `jetpy queues` refuse it, saying to use `redis` or `rabbitmq` (README "Background work").
The application makes it (`Application.outbox`) when config.yaml names it: it needs the app.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import TYPE_CHECKING

from jetpy.queue.brokers import BrokerError, Delivery, QueueStats
from jetpy.queue.worker import handle

if TYPE_CHECKING:
    from jetpy.app import Application

log = logging.getLogger("jetpy")

WHY_NOT = (
    "config.yaml `queue: {broker: inline}` runs queued listeners in the process that emits "
    "their events, so there is no queue for a worker or for `jetpy queues`; for background "
    "workers set `queue: {broker: redis}` (or rabbitmq) and run `jetpy worker`"
)


class InlineBroker:
    """Handles each message in this process right after its commit; retries in a timer."""

    def __init__(self, app: Application) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._timers: dict[threading.Thread, str] = {}  # retries waiting, and their queue
        self._dead: dict[str, list[Delivery]] = {}
        self._local = threading.local()  # this thread's waiting messages, and whether busy

    def publish(self, queue: str, body: str) -> None:
        self._deliver(queue, Delivery(body, 0, None))

    def _deliver(self, queue: str, delivery: Delivery) -> None:
        waiting: deque[tuple[str, Delivery]] = self._local.__dict__.setdefault("waiting", deque())
        waiting.append((queue, delivery))
        if self._local.__dict__.get("busy"):
            return  # a handler emitted it: handled after the message in hand
        self._local.busy = True
        try:
            while waiting:
                queue, delivery = waiting.popleft()
                try:
                    handle(self.app, queue, delivery)
                except Exception:  # the database or the worker's machinery, not the handler
                    self._failed(queue, delivery)
        finally:
            self._local.busy = False

    def _failed(self, queue: str, delivery: Delivery) -> None:
        attempts = delivery.attempts + 1
        log.exception("queue %s (inline): attempt %d could not run the message", queue, attempts)
        if attempts >= self.app.config.queue_max_attempts:
            self.dead(queue, delivery)
        else:
            self.retry(queue, delivery, self.app.config.queue_retry_delay * 2 ** (attempts - 1))

    def receive(self, queue: str, consumer: str, timeout: float) -> Delivery | None:
        raise BrokerError(WHY_NOT)

    def receive_many(self, queue: str, consumer: str, timeout: float, limit: int) -> list[Delivery]:
        raise BrokerError(WHY_NOT)

    def ack(self, queue: str, delivery: Delivery) -> None:
        """Nothing to do: the message was never stored anywhere but in memory."""

    def ack_many(self, queue: str, deliveries: list[Delivery]) -> None:
        """Nothing to do, as for `ack`."""

    def release(self, queue: str, deliveries: list[Delivery]) -> None:
        """Messages taken but not handled: handled now, after the one in hand."""
        for delivery in deliveries:
            self._deliver(queue, delivery)

    def retry(self, queue: str, delivery: Delivery, delay: float) -> None:
        again = Delivery(delivery.body, delivery.attempts + 1, None)
        timer = threading.Timer(delay, self._again, (queue, again))
        timer.daemon = True  # a retry never keeps the process alive; it is lost with it
        with self._lock:
            self._timers[timer] = queue
        timer.start()

    def _again(self, queue: str, delivery: Delivery) -> None:
        with self._lock:
            self._timers.pop(threading.current_thread(), None)
        self._deliver(queue, delivery)

    def dead(self, queue: str, delivery: Delivery) -> None:
        log.error(
            "queue %s (inline): a message failed for good and is kept in this process's memory "
            "only: %s",
            queue,
            delivery.body,
        )
        with self._lock:
            self._dead.setdefault(queue, []).append(delivery)

    def stats(self, queue: str) -> QueueStats:
        with self._lock:
            waiting = sum(1 for each in self._timers.values() if each == queue)
            return QueueStats(waiting, 0, len(self._dead.get(queue, [])))

    def requeue_failed(self, queue: str) -> int:
        with self._lock:
            failed = self._dead.pop(queue, [])
        for delivery in failed:
            self._deliver(queue, Delivery(delivery.body, 0, None))
        return len(failed)

    def purge_failed(self, queue: str) -> int:
        with self._lock:
            return len(self._dead.pop(queue, []))

    def close(self) -> None:
        """Cancel the retries still waiting (logged: their messages are not handled)."""
        with self._lock:
            timers, self._timers = self._timers, {}
        for timer in timers:
            if isinstance(timer, threading.Timer):
                timer.cancel()
        if timers:
            log.warning("queue (inline): %d waiting retry(s) cancelled", len(timers))
