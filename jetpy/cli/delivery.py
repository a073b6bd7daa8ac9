"""Where the site's mail and queued events go, said when `jetpy run` starts and by `jetpy check`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jetpy.mail import destination
from jetpy.queue.worker import queues_of

if TYPE_CHECKING:
    from jetpy.app import Application


def delivery_lines(app: Application) -> list[str]:
    """One line for the mail backend, one for the queues of the activated modules (if any)."""
    config = app.config
    lines = [f"mail: {destination(config, app.project.app_dir)}"]
    queues = queues_of(app)
    if not queues:
        return lines
    named = ", ".join(queues)
    if config.queue_broker == "inline":
        lines.append(
            f"queues {named}: handled by the process that emits their events (the site's), "
            "right after each commit (queue.broker: inline, for development; in production "
            "use redis or rabbitmq and run `jetpy worker`)"
        )
    else:
        where = config.queue_url or (
            "amqp://127.0.0.1:5672/"
            if config.queue_broker == "rabbitmq"
            else "redis://127.0.0.1:6379/0"
        )
        lines.append(
            f"queues {named}: published to {config.queue_broker} at {where}; "
            "`jetpy worker` handles them (run it next to the site)"
        )
    return lines


def inline_warning(app: Application) -> str | None:
    """For `jetpy serve`: the production server should not run queued listeners inline."""
    queues = queues_of(app)
    if app.config.queue_broker != "inline" or not queues:
        return None
    return (
        f"warning: config.yaml `queue: {{broker: inline}}` runs the listeners of "
        f"{', '.join(queues)} inside the web workers (each request waits for them, a restart "
        "drops their retries); for production set `queue: {broker: redis}` (or rabbitmq) and "
        "run `jetpy worker` (README: Background work)"
    )
