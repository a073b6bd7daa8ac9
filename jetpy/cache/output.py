"""The content output cache: keys, entries with tags, staleness and purges.

An entry is a content's HTML plus what its action did to the page around it (title, meta
tags, breadcrumb steps, alternates), stored as JSON with the generations of its tags. It is
served while it has not expired (the TTL, or the time the controller said its output changes)
and while none of its tags was purged since it was stored.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jetpy.cache.backends import CacheBackend, FileBackend, MemoryBackend, RedisBackend

log = logging.getLogger("jetpy")

BACKENDS = ("none", "memory", "files", "redis")


class OutputCache:
    """`app.output_cache`: what cacheable contents are answered from."""

    def __init__(self, backend: CacheBackend | None, ttl: float = 300.0) -> None:
        self.backend = backend  # None: caching is off
        self.ttl = ttl
        # key → (stored bytes, their entry): a backend that hands out the same bytes object
        # again (memory) is not parsed again; entries are only read
        self._parsed: dict[str, tuple[bytes, dict[str, Any]]] = {}

    @classmethod
    def from_config(cls, backend: str, url: str, ttl: float, data_dir: Path) -> OutputCache:
        """The cache config.yaml asks for (`cache: {backend, url, ttl}`)."""
        if backend == "memory":
            return cls(MemoryBackend(), ttl)
        if backend == "files":
            return cls(FileBackend(Path(url) if url else data_dir / "cache" / "output"), ttl)
        if backend == "redis":
            return cls(RedisBackend(url or "redis://127.0.0.1:6379/0"), ttl)
        return cls(None, ttl)

    @property
    def enabled(self) -> bool:
        return self.backend is not None

    @staticmethod
    def key(parts: Iterable[Any]) -> str:
        """One string from the parts of a key (JSON: unambiguous, whatever the values)."""
        return json.dumps(list(parts), sort_keys=True, default=str, separators=(",", ":"))

    def lookup(self, key: str) -> dict[str, Any] | None:
        """The fresh entry under `key`, or None."""
        backend = self.backend
        if backend is None:
            return None
        try:
            raw = backend.get(key)
            if raw is None:
                return None
            parsed = self._parsed.get(key)
            if parsed is not None and parsed[0] is raw:
                entry = parsed[1]
            else:
                entry = json.loads(raw)
                if len(self._parsed) >= 1000:
                    self._parsed.clear()
                self._parsed[key] = (raw, entry)
            if entry["until"] is not None and entry["until"] <= time.time():
                return None
            tags: dict[str, float] = entry["tags"]
            if tags and backend.generations(list(tags)) != list(tags.values()):
                return None
        except Exception:
            log.exception("output cache: reading an entry failed; the content is rendered")
            return None
        return entry

    def store(
        self,
        key: str,
        entry: dict[str, Any],
        tags: Iterable[str],
        started: float,
        ttl: float | None = None,
        until: float | None = None,
    ) -> bool:
        """Keep `entry`, unless one of its tags was purged after `started` (the render began).

        A change committed while the content was being rendered may not be in its HTML;
        such an entry is not kept.
        """
        backend = self.backend
        if backend is None:
            return False
        names = sorted(set(tags))
        lifetime = self.ttl if ttl is None else ttl
        now = time.time()
        if until is not None:
            if until <= now:
                return False
            lifetime = min(lifetime, until - now)
        try:
            generations = backend.generations(names)
            if any(generation >= started for generation in generations):
                return False
            entry = {**entry, "tags": dict(zip(names, generations, strict=True)), "until": until}
            backend.set(key, json.dumps(entry).encode(), lifetime)
        except Exception:
            log.exception("output cache: storing an entry failed; the page is still answered")
            return False
        return True

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
