"""Where media files live: the `Storage` protocol and the local folder that implements it.

A stored file is named by a key that jetpy makes (`new_key()`: 32 random hex digits and the
extension of the format found in the content), never by the uploaded name, and a key is
written once: a new upload gets a new key. That is what lets the URLs be cached for a year.
Every key is checked against one pattern before it reaches a path, so no key can leave the
storage's folder (`../`, `/`, `\\`, NUL or anything else outside `[0-9a-z.-]` is refused).
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import Protocol

from jetpy.errors import JetpyError

# originals: 32 hex digits and an extension; renditions: `<original key>.<width>w.webp`
KEY = re.compile(r"[0-9a-f]{32}\.(?:jpg|png|webp|gif|pdf)(?:\.[1-9][0-9]{1,3}w\.webp)?")


class StorageError(JetpyError):
    """A key that is not one jetpy makes, or a file that cannot be stored."""


def new_key(extension: str) -> str:
    """A fresh random key for a file of `extension` (`jpg`, `png`, `webp`, `gif`, `pdf`)."""
    return check_key(f"{secrets.token_hex(16)}.{extension}")


def check_key(key: str) -> str:
    """`key` when it has the one shape jetpy makes; a StorageError otherwise."""
    if not isinstance(key, str) or KEY.fullmatch(key) is None:
        raise StorageError(
            f"{key!r} is not a media key (32 hex digits and .jpg, .png, .webp, .gif or .pdf)"
        )
    return key


class Storage(Protocol):
    """The files of the media library; plug in another (e.g. object storage) in config.

    Keys are checked by the caller and by the storage (`check_key`). `load` raises
    FileNotFoundError for a key that holds nothing.
    """

    def save(self, key: str, data: bytes) -> None: ...

    def load(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...


class LocalStorage:
    """Files in a local folder, spread over subfolders by the key's first two digits."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file of `key` inside the folder (the key is checked first)."""
        check_key(key)
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes) -> None:
        """Write `data` atomically: a reader sees the whole file or none."""
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(handle, "wb") as file:
                    file.write(data)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            raise StorageError(
                f"cannot store a media file in {self.root}: {error.strerror or error}; "
                "check that the folder (config.yaml media.location) is writable"
            ) from error

    def load(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
