"""The content output cache: keys, entries with tags, staleness and purges.

An entry is a content's HTML plus what its action did to the page around it (title, meta
tags, breadcrumb steps, alternates), stored as JSON with its tags. It is served while it has not
expired (the TTL, or the time the controller said its output changes) and while none of its tags
was purged since the lookup that missed before it was rendered (jetpy.cache.backends: a purge
counter, no clocks).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jetpy.cache.backends import CacheBackend, FileBackend, Mark, MemoryBackend, RedisBackend

log = logging.getLogger("jetpy")

BACKENDS = ("none", "memory", "files", "redis")


class OutputCache:
    """`app.output_cache`: what cacheable contents are answered from."""

    def __init__(self, backend: CacheBackend | None, ttl: float = 300.0) -> None:
        self.backend = backend  # None: caching is off
        self.ttl = ttl
        # key → (stored bytes, their entry): bytes equal to those parsed last time (a hit on
        # an unchanged entry) are not parsed again; entries are only read
        self._parsed: dict[str, tuple[bytes, dict[str, Any]]] = {}
        # per thread, key → the mark of its lookup that missed: what store() writes it with
        self._local = threading.local()

    @classmethod
    def from_config(
        cls,
        backend: str,
        url: str,
        ttl: float,
        data_dir: Path,
        prefix: str = "",
        secret_keys: tuple[str, ...] = (),
        max_entries: int = 0,
    ) -> OutputCache:
        """The cache config.yaml asks for (`cache: {backend, url, ttl, prefix, max_entries}`;
        `max_entries` 0: the backend's default)."""
        if backend == "memory":
            return cls(MemoryBackend(max_entries or 1000), ttl)
        if backend == "files":
            folder = Path(url) if url else data_dir / "cache" / "output"
            return cls(FileBackend(folder, max_entries or 10_000), ttl)
        if backend == "redis":
            prefix = prefix or default_prefix(secret_keys)
            return cls(RedisBackend(url or "redis://127.0.0.1:6379/0", prefix), ttl)
        return cls(None, ttl)

    @property
    def enabled(self) -> bool:
        return self.backend is not None

    @staticmethod
    def key(parts: Iterable[Any]) -> str:
        """One string from the parts of a key (JSON: unambiguous, whatever the values)."""
        return json.dumps(list(parts), sort_keys=True, default=str, separators=(",", ":"))

    def lookup(self, key: str) -> dict[str, Any] | None:
        """The fresh entry under `key`, or None: then the content is rendered, and the mark of
        this lookup is what store() keeps its output with (this thread's next store of `key`)."""
        backend = self.backend
        if backend is None:
            return None
        try:
            raw, mark = backend.read(key)
            if raw is not None:
                parsed = self._parsed.get(key)
                if parsed is not None and parsed[0] == raw:
                    entry = parsed[1]
                else:
                    entry = json.loads(raw)
                    if len(self._parsed) >= 1000:
                        self._parsed.clear()
                    self._parsed[key] = (raw, entry)
                until = entry["until"]
                if until is None or until > time.time():
                    return entry
        except Exception:
            log.exception("output cache: reading an entry failed; the content is rendered")
            return None
        marks = self._marks()
        if len(marks) >= 1000:
            marks.clear()
        begun: Mark | None = getattr(self._local, "begun", None)
        marks[key] = mark if begun is None else begun
        return None

    def begin(self) -> None:
        """A request is about to read what its output will show (call it before resolving its
        contents): until this thread's next begin(), what it stores is kept with the mark taken
        now instead of its lookups' later ones. A change committed between a read in
        `resolve()` and the content's lookup then leaves the entry stale as well."""
        backend = self.backend
        if backend is None:
            return
        try:
            self._local.begun = backend.mark()
        except Exception:
            log.exception("output cache: reading the purge count failed; nothing is kept")
            self._local.begun = ("unknown", -1)  # no entry is written with it

    def _marks(self) -> dict[str, Mark]:
        marks: dict[str, Mark] | None = getattr(self._local, "marks", None)
        if marks is None:
            marks = self._local.marks = {}
        return marks

    def store(
        self,
        key: str,
        entry: dict[str, Any],
        tags: Iterable[str],
        ttl: float | None = None,
        until: float | None = None,
    ) -> bool:
        """Keep `entry`, unless one of its tags was purged after this thread's lookup of `key`
        missed (before the render began).

        A change committed while the content was being rendered may not be in its HTML; such
        an entry is not kept. Without a lookup that missed, nothing is kept (its next request
        looks it up). No clock is compared: the generations of tags are purge counts.
        """
        backend = self.backend
        if backend is None:
            return False
        mark = self._marks().pop(key, None)
        if mark is None:
            return False
        names = sorted(set(tags))
        lifetime = self.ttl if ttl is None else ttl
        now = time.time()
        if until is not None:
            if until <= now:
                return False
            lifetime = min(lifetime, until - now)
        try:
            value = json.dumps({**entry, "tags": names, "until": until}).encode()
            return backend.write(key, value, names, mark, lifetime)
        except Exception:
            log.exception("output cache: storing an entry failed; the page is still answered")
            return False

    def purge(self, tags: Iterable[str]) -> None:
        """Every entry carrying one of `tags` is stale from now on, in every worker sharing
        the backend."""
        names = [tag for tag in tags if tag]
        if self.backend is None or not names:
            return
        try:
            self.backend.purge(names)
        except Exception:
            log.exception("output cache: purging %s failed", ", ".join(names))

    def clear(self) -> None:
        if self.backend is not None:
            self.backend.clear()


def default_prefix(secret_keys: tuple[str, ...]) -> str:
    """The Redis key prefix of a site that sets none: `jetpy:cache:` and a digest of its oldest
    secret key. Every machine of a site has the same keys (its cookies would not work
    otherwise) and two sites do not; the oldest key changes last in a rotation."""
    if not secret_keys:
        return "jetpy:cache:"
    digest = hashlib.sha256(b"jetpy output cache " + secret_keys[-1].encode()).hexdigest()
    return f"jetpy:cache:{digest[:12]}:"


def event_tags(event: object) -> list[str]:
    """The tags an event purges.

    `data.changed` (an admin save, a REST write: jetpy.data.changes) purges
    `<entity>:<id>` and `<entity>` (lists of that kind), in lower case; any event may name
    more in a `cache_tags` attribute (e.g. a stock change: `product:17`).
    """
    tags: list[str] = []
    if getattr(event, "event_name", "") == "data.changed":
        entity = str(getattr(event, "entity", "")).lower()
        if entity:
            tags += [entity, f"{entity}:{getattr(event, 'entity_id', '')}"]
    extra = getattr(event, "cache_tags", ())
    if isinstance(extra, str):
        extra = (extra,)
    if isinstance(extra, Iterable):
        tags += [str(tag) for tag in extra]
    return tags
