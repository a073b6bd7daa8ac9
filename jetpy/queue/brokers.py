"""Brokers: where queued messages wait for workers (config.yaml `queue: {broker, url}`).

Every broker gives the same guarantees: a message received is invisible to other workers
until it is acknowledged (`ack`, after the handler's transaction committed); a worker that
dies without acknowledging gives it back (Redis: another worker claims it after
`visibility_timeout`; RabbitMQ: the server returns it when the connection drops). A failed
message comes back after a delay (`retry`), and after the last attempt goes to the queue's
dead letters (`dead`), from where `jetpy queues retry` puts it back. A worker takes what waits
in one go (`receive_many`, up to `limit`), acknowledges a batch in one round trip
(`ack_many`) and gives back what it will not handle (`release`, on SIGTERM) at once.

- `RedisBroker` (default): a stream `jetpy:queue:<name>` with the consumer group `jetpy`;
  delayed retries in the sorted set `…:delayed`, moved into the stream when due; dead letters
  in the stream `…:dead`. redis-py (`pip install jetpy[redis]`).
- `RabbitBroker`: a durable queue `jetpy.<name>` with persistent messages and publisher
  confirms; retries wait in `jetpy.<name>.retry.<ms>` (a TTL, then dead-lettered back);
  dead letters in `jetpy.<name>.dead`. pika (`pip install jetpy[rabbitmq]`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from jetpy.errors import JetpyError

if TYPE_CHECKING:
    from jetpy.definitions.config import Config

GROUP = "jetpy"


class BrokerError(JetpyError):
    """The broker cannot be used as configured."""


@dataclass
class Delivery:
    """A message handed to a worker: its body, how many times it was tried, the broker's tag."""

    body: str
    attempts: int  # earlier attempts (0 on the first)
    tag: Any


@dataclass(frozen=True)
class QueueStats:
    depth: int  # waiting
    in_flight: int | None  # received, not acknowledged (None: the broker does not say)
    failed: int  # dead letters


class Broker(Protocol):
    """What workers and the outbox need of a broker; plug in your own by this contract."""

    def publish(self, queue: str, body: str) -> None: ...
    def receive(self, queue: str, consumer: str, timeout: float) -> Delivery | None: ...
    def receive_many(
        self, queue: str, consumer: str, timeout: float, limit: int
    ) -> list[Delivery]: ...
    def ack(self, queue: str, delivery: Delivery) -> None: ...
    def ack_many(self, queue: str, deliveries: list[Delivery]) -> None: ...
    def release(self, queue: str, deliveries: list[Delivery]) -> None: ...
    def retry(self, queue: str, delivery: Delivery, delay: float) -> None: ...
    def dead(self, queue: str, delivery: Delivery) -> None: ...
    def stats(self, queue: str) -> QueueStats: ...
    def requeue_failed(self, queue: str) -> int: ...
    def purge_failed(self, queue: str) -> int: ...
    def close(self) -> None: ...


def make_broker(config: Config) -> Broker:
    """The broker config.yaml names."""
    if config.queue_broker == "rabbitmq":
        return RabbitBroker(config.queue_url or "amqp://guest:guest@127.0.0.1:5672/%2F")
    return RedisBroker(
        config.queue_url or "redis://127.0.0.1:6379/0", config.queue_visibility_timeout
    )


# Redis Streams ------------------------------------------------------------------------
# move due retries into the stream, atomically (a crash between the two loses nothing)
_MOVE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 100)
for _, member in ipairs(due) do
  local bar = string.find(member, '|', 1, true)
  redis.call('XADD', KEYS[2], '*', 'body', string.sub(member, bar + 1),
             'attempts', string.sub(member, 1, bar - 1))
  redis.call('ZREM', KEYS[1], member)
