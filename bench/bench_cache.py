"""CPU time of one output cache hit per backend, and of a Redis hit made of two round trips.

Run from the repository root (a Redis server for the Redis figures):

    python bench/bench_cache.py                       # 10 rounds of 2,000 hits each
    python bench/bench_cache.py --quick               # a smoke run
    python bench/bench_cache.py --redis-url redis://127.0.0.1:6379/8
    python bench/bench_cache.py --pause 1 --hits 500  # 1 ms between hits, as between requests

One entry the size of a cached page (an HTML body of ~4.4 KB, its headers, 6 tags) is stored
in each backend, then `OutputCache.lookup()` of it is timed: `memory`, `files` (a temporary
folder) and `redis` (one script call: the entry and its tags' generations read and compared in
Redis). `redis, 2 round trips` is what a hit cost before: a `GET` of the entry and an `HMGET`
of its tags' generations, compared in Python (the bytes compared with those already parsed, so
no JSON either). Rounds interleave the candidates; the median of the rounds' CPU time of this
process per hit is reported (the Redis server's CPU is not counted: it is what a worker pays).

Back to back, Redis never sleeps between two calls; a worker's hits come a request apart, and
then a round trip also pays for waking Redis up (on a virtual machine, dearly). `--pause`
sleeps that many milliseconds between hits (not counted: the time is CPU time).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from jetpy.cache import FileBackend, MemoryBackend, OutputCache, RedisBackend

TAGS = ["definitions", "module:content.articles.browser", "article:8", "mediaitem", "a", "b"]


def page_entry() -> dict[str, object]:
    body = "<!doctype html><html><body>" + "<p>Lorem ipsum dolor sit amet.</p>" * 130
    headers = [["Content-Type", "text/html; charset=utf-8"], ["ETag", '"0123456789abcdef"']]
    return {"body": body, "headers": headers, "etag": "0123456789abcdef"}


def stored(cache: OutputCache) -> Callable[[], object]:
    """A hit on an entry kept in `cache`."""
    cache.purge(["a"])
    assert cache.lookup("page") is None
    assert cache.store("page", page_entry(), TAGS)
    assert cache.lookup("page") is not None
    return lambda: cache.lookup("page")


def two_round_trips(backend: RedisBackend) -> Callable[[], object]:
    """A hit as it was: GET the entry, HMGET its tags' generations, compare in Python."""
    client = backend.client
    key = backend.prefix + "two:entry"
    client.set(key, b"x" * 4400)
    client.hset(backend.tags_key, mapping={tag: "1.5" for tag in TAGS})
    known = client.get(key)
    seen = [b"1.5"] * len(TAGS)

    def hit() -> object:
        raw = client.get(key)
        if raw != known or client.hmget(backend.tags_key, TAGS) != seen:
            raise AssertionError("the entry changed")
        return raw

    return hit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--hits", type=int, default=2000, help="per round and candidate")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--pause", type=float, default=0.0, help="ms of sleep between hits")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 300 hits")
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.hits = 3, 300
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, load average {os.getloadavg()[0]:.2f}"
    )
    pause = options.pause / 1000
    prefix = f"jetpy:bench-cache:{uuid.uuid4().hex}:"
    redis = RedisBackend(options.redis_url, prefix)
    with tempfile.TemporaryDirectory(prefix="jetpy-bench-cache-") as folder:
        candidates = {
            "memory": stored(OutputCache(MemoryBackend())),
            "files": stored(OutputCache(FileBackend(Path(folder)))),
            "redis": stored(OutputCache(redis)),
            "redis, 2 round trips": two_round_trips(redis),
        }
        try:
            times: dict[str, list[float]] = {name: [] for name in candidates}
            for number in range(options.rounds):
                order = list(candidates) if number % 2 == 0 else list(reversed(candidates))
                for name in order:
                    hit = candidates[name]
                    started = time.process_time()
                    for _ in range(options.hits):
                        hit()
                        if pause:
                            time.sleep(pause)
                    times[name].append((time.process_time() - started) / options.hits * 1e6)
                print(
                    f"round {number + 1:2}/{options.rounds}: "
                    + "  ".join(f"{name} {times[name][-1]:,.0f}" for name in candidates)
                    + " µs"
                )
        finally:
            redis.clear()
    print(f"\n{'backend':<22} {'CPU µs per hit':>15} {'best round':>11}")
    for name, found in times.items():
        print(f"{name:<22} {statistics.median(found):>15,.1f} {min(found):>11,.1f}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
