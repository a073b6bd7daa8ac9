"""Where output cache entries and tag generations are kept: memory, files or Redis.

No clock is compared between machines. Every backend keeps a purge counter; a purge raises it
by one and gives each purged tag the new value as its generation. A lookup that misses hands
out the counter as it was then (the *mark*); the render runs after it; the entry written with
that mark is served only while none of its tags has a generation above the mark. So a change
committed while the content was rendering (render started → purge → store) always leaves its
entry stale, whichever worker or machine rendered it and whatever their clocks say.

Redis adds an *epoch* to the mark, a random token given to its tag hash when the hash is
created: should the hash go (an eviction, a FLUSHDB), the entries written under the old epoch
are stale instead of looking fresh against generations that started again from zero.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

# (epoch, purge counter) when a lookup missed: what an entry rendered after it is written with
Mark = tuple[str, int]


class CacheBackend(Protocol):
    """What the output cache needs of a store."""

    def read(self, key: str) -> tuple[bytes | None, Mark]:
        """The fresh entry under `key` (None when there is none, it expired or one of its tags
        was purged after it was rendered) and the current mark."""

    def write(self, key: str, value: bytes, tags: Sequence[str], mark: Mark, ttl: float) -> bool:
        """Keep `value` under `key` for `ttl` seconds, unless one of `tags` was purged after
        `mark` (then it is not kept: False)."""

    def mark(self) -> Mark:
        """The current mark (what read() hands out with a miss)."""

    def purge(self, tags: Iterable[str]) -> None:
        """Give each tag a new generation: every entry carrying one of them is stale."""

    def clear(self) -> None:
        """Drop every entry and every tag."""


class MemoryBackend:
    """Per process: a bounded LRU dictionary. One worker only: a purge stays in its process."""

    def __init__(self, max_entries: int = 1000) -> None:
        self.max_entries = max_entries
        # key → (expires, mark, tags, value)
        self.entries: OrderedDict[str, tuple[float, int, tuple[str, ...], bytes]] = OrderedDict()
        self.tags: dict[str, int] = {}
        self.epoch = ""  # a new one on clear(): what was rendered before it is not kept
        self.purges = 0
        self._lock = threading.Lock()

    def read(self, key: str) -> tuple[bytes | None, Mark]:
        with self._lock:
            mark = (self.epoch, self.purges)
            found = self.entries.get(key)
            if found is None:
                return None, mark
            expires, written, tags, value = found
            if expires <= time.time():
                del self.entries[key]
                return None, mark
            generations = self.tags
            for tag in tags:
                if generations.get(tag, 0) > written:
                    del self.entries[key]
                    return None, mark
            self.entries.move_to_end(key)
            return value, mark

    def write(self, key: str, value: bytes, tags: Sequence[str], mark: Mark, ttl: float) -> bool:
        with self._lock:
            if _purged_since(mark, self.epoch, (self.tags.get(tag, 0) for tag in tags)):
                return False
            self.entries[key] = (time.time() + ttl, mark[1], tuple(tags), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)
            return True

    def mark(self) -> Mark:
        return self.epoch, self.purges

    def purge(self, tags: Iterable[str]) -> None:
        with self._lock:
            self.purges += 1
            for tag in tags:
                self.tags[tag] = self.purges

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.tags.clear()
            self.epoch = secrets.token_hex(8)


class FileBackend:
    """Files in a folder, shared by the workers of one machine; every write is atomic.

    An entry's file starts with a line of JSON (expiry time, mark, tags) and then its value;
    a tag's file holds its generation; `purges` the epoch and the counter, changed under an
    exclusive lock (`purges.lock`) so that two workers purging at once get two values.
    """

    def __init__(self, folder: Path, max_entries: int = 10_000) -> None:
        # every key a visitor can make up (a query string) is a file: without a bound, a loop
        # of requests would fill the disk; above it the oldest written go (see _sweep)
        self.max_entries = max_entries
        self._writes = 0  # since this process last counted the entries
        self.entries_dir = folder / "entries"
        self.tags_dir = folder / "tags"
        self.entries_dir.mkdir(parents=True, exist_ok=True)
        self.tags_dir.mkdir(parents=True, exist_ok=True)
        self.counter = folder / "purges"
        self.lock = folder / "purges.lock"

    def read(self, key: str) -> tuple[bytes | None, Mark]:
        mark = self.mark()
        try:
            data = (self.entries_dir / _digest(key)).read_bytes()
            header, _, value = data.partition(b"\n")
            expires, epoch, written, tags = json.loads(header)
        except (OSError, ValueError):
            return None, mark
        if expires <= time.time() or _purged_since(
            (epoch, written), mark[0], (self._generation(tag) for tag in tags)
        ):
            return None, mark
        return value, mark

    def write(self, key: str, value: bytes, tags: Sequence[str], mark: Mark, ttl: float) -> bool:
        if _purged_since(mark, self.mark()[0], (self._generation(tag) for tag in tags)):
            return False
        header = json.dumps([time.time() + ttl, *mark, list(tags)]).encode()
        path = self.entries_dir / _digest(key)
        _write(path, header + b"\n" + value)
        self._writes += 1
        if self._writes >= max(1, self.max_entries // 10):  # a tenth of the bound as slack
            self._writes = 0
            self._sweep(path.name)
        return True

    def _sweep(self, written: str) -> None:
        """Delete the oldest-written entries above `max_entries` (never `written`, the file
        just written: the clock's granularity may give many files one time)."""
        found: list[tuple[int, str]] = []
        with os.scandir(self.entries_dir) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name == written:
                    continue  # a temporary file of a write under way, or the newest entry
                try:
                    found.append((entry.stat().st_mtime_ns, entry.path))
                except OSError:  # deleted meanwhile by another worker's sweep
                    continue
        excess = len(found) + 1 - self.max_entries
        if excess > 0:
            for _, path in sorted(found)[:excess]:
                Path(path).unlink(missing_ok=True)

    def purge(self, tags: Iterable[str]) -> None:
        with open(self.lock, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            epoch, purges = self.mark()
            purges += 1
            _write(self.counter, f"{epoch} {purges}".encode())
            for tag in tags:
                _write(self.tags_dir / _digest(tag), str(purges).encode())

    def clear(self) -> None:
        with open(self.lock, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _write(self.counter, f"{secrets.token_hex(8)} 0".encode())
            for folder in (self.entries_dir, self.tags_dir):
                for file in folder.iterdir():
                    file.unlink(missing_ok=True)

    def mark(self) -> Mark:
        try:
            epoch, purges = self.counter.read_text().split()
            return epoch, int(purges)
        except (OSError, ValueError):
            return "0", 0  # never purged nor cleared

    def _generation(self, tag: str) -> int:
        try:
            return int((self.tags_dir / _digest(tag)).read_bytes())
        except (OSError, ValueError):
            return 0


# The Redis scripts. An entry is `<epoch> <mark> <length of each tag …>\n<tags><value>`; the tag
# hash holds each tag's generation and, under names no tag has, the epoch and the counter.
# A script runs atomically and in one round trip: a hit is one call, whatever its tags.
_READ = """
local state = redis.call('HMGET', KEYS[2], '\\0epoch', '\\0purges')
local epoch, purges = state[1] or '-', state[2] or '0'
local entry = redis.call('GET', KEYS[1])
if not entry then return {0, epoch, purges} end
local line = string.find(entry, '\\n', 1, true)
local fields = {}
for field in string.gmatch(string.sub(entry, 1, line - 1), '%S+') do fields[#fields + 1] = field end
if fields[1] ~= epoch then return {0, epoch, purges} end
local written = tonumber(fields[2])
local at = line + 1
for i = 3, #fields do
  local length = tonumber(fields[i])
  local generation = redis.call('HGET', KEYS[2], string.sub(entry, at, at + length - 1))
  if generation and tonumber(generation) > written then return {0, epoch, purges} end
  at = at + length
end
return {1, epoch, purges, string.sub(entry, at)}
"""

_WRITE = """
local state = redis.call('HMGET', KEYS[2], '\\0epoch')
if (state[1] or '-') ~= ARGV[1] then return 0 end
local written = tonumber(ARGV[2])
for i = 5, #ARGV do
  local generation = redis.call('HGET', KEYS[2], ARGV[i])
  if generation and tonumber(generation) > written then return 0 end
end
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
return 1
"""

_PURGE = """
redis.call('HSETNX', KEYS[1], '\\0epoch', ARGV[1])
local purges = redis.call('HINCRBY', KEYS[1], '\\0purges', 1)
for i = 2, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], purges) end
return purges
"""


class RedisBackend:
    """Redis, shared by every worker on every machine (`pip install jetpy[redis]`).

    Every key starts with `prefix` (config.yaml's `cache.prefix`): sites sharing a Redis
    database need different ones. One Redis server (with replicas if you like), not a Redis
    Cluster: a script reads an entry and the tag hash together, which a cluster allows only
    for keys of one slot.
    """

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
        self._read = self.client.register_script(_READ)
        self._write = self.client.register_script(_WRITE)
        self._purge = self.client.register_script(_PURGE)
        self._has_epoch = False

    def read(self, key: str) -> tuple[bytes | None, Mark]:
        if not self._has_epoch:  # once per process (not when built: Redis may be down then)
            self.client.hsetnx(self.tags_key, "\0epoch", secrets.token_hex(8))
            self._has_epoch = True
        found = self._read(keys=[self.prefix + "entry:" + _digest(key), self.tags_key])
        value: bytes | None = found[3] if found[0] == 1 else None
        return value, (found[1].decode(), int(found[2]))

    def mark(self) -> Mark:
        epoch, purges = self.client.hmget(self.tags_key, ["\0epoch", "\0purges"])
        return (epoch or b"-").decode(), int(purges or 0)

    def write(self, key: str, value: bytes, tags: Sequence[str], mark: Mark, ttl: float) -> bool:
        encoded = [tag.encode() for tag in tags]
        header = " ".join([mark[0], str(mark[1]), *(str(len(tag)) for tag in encoded)])
        entry = header.encode() + b"\n" + b"".join(encoded) + value
        milliseconds = max(1, int(ttl * 1000))
        keys = [self.prefix + "entry:" + _digest(key), self.tags_key]
        return bool(self._write(keys=keys, args=[mark[0], mark[1], milliseconds, entry, *tags]))

    def purge(self, tags: Iterable[str]) -> None:
        names = list(tags)
        if names:
            self._purge(keys=[self.tags_key], args=[secrets.token_hex(8), *names])

    def clear(self) -> None:
        names = list(self.client.scan_iter(match=self.prefix + "*"))
        if names:
            self.client.delete(*names)


def _purged_since(mark: Mark, epoch: str, generations: Iterable[int]) -> bool:
    return mark[0] != epoch or any(generation > mark[1] for generation in generations)


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