end
return #due
"""


class RedisBroker:
    """Redis Streams with one consumer group per queue."""

    def __init__(self, url: str, visibility_timeout: float = 60.0) -> None:
        try:
            import redis
        except ImportError:
            raise BrokerError(
                "config.yaml `queue: {broker: redis}` needs redis-py: pip install 'jetpy[redis]'"
            ) from None
        self.client: Any = redis.Redis.from_url(url, decode_responses=True)
        self.visibility = int(visibility_timeout * 1000)
        self._groups: set[str] = set()
        self._claimed = 0.0
        self._moved = 0.0
        self._move = self.client.register_script(_MOVE_DUE)

    @staticmethod
    def key(queue: str) -> str:
        return f"jetpy:queue:{queue}"

    def _group(self, queue: str) -> str:
        key = self.key(queue)
        if queue not in self._groups:
            try:
                self.client.xgroup_create(key, GROUP, id="0", mkstream=True)
            except Exception as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            self._groups.add(queue)
        return key

    def publish(self, queue: str, body: str) -> None:
        self.client.xadd(self._group(queue), {"body": body, "attempts": 0})

    def receive(self, queue: str, consumer: str, timeout: float) -> Delivery | None:
        found = self.receive_many(queue, consumer, timeout, 1)
        return found[0] if found else None

    def receive_many(self, queue: str, consumer: str, timeout: float, limit: int) -> list[Delivery]:
        key = self._group(queue)
        now = time.monotonic()
        if now - self._moved >= 0.1:  # due retries; not on every call (a round trip each)
            self._moved = now
            self._move(keys=[f"{key}:delayed", key], args=[time.time()])
        if now - self._claimed > 1.0:  # messages of dead workers
            self._claimed = now
            _next, claimed, *_ = self.client.xautoclaim(
                key, GROUP, consumer, self.visibility, "0-0", count=limit
            )
            if claimed:
                return [self._delivery(entry) for entry in claimed]
        answer = self.client.xreadgroup(
            GROUP, consumer, {key: ">"}, count=limit, block=max(1, int(timeout * 1000))
        )
        if not answer:
            self._moved = 0.0  # idle: look at the retries again at once
            return []
        return [self._delivery(entry) for entry in answer[0][1]]

    @staticmethod
    def _delivery(entry: tuple[str, dict[str, str]]) -> Delivery:
        id, fields = entry
        return Delivery(fields.get("body", ""), int(fields.get("attempts", 0)), id)

    def ack(self, queue: str, delivery: Delivery) -> None:
        self.ack_many(queue, [delivery])

    def ack_many(self, queue: str, deliveries: list[Delivery]) -> None:
        if not deliveries:
            return
        key, tags = self.key(queue), [delivery.tag for delivery in deliveries]
        with self.client.pipeline() as pipe:  # MULTI: one round trip
            pipe.xack(key, GROUP, *tags)
            pipe.xdel(key, *tags)
            pipe.execute()

    def release(self, queue: str, deliveries: list[Delivery]) -> None:
        if not deliveries:
            return
        key = self.key(queue)
        with self.client.pipeline() as pipe:  # a copy at the end of the stream, or nothing
            for delivery in deliveries:
                pipe.xadd(key, {"body": delivery.body, "attempts": delivery.attempts})
            tags = [delivery.tag for delivery in deliveries]
            pipe.xack(key, GROUP, *tags)
            pipe.xdel(key, *tags)
            pipe.execute()

    def retry(self, queue: str, delivery: Delivery, delay: float) -> None:
        key = self.key(queue)
        member = f"{delivery.attempts + 1}|{delivery.body}"
        with self.client.pipeline() as pipe:  # MULTI: both or neither
            pipe.zadd(f"{key}:delayed", {member: time.time() + delay})
            pipe.xack(key, GROUP, delivery.tag)
            pipe.xdel(key, delivery.tag)
            pipe.execute()

    def dead(self, queue: str, delivery: Delivery) -> None:
        key = self.key(queue)
        with self.client.pipeline() as pipe:
            pipe.xadd(f"{key}:dead", {"body": delivery.body, "attempts": delivery.attempts + 1})
            pipe.xack(key, GROUP, delivery.tag)
            pipe.xdel(key, delivery.tag)
            pipe.execute()

    def stats(self, queue: str) -> QueueStats:
        key = self._group(queue)
        in_flight = int(self.client.xpending(key, GROUP)["pending"])
        waiting = int(self.client.xlen(key)) - in_flight + int(self.client.zcard(f"{key}:delayed"))
        return QueueStats(waiting, in_flight, int(self.client.xlen(f"{key}:dead")))

    def requeue_failed(self, queue: str) -> int:
        key = self._group(queue)
        moved = 0
        for id, fields in self.client.xrange(f"{key}:dead"):
            with self.client.pipeline() as pipe:
                pipe.xadd(key, {"body": fields.get("body", ""), "attempts": 0})
                pipe.xdel(f"{key}:dead", id)
                pipe.execute()
            moved += 1
        return moved

    def purge_failed(self, queue: str) -> int:
        key = f"{self.key(queue)}:dead"
        count = int(self.client.xlen(key))
        self.client.delete(key)
        return count

    def close(self) -> None:
        self.client.close()


# RabbitMQ -----------------------------------------------------------------------------
class RabbitBroker:
    """RabbitMQ through pika: durable queues, persistent messages, publisher confirms."""

    def __init__(self, url: str) -> None:
        try:
            import pika  # type: ignore[import-untyped]
        except ImportError:
            raise BrokerError(
                "config.yaml `queue: {broker: rabbitmq}` needs pika: pip install 'jetpy[rabbitmq]'"
            ) from None
        self.pika: Any = pika
        quiet = logging.getLogger("pika")
        if quiet.level == logging.NOTSET:  # a line per connection is noise in jetpy's logs
            quiet.setLevel(logging.WARNING)
        self.parameters = pika.URLParameters(url)
        self.connection: Any = None
        self.channel: Any = None
        self._declared: set[str] = set()
        self._consuming: dict[str, Any] = {}
        self._prefetch = 0

    def _open(self) -> Any:
        if self.connection is None or self.connection.is_closed:
            self.connection = self.pika.BlockingConnection(self.parameters)
            self.channel = self.connection.channel()
            self.channel.confirm_delivery()
            self._declared.clear()
            self._consuming.clear()
            self._prefetch = 0
        return self.channel

    @staticmethod
    def name(queue: str) -> str:
        return f"jetpy.{queue}"

    def _declare(self, queue: str) -> str:
        channel = self._open()
        name = self.name(queue)
        if queue not in self._declared:
            channel.queue_declare(name, durable=True)
            channel.queue_declare(f"{name}.dead", durable=True)
            self._declared.add(queue)
        return name

    def _send(self, routing: str, body: str, attempts: int) -> None:
        properties = self.pika.BasicProperties(
            delivery_mode=2, headers={"attempts": attempts}, content_type="application/json"
        )
        self._open().basic_publish("", routing, body.encode(), properties, mandatory=True)

    def publish(self, queue: str, body: str) -> None:
        try:
            self._send(self._declare(queue), body, 0)
        except self.pika.exceptions.AMQPConnectionError:
            # an idle connection the server closed (missed heartbeats): one new try
            self.close()
            self._send(self._declare(queue), body, 0)

    def receive(self, queue: str, consumer: str, timeout: float) -> Delivery | None:
        found = self.receive_many(queue, consumer, timeout, 1)
        return found[0] if found else None

    def receive_many(self, queue: str, consumer: str, timeout: float, limit: int) -> list[Delivery]:
        name = self._declare(queue)
        if limit != self._prefetch:  # what the server sends ahead, unacknowledged
            # per consumer (a channel-wide one is deprecated, refused by RabbitMQ 4.3), so it
            # counts from the next consumer on: this one stops, what it was sent goes back
            if self._consuming.pop(queue, None) is not None:
                self.channel.cancel()
            self.channel.basic_qos(prefetch_count=limit)
            self._prefetch = limit
        messages = self._consuming.get(queue)
        if messages is None:
            messages = self._consuming[queue] = self.channel.consume(
                name, inactivity_timeout=timeout
            )
        found: list[Delivery] = []
        while len(found) < limit:
            if found and not self.channel.get_waiting_message_count():
                self.connection.process_data_events(time_limit=0)  # read what the socket holds
                if not self.channel.get_waiting_message_count():
                    break  # take what arrived, never wait for more
            method, properties, body = next(messages)
            if method is None:
                break
            attempts = int((properties.headers or {}).get("attempts", 0))
            found.append(Delivery(body.decode(), attempts, method.delivery_tag))
        return found

    def ack(self, queue: str, delivery: Delivery) -> None:
        self.channel.basic_ack(delivery.tag)

    def ack_many(self, queue: str, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:  # no round trip: pika sends them as they come
            self.channel.basic_ack(delivery.tag)

    def release(self, queue: str, deliveries: list[Delivery]) -> None:
        if not deliveries:
            return
        if self._consuming.pop(queue, None) is not None:
            # stop taking (those sent ahead go back too), or the server hands them back to
            # this consumer at once; the next receive consumes again
            self.channel.cancel()
        for delivery in deliveries:  # back at the head of the queue, attempts unchanged
            self.channel.basic_nack(delivery.tag, requeue=True)

    def retry(self, queue: str, delivery: Delivery, delay: float) -> None:
        name = self._declare(queue)
        milliseconds = max(1, int(delay * 1000))
        waiting = f"{name}.retry.{milliseconds}"
        self.channel.queue_declare(
            waiting,
            durable=True,
            arguments={
                "x-message-ttl": milliseconds,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": name,
                "x-expires": milliseconds + 60_000,  # the waiting room goes when unused
            },
        )
        self._send(waiting, delivery.body, delivery.attempts + 1)  # confirmed, then:
        self.channel.basic_ack(delivery.tag)

    def dead(self, queue: str, delivery: Delivery) -> None:
        self._send(f"{self._declare(queue)}.dead", delivery.body, delivery.attempts + 1)
        self.channel.basic_ack(delivery.tag)

    def stats(self, queue: str) -> QueueStats:
        name = self._declare(queue)
        waiting = self.channel.queue_declare(name, passive=True).method.message_count
        dead = self.channel.queue_declare(f"{name}.dead", passive=True).method.message_count
        return QueueStats(int(waiting), None, int(dead))

    def requeue_failed(self, queue: str) -> int:
        name = self._declare(queue)
        moved = 0
        while True:
            method, _properties, body = self.channel.basic_get(f"{name}.dead")
            if method is None:
                return moved
            self._send(name, body.decode(), 0)
            self.channel.basic_ack(method.delivery_tag)
            moved += 1

    def purge_failed(self, queue: str) -> int:
        name = self._declare(queue)
        return int(self.channel.queue_purge(f"{name}.dead").method.message_count)

    def close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and connection.is_open:
            with contextlib.suppress(self.pika.exceptions.AMQPError):  # dropped already
                connection.close()
