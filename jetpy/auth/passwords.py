"""Password hashing with scrypt: a random salt per password, the cost stored with the hash.

A stored hash reads `scrypt$<n>$<r>$<p>$<salt>$<hash>` (salt and hash in URL-safe base64), so
the cost can be raised later: `needs_rehash()` tells when a hash was made with other
parameters, and the login hashes the password again with the current ones.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1  # 16 MiB and ~50 ms per hash: slow for guessing, fine for a login
KEY_LENGTH = 32
MIN_LENGTH = 10
MAX_LENGTH = 1024  # a longer "password" is a denial-of-service attempt, not a password
# the most common passwords (and their kind); anything listed here is refused at once
COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "1234567890",
        "0123456789",
        "12345678910",
        "qwertyuiop",
        "1q2w3e4r5t",
        "administrator",
        "letmein123",
        "iloveyou12",
        "changeme123",
        "welcome123",
        "abcdefghij",
    }
)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=KEY_LENGTH, maxmem=256 * r * n + 2**20
    )


def hash_password(password: str, *, n: int = N, r: int = R, p: int = P) -> str:
    """The text to store for `password` (never store the password itself)."""
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password is at most {MAX_LENGTH} characters long")
    salt = secrets.token_bytes(16)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(_scrypt(password, salt, n, r, p))}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, digest = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    # a hash from elsewhere must not make us spend unbounded memory or time
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if not salt or len(digest) != KEY_LENGTH:
        return None
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches the stored hash (compared in constant time)."""
    parsed = _parse(stored)
    if parsed is None or len(password) > MAX_LENGTH:
        return False
    n, r, p, salt, digest = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), digest)


def needs_rehash(stored: str) -> bool:
    """Whether the hash was made with other parameters than the current ones."""
    parsed = _parse(stored)
    return parsed is None or parsed[:3] != (N, R, P)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when there is no such user, so that both take as long."""
    return hash_password(secrets.token_urlsafe(16))


def weak_password(password: str, *, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` is too weak to accept, or None; `personal`: username, e-mail …"""
    if not password:
        return "the password is empty"
    if len(password) < MIN_LENGTH:
        return f"the password is shorter than {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password is longer than {MAX_LENGTH} characters"
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) < 4:
        return "the password is too common or too simple"
    for text in personal:
        text = text.lower()
        if text and (text in lowered or lowered in text):
            return "the password contains the username or e-mail address"
    return None
