"""bench/bench_cache.py: a short run times a hit of every backend and leaves no keys behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import redis

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench_cache.py"


def test_a_quick_run_reports_every_backend(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        before = set(client.scan_iter(match="jetpy:bench-cache:*"))
        done = subprocess.run(
            [sys.executable, str(BENCH), "--quick", "--redis-url", redis_url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        table = done.stdout.split("CPU µs per hit")[1]
        for name in ("memory", "files", "redis", "redis, 2 round trips"):
            assert f"\n{name} " in table
        assert set(client.scan_iter(match="jetpy:bench-cache:*")) == before
