"""The secret keys that sign session cookies and tokens: where they come from, which are refused.

The keys are looked for, in this order:

1. `$JETPY_SECRET_KEY`: one key, or several separated by commas, newest first;
2. config.yaml: `secret_keys:` (a list, newest first) or `secret_key:` (one);
3. `application/data/secret_key` (git-ignored): written with a new random key (384 bits,
   readable by its owner only) when the project is created or first loaded without a key.

The newest key signs; every key of the list is accepted when reading, so a key is rotated by
putting the new one first and dropping the old one once the cookies and links it signed have
expired. Outside debug mode the application refuses a key that is short, published (the old
`change-me-in-production` of the example, `secret`, `dev` …) or missing.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jetpy.errors import Problem

if TYPE_CHECKING:
    from jetpy.definitions.config import Config

ENVIRONMENT = "JETPY_SECRET_KEY"
KEY_FILE = "data/secret_key"  # under application/
MIN_LENGTH = 32  # bytes (UTF-8): 256 bits of a random text are well above this
# keys found in examples, tutorials and this project's own history: anybody may sign with them
PUBLISHED = frozenset(
    {
        "change-me-in-production",
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "your-secret-key",
        "your_secret_key",
        "dev",
        "development",
        "test",
        "test-secret",
        "testing",
        "password",
        "insecure",
        "default",
        "s3cret",
        "supersecret",
        "super-secret",
        "super-secret-key",
        "not-a-secret",
        "jetpy",
    }
)
_PUBLISHED_PREFIXES = (
    "change-me",
    "changeme",
    "change_me",
    "replace-me",
    "your-secret",
    "insecure",
)
FIX = (
    "delete `secret_key`/`secret_keys` from config.yaml and unset $JETPY_SECRET_KEY to use the "
    "project's own key in application/data/secret_key (written on first load), or give a long "
    "random one: `python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
)


@dataclass(frozen=True)
class SecretKeys:
    """The keys of an application, newest first, and where they came from."""

    keys: tuple[str, ...]
    source: str  # `$JETPY_SECRET_KEY`, `config.yaml`, `application/data/secret_key` or ""

    @property
    def newest(self) -> str:
        """The key that signs (empty when there is none)."""
        return self.keys[0] if self.keys else ""


def new_key() -> str:
    """A new random key: 48 random bytes (384 bits) as URL-safe text."""
    return secrets.token_urlsafe(48)


def write_key_file(app_dir: Path) -> str:
    """The key in application/data/secret_key, written with a new key when missing.

    The file appears whole or not at all (written aside, then linked into place), readable by
    its owner only; when another process made it first (two workers starting together) its key
    is read instead.
    """
    path = app_dir / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(key + "\n")
        os.link(aside, path)  # fails when the file exists: never half a key, never two keys
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    finally:
        aside.unlink(missing_ok=True)
    return key


def load_keys(config: Config, app_dir: Path, create: bool = True) -> SecretKeys:
    """The application's keys (see the module's text); with `create`, the key file is written.

    A key file that cannot be written (a read-only folder) leaves no key, which
    `key_problems()` reports.
    """
    given = os.environ.get(ENVIRONMENT, "")
    if given.strip():
        keys = tuple(key.strip() for key in given.split(",") if key.strip())
        return SecretKeys(keys, f"${ENVIRONMENT}")
    if config.secret_keys or config.secret_key:
        keys = tuple(config.secret_keys) or (config.secret_key,)
        return SecretKeys(keys, "application/config.yaml")
    path = app_dir / KEY_FILE
    try:
        if path.is_file():
            key = path.read_text(encoding="utf-8").strip()
        elif create:
            key = write_key_file(app_dir)
        else:
            key = ""
    except OSError:
        return SecretKeys((), "")
    return SecretKeys((key,) if key else (), f"application/{KEY_FILE}")


def weakness(key: str) -> str:
    """Why `key` must not sign anything, or "" when it may."""
    if not key:
        return "is empty"
    normalized = key.strip().lower()
    if normalized in PUBLISHED or normalized.startswith(_PUBLISHED_PREFIXES):
        return "is a published placeholder that anybody can sign cookies with"
    if len(key.encode()) < MIN_LENGTH:
        return f"is too short ({len(key.encode())} bytes; at least {MIN_LENGTH} are needed)"
    if len(set(key)) < 8:
        return "repeats too few characters to be random"
    return ""


def key_problems(found: SecretKeys, debug: bool) -> list[Problem]:
    """What is wrong with the keys; warnings in debug mode, errors otherwise."""
    file = found.source or "application/config.yaml"
    if not found.keys:
        message = (
            "there is no secret key (application/data/secret_key could not be written), "
            "so sessions and signed links cannot work"
        )
        return [Problem(file, "secret_key", message, FIX, warning=debug)]
    problems = []
    for index, key in enumerate(found.keys):
        why = weakness(key)
        if why:
            which = "the secret key" if len(found.keys) == 1 else f"secret key {index + 1}"
            mode = "; allowed in debug mode only" if debug else "; refused outside debug mode"
            problems.append(Problem(file, "secret_key", f"{which} {why}{mode}", FIX, warning=debug))
    return problems
