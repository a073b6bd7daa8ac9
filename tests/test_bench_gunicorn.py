"""bench/bench_gunicorn.py: the worker's CPU time from /proc, and a tiny run of the whole bench."""

from __future__ import annotations

import importlib
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_gunicorn")


def test_the_cpu_time_of_a_process_grows_with_its_work(bench: ModuleType) -> None:
    before = bench.cpu_of(os.getpid())
    started = time.process_time()
    while time.process_time() - started < 0.05:
        pass
    used = bench.cpu_of(os.getpid()) - before
    assert 0.04e9 < used.ns < 5e9  # nanoseconds by the scheduler
    assert used.ticks >= 0  # utime + stime: 10 ms steps
    assert (used + used).ns == 2 * used.ns


def test_the_workers_of_a_master_are_its_children(bench: ModuleType) -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in bench.children_of(os.getpid())
    finally:
        child.kill()
        child.wait()
    busy, total = bench.machine_busy()
    assert 0 <= busy <= total


@pytest.mark.slow
def test_a_tiny_run_measures_every_page_and_both_worker_counts() -> None:
    if importlib.util.find_spec("gunicorn") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("gunicorn is missing (CI=true): pip install -e '.[test]' installs it")
        pytest.skip("gunicorn is missing: pip install 'jetpy[serve]'")
    command = [sys.executable, str(BENCH / "bench_gunicorn.py"), "--rounds", "1"]
    done = subprocess.run(
        [*command, "--requests", "3", "--seconds", "0.3", "--threads", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "cached and uncached answer the same HTML" in out
    for page in ("article", "homepage", "product"):
        line = next(line for line in out.splitlines() if line.startswith(f"{page} "))
        uncached, cached = (float(value.replace(",", "")) for value in line.split()[1:3])
        assert uncached > cached > 0, line
    for server in ("1 worker, cache none", "2 workers, cache memory"):
        assert server in out
    assert "cache memory: 2 workers / 1 worker = " in out
