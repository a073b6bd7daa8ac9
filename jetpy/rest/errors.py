"""Errors of the REST API: `ApiError` and `ValidationError`, answered with the one envelope.

The envelope and the JSON answers themselves live in `jetpy.kernel.envelope`, since every base
with `errors: json` answers its errors the same way; they are re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import HTTPException

from jetpy.kernel.envelope import (
    JSON_TYPE,
    Headers,
    code_of,
    envelope,
    error_envelope,
    json_response,
    to_json,
)

__all__ = [
    "JSON_TYPE",
    "ApiError",
    "Headers",
    "ValidationError",
    "code_of",
    "envelope",
    "error_envelope",
    "json_response",
    "to_json",
]


class ApiError(HTTPException):
    """An HTTP error answered with the JSON envelope, in whatever base it is raised."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: Headers | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, envelope(status, message, code=code, headers=headers, **details))
        self.code = status


class ValidationError(ApiError):
    """A request body with wrong fields: 400, each field path with its problems."""

    def __init__(self, fields: Mapping[str, list[str]]) -> None:
        names = ", ".join(f"`{name}`" for name in fields)
        count = len(fields)
        super().__init__(
            400,
            f"{count} field{'s' if count != 1 else ''} of the request body "
            f"{'are' if count != 1 else 'is'} wrong: {names}; see `fields`",
            code="invalid_fields",
            fields={name: list(problems) for name, problems in fields.items()},
        )
