"""Background work: queued listeners, the transactional outbox, brokers and workers.

A listener marked with a queue in its manifest (`listens: {contact.submitted: {handler:
on_contact, queue: mail}}`) runs in a worker process (`jetpy worker`): the event is written to
the outbox table in the emitter's transaction (jetpy.queue.outbox), relayed to the broker after
commit (jetpy.queue.brokers: Redis Streams or RabbitMQ) and handled at least once, idempotently
(jetpy.queue.worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jetpy.errors import Problem, relative
from jetpy.queue.brokers import Broker, BrokerError, Delivery, QueueStats, make_broker
from jetpy.queue.outbox import Outbox

if TYPE_CHECKING:
    from jetpy.project.loader import Project

__all__ = [
    "Broker",
    "BrokerError",
    "Delivery",
    "Outbox",
    "QueueStats",
    "make_broker",
    "queue_problems",
]


def queue_problems(project: Project) -> list[Problem]:
    """In `declared` mode, a listener naming a queue not in `queue.declared` is a problem."""
    config = project.config
    if config.queue_mode != "declared":
        return []
    found = []
    for event_name, listeners in project.listeners.items():
        for listener in listeners:
            if listener.queue and listener.queue not in config.queue_declared:
                found.append(
                    Problem(
                        relative(listener.module.dir / "manifest.yaml", project.root),
                        f"listens.{event_name}.queue",
                        f"queue `{listener.queue}` is not declared (config.yaml `queue.mode:"
                        " declared`)",
                        f"add `{listener.queue}` to `queue.declared` in config.yaml, or use "
                        f"one of: {', '.join(config.queue_declared) or '(none declared)'}",
                    )
                )
    return found
