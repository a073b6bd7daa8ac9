"""Log lines as text or JSON, each carrying the id of the request it was written for.

- **Request id**: every request gets one when it comes in: the client's (or the proxy's)
  `X-Request-ID` when it is sane (1 to 64 letters, digits, `.`, `_`, `-`, `:`), else 16 hex
  digits: the worker's random prefix and a counter. It is answered back as `X-Request-ID`
  and held in a contextvar while the request is handled, events included; outside a request
  it is `-`.
- **Lines**: `configure(config)` puts one handler on the root logger, at config.yaml's
  `logging.level`, writing `logging.format` `text` (one readable line) or `json` (one object a
  line: time, level, logger, message, request_id, and the traceback when there is one). Its
  filter stamps each record with the request id, whichever logger wrote it.
- Servers call `configure()` (`jetpy run`, `jetpy serve`, jetpy.wsgi); a bare `Application`
  leaves the logging of the process it is loaded into alone (tests, scripts).
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from jetpy.definitions.config import Config

HEADER = "X-Request-ID"
_ENVIRON_KEY = "HTTP_X_REQUEST_ID"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")
NO_REQUEST = "-"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

REQUEST_ID: ContextVar[str] = ContextVar("jetpy_request_id", default=NO_REQUEST)


class _Ids:
    """New request ids: a random prefix per process and a counter (cheaper than 8 random bytes
    a request); a forked worker draws its own prefix, so ids stay unique across workers."""

    def __init__(self) -> None:
        self.restart()
        os.register_at_fork(after_in_child=self.restart)

    def restart(self) -> None:
        self.prefix = os.urandom(5).hex()
        self.counter = itertools.count(1)


_ids = _Ids()


def enter_request(environ: WSGIEnvironment) -> tuple[str, Token[str]]:
    """The request's id (its sane X-Request-ID, else a new one), set for its log lines."""
    given = environ.get(_ENVIRON_KEY)
    if given and _SANE.fullmatch(given):
        request_id = given
    else:  # a new id, made here: a method of _Ids would be one more step on every request
        request_id = f"{_ids.prefix}{next(_ids.counter) & 0xFFFFFF:06x}"
    return request_id, REQUEST_ID.set(request_id)


def leave_request(token: Token[str]) -> None:
    """The request is answered: its later lines are no longer its."""
    REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Stamps every record with `request_id` (the current request's, or `-`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, request_id."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        if record.exc_info:
            line["traceback"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def make_handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A stream handler (standard error by default) writing `text` or `json` lines."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.set_name("jetpy")
    return handler


def configure(config: Config, stream: IO[str] | None = None) -> logging.Handler:
    """Log as config.yaml says: replace jetpy's handler on the root logger, set the level."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "jetpy"]:
        root.removeHandler(old)
    handler = make_handler(config.log_format, stream)
    root.addHandler(handler)
    root.setLevel(config.log_level)
    return handler
