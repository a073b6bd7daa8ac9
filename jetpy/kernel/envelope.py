"""JSON answers and the one error envelope, for REST controllers and every `errors: json` base.

Every error of a REST controller, and every error of a base with `errors: json`, is answered
with the same body::

    {"error": {"status": 400, "code": "invalid_fields", "message": "…",
               "fields": {"title": ["required"]}}}

`status` repeats the HTTP status, `code` is a stable machine-readable name (`not_found`,
`method_not_allowed`, `invalid_json`, `invalid_parameters`, `invalid_fields`,
`unauthorized`, `conflict` …) and `message` says in words what was wrong and how to fix it.
Details follow when there are any: `fields` (problems of the body, by field path),
`parameters` (problems of the query string, by parameter) and `allow` (for 405).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

JSON_TYPE = "application/json; charset=utf-8"
Headers = Mapping[str, str] | Sequence[tuple[str, str]]


def to_json(data: Any) -> str:
    """`data` as compact JSON text; Decimals become strings (money is never a float)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_encode)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(
        f"{type(value).__name__} {value!r} cannot be written as JSON; "
        "convert it to text, a number, a list or a dict first"
    )


def json_response(data: Any, status: int = 200, headers: Headers | None = None) -> Response:
    """A response with `data` as JSON (`application/json; charset=utf-8`)."""
    return Response(to_json(data), status, headers, content_type=JSON_TYPE)


def code_of(status: int) -> str:
    """The envelope's default `code` of a status: 404 → `not_found`."""
    name = HTTP_STATUS_CODES.get(status, "error")
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def envelope(
    status: int,
    message: str,
    *,
    code: str | None = None,
    headers: Headers | None = None,
    **details: Any,
) -> Response:
    """The error envelope as a response; details that are None are left out."""
    error: dict[str, Any] = {"status": status, "code": code or code_of(status), "message": message}
    error.update((key, value) for key, value in details.items() if value is not None)
    return json_response({"error": error}, status, headers)


def error_envelope(error: HTTPException) -> Response:
    """Any werkzeug HTTP error as the envelope (for a base with `errors: json`)."""
    status = error.code or 500
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    allow = None
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        allow = list(error.valid_methods)
    return envelope(status, error.description or error.name, headers=headers, allow=allow)
