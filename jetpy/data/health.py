"""The health endpoint: whether this worker can reach the database.

`GET /_health` (config.yaml `health_path`; an empty one turns it off) answers
`200 {"status": "ok", "database": "ok"}`, or `503 {"status": "unavailable", "database":
"unreachable"}` when a `SELECT 1` fails or takes longer than `TIMEOUT` seconds (a database
host that drops packets would otherwise hold the probe until the TCP timeout, minutes later,
and the balancer would see a hung worker instead of an answer); the reason goes to the log,
never to the client.
It needs no login and is never cached; load balancers and orchestrators poll it.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING

from sqlalchemy import text
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from jetpy.data.db import Database

log = logging.getLogger("jetpy.health")
_METHODS = ("GET", "HEAD")


TIMEOUT = 3.0  # seconds a probe waits for `SELECT 1`


def database_reachable(db: Database, timeout: float = TIMEOUT) -> bool:
    """True when a `SELECT 1` on a connection of the pool succeeds within `timeout` seconds."""
    outcome: list[bool] = []

    def probe() -> None:
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            log.warning("health check: the database is unreachable", exc_info=True)
            outcome.append(False)
        else:
            outcome.append(True)

    # the probe runs beside the request so that a hanging connect cannot hold the answer;
    # a probe still hanging after the timeout ends with the driver's own timeout
    thread = threading.Thread(target=probe, name="jetpy-health", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        log.warning("health check: the database did not answer within %.1f s", timeout)
        return False
    return outcome[0]


def health_response(db: Database, method: str) -> Response:
    """The health answer for a request with `method` (GET or HEAD; anything else is 405)."""
    headers = {"Cache-Control": "no-store"}
    if method not in _METHODS:
        body = {"error": f"{method} is not answered here; use GET."}
        headers["Allow"] = ", ".join(_METHODS)
        return Response(json.dumps(body), 405, headers, mimetype="application/json")
    if database_reachable(db):
        status, body = 200, {"status": "ok", "database": "ok"}
    else:
        status, body = 503, {"status": "unavailable", "database": "unreachable"}
    return Response(json.dumps(body), status, headers, mimetype="application/json")
