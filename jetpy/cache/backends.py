"""Where output cache entries and tag generations are kept: memory, files or Redis.

Every backend keeps two things: entries (bytes under a key, with a time to live) and, per tag,
its generation: the time of the tag's last purge. An entry remembers the generations of its
tags when it was stored; it is served only while they are unchanged (jetpy.cache.output).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol


class CacheBackend(Protocol):
    """What the output cache needs of a store."""

    def get(self, key: str) -> bytes | None:
        """The entry stored under `key`, None when there is none or it expired."""

    def set(self, key: str, value: bytes, ttl: float) -> None:
        """Keep `value` under `key` for `ttl` seconds."""

    def generations(self, tags: Sequence[str]) -> list[float]:
        """The generation of each tag (0.0 for a tag never purged)."""

    def purge(self, tags: Iterable[str]) -> None:
        """Give each tag a new generation: every entry carrying one of them is stale."""

    def clear(self) -> None:
        """Drop every entry and every tag."""


class MemoryBackend:
    """Per process: a bounded LRU dictionary. One worker only: a purge stays in its process."""

    def __init__(self, max_entries: int = 1000) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self.tags: dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            found = self.entries.get(key)
            if found is None:
                return None
            if found[0] <= time.time():
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return found[1]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        with self._lock:
            self.entries[key] = (time.time() + ttl, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def generations(self, tags: Sequence[str]) -> list[float]:
        return [self.tags.get(tag, 0.0) for tag in tags]

    def purge(self, tags: Iterable[str]) -> None:
        now = _new_generation()
        with self._lock:
            for tag in tags:
                self.tags[tag] = max(now, self.tags.get(tag, 0.0) + 1e-6)

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.tags.clear()


class FileBackend:
    """Files in a folder, shared by the workers of one machine; every write is atomic."""

    def __init__(self, folder: Path) -> None:
        self.entries_dir = folder / "entries"
        self.tags_dir = folder / "tags"
        self.entries_dir.mkdir(parents=True, exist_ok=True)
        self.tags_dir.mkdir(parents=True, exist_ok=True)

    def get(self, key: str) -> bytes | None:
        try:
            data = (self.entries_dir / _digest(key)).read_bytes()
        except OSError:
            return None
        expires, _, value = data.partition(b"\n")
        try:
            if float(expires) <= time.time():
                return None
        except ValueError:
            return None
        return value

    def set(self, key: str, value: bytes, ttl: float) -> None:
        expires = repr(time.time() + ttl).encode()
        _write(self.entries_dir / _digest(key), expires + b"\n" + value)

    def generations(self, tags: Sequence[str]) -> list[float]:
        found = []
        for tag in tags:
            try:
                found.append(float((self.tags_dir / _digest(tag)).read_bytes()))
            except (OSError, ValueError):
                found.append(0.0)
        return found

    def purge(self, tags: Iterable[str]) -> None:
        for tag in tags:
            previous = self.generations([tag])[0]
            generation = max(_new_generation(), previous + 1e-6)
            _write(self.tags_dir / _digest(tag), repr(generation).encode())

    def clear(self) -> None:
        for folder in (self.entries_dir, self.tags_dir):
            for file in folder.iterdir():
                file.unlink(missing_ok=True)


class RedisBackend:
    """Redis, shared by every worker on every machine (`pip install jetpy[redis]`)."""

    def __init__(self, url: str, prefix: str = "jetpy:cache:") -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "cache backend `redis` needs the redis package: pip install 'jetpy[redis]'"
            ) from None
        self.client: Any = redis.Redis.from_url(url)
        self.prefix = prefix
        self.tags_key = prefix + "tags"

    def get(self, key: str) -> bytes | None:
        value: bytes | None = self.client.get(self.prefix + "entry:" + _digest(key))
        return value

    def set(self, key: str, value: bytes, ttl: float) -> None:
        milliseconds = max(1, int(ttl * 1000))
        self.client.set(self.prefix + "entry:" + _digest(key), value, px=milliseconds)

    def generations(self, tags: Sequence[str]) -> list[float]:
        if not tags:
            return []
        values = self.client.hmget(self.tags_key, list(tags))
        return [float(value) if value is not None else 0.0 for value in values]

    def purge(self, tags: Iterable[str]) -> None:
        names = list(tags)
        if not names:
            return
        generation = _new_generation()
        pipeline = self.client.pipeline()
        for tag in names:
            # never backwards, even when this machine's clock is behind the last purger's
            pipeline.hincrbyfloat(self.tags_key, tag, 0)
        previous = pipeline.execute()
        pipeline = self.client.pipeline()
        for tag, old in zip(names, previous, strict=True):
            pipeline.hset(self.tags_key, tag, repr(max(generation, float(old) + 1e-6)))
        pipeline.execute()

    def clear(self) -> None:
        names = list(self.client.scan_iter(match=self.prefix + "*"))
        if names:
            self.client.delete(*names)


def _new_generation() -> float:
    return time.time()


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _write(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temporary file beside it, renamed into place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
