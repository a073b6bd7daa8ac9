"""Signed, expiring tokens for the links mailed to visitors (itsdangerous).

A confirmation link carries the visitor's id and address; a reset link carries the id and the
account's `session_version`, which the new password raises, so a reset link works once.
Each kind has its own salt: a token of one kind is never accepted as the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM = "web.auth.confirm"
RESET = "web.auth.reset"
MAX_AGE = {CONFIRM: 3 * 24 * 3600, RESET: 3600}  # seconds a link works
MAX_LENGTH = 500  # a longer token is no token of ours


class TokenProblem(ValueError):
    """Why a link's token is refused: `expired` or `invalid`."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _serializer(secret_keys: Sequence[str], purpose: str) -> URLSafeTimedSerializer:
    # app.secret_keys is newest first; itsdangerous signs with the last of its list
    keys = [secret_keys] if isinstance(secret_keys, str) else list(reversed(secret_keys))
    return URLSafeTimedSerializer(keys, salt=purpose)


def make_token(secret_keys: Sequence[str], purpose: str, data: dict[str, Any]) -> str:
    """A URL-safe signed token of `data` for `purpose` (CONFIRM, RESET), by the newest key.

    `secret_keys` is the application's list (`app.secret_keys`, newest first) or one key.
    """
    return _serializer(secret_keys, purpose).dumps(data)


def read_token(
    secret_keys: Sequence[str], purpose: str, token: str, max_age: int | None = None
) -> dict[str, Any]:
    """The data of a token; TokenProblem `expired` or `invalid` when it cannot be used."""
    if not token or len(token) > MAX_LENGTH:
        raise TokenProblem("invalid")
    serializer = _serializer(secret_keys, purpose)
    try:
        data = serializer.loads(token, max_age=max_age if max_age is not None else MAX_AGE[purpose])
    except SignatureExpired:
        raise TokenProblem("expired") from None
    except (BadSignature, UnicodeDecodeError, ValueError):
        raise TokenProblem("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("v"), int):
        raise TokenProblem("invalid")
    return data
