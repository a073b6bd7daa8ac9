"""The REST API: `RestController`, its JSON body reader and its one error envelope."""

from __future__ import annotations

from jetpy.rest.body import MAX_BODY, Body, read_json
from jetpy.rest.controller import ListQuery, RestController, SortKey
from jetpy.rest.errors import (
    ApiError,
    ValidationError,
    envelope,
    error_envelope,
    json_response,
    to_json,
)

__all__ = [
    "MAX_BODY",
    "ApiError",
    "Body",
    "ListQuery",
    "RestController",
    "SortKey",
    "ValidationError",
    "envelope",
    "error_envelope",
    "json_response",
    "read_json",
    "to_json",
]
