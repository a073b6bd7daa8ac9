"""Output cache of page contents (memory, files, Redis) with tags; see README "Caching"."""

from jetpy.cache.backends import CacheBackend, FileBackend, Mark, MemoryBackend, RedisBackend
from jetpy.cache.output import BACKENDS, OutputCache, event_tags

__all__ = [
    "BACKENDS",
    "CacheBackend",
    "FileBackend",
    "Mark",
    "MemoryBackend",
    "OutputCache",
    "RedisBackend",
    "event_tags",
]
