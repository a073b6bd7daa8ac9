"""Queued events through Redis and RabbitMQ: worker throughput and end-to-end latency.

A throwaway project in a temporary folder has one queued listener that writes a row (the
event's number, when it was emitted, when it was handled) through `app.db.request_session`,
in the worker's transaction with its `jetpy_handled` row, as every queued listener does.
Each broker and number of workers gets two runs, with real worker processes
(`jetpy worker --run-queue`):

- **backlog**: `--events` events are emitted as requests emit them (transactions of 100,
  written to the outbox, published after commit) before the workers start; events/s is how
  fast the workers empty the queue (first to last handled row), so the emitter's speed does
  not count. Latency here is mostly time spent waiting in the queue.
- **paced**: with the workers running, `--paced` events are emitted one per transaction (as
  one request emits one) at `--rate` per second, below what the workers can do: latency from
  `emit()` to the handler running is what one event takes when the queue is not backed up.

    python bench/bench_queue.py    # 10,000 + 1,000 paced at 25/s; both brokers; 1, 2 workers
    python bench/bench_queue.py --events 1000 --paced 200 --brokers redis --workers 1

The database is PostgreSQL ($JETPY_BENCH_DATABASE_URL, default a database `jetpy_bench_queue`
on 127.0.0.1, made and dropped by the script) or, with `--sqlite`, a SQLite file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import sqlalchemy

MAIN = "from jetpy.cli.main import main; main()"
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
URLS = {
    "redis": "redis://127.0.0.1:6379/14",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672/%2F",
}

FILES = {
    "application/__init__.py": "",
    "application/classes/__init__.py": "",
    "application/classes/ticks.py": """
        from dataclasses import dataclass
        from typing import ClassVar

        from jetpy import Event


        @dataclass(frozen=True)
        class Tick(Event):
            event_name: ClassVar[str] = "bench.tick"

            n: int
            at: float
        """,
    "application/modules/bench/ticks/manifest.yaml": """
        label: Ticks
        service: true
        listens:
          bench.tick: {handler: on_tick, queue: QUEUE}
        """,
    "application/modules/bench/ticks/listeners.py": """
        import time

        from sqlalchemy import text


        def on_tick(app, event):
            app.db.request_session.execute(
                text("INSERT INTO ticks (n, emitted, handled) VALUES (:n, :at, :now)"),
                {"n": event.n, "at": event.at, "now": time.time()},
            )
        """,
    "application/data/modules.yaml": "bench.ticks: activated\n",
    "application/bases/web/base.yaml": "name: Web\ndefault: true\nlocales: {en_US: {urls: [/]}}\n",
    "application/bases/web/layouts/default.html": "{{ position('main') }}",
    "application/bases/web/pages/en_US/page.yaml": "title: Home\n",
}


def make_project(folder: Path, broker: str, queue: str) -> Path:
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip().replace("QUEUE", queue))
    (folder / "application/config.yaml").write_text(
        f"map_cache: false\ndebug: true\nqueue: {{broker: {broker}, url: '{URLS[broker]}'}}\n"
    )
    return folder


def run(
    broker: str, workers: int, events: int, paced: int, rate: float, database: str, folder: Path
) -> dict[str, float]:
    from jetpy import Application

    queue = f"bench{uuid.uuid4().hex[:8]}"
    root = make_project(folder / queue, broker, queue)
    os.environ["JETPY_DATABASE_URL"] = database
    engine = sqlalchemy.create_engine(database)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS ticks")
        connection.exec_driver_sql("CREATE TABLE ticks (n INTEGER, emitted FLOAT, handled FLOAT)")
    app = Application(root, use_cache=False)
    app.outbox.ready()
    tick = importlib.import_module("application.classes.ticks").Tick
    command = [sys.executable, "-c", MAIN, "worker", "-p", str(root), "--run-queue", queue]
    processes: list[subprocess.Popen[bytes]] = []

    def emit(first: int, count: int) -> None:
        token, written = app.db.open_request(), app.outbox.collect()
        for n in range(first, first + count):
            app.events.emit(tick(n, time.time()))
        app.db.commit_request()
        app.db.close_request(token)
        app.outbox.flush(written)

    def wait_for(total: int, since: float) -> None:
        with engine.connect() as connection:
            while connection.exec_driver_sql("SELECT count(*) FROM ticks").scalar() < total:
                if time.perf_counter() - since > 900:
                    raise SystemExit(f"the workers did not handle {total} events within 900 s")
                time.sleep(0.05)
                connection.rollback()

    def figures(query: str) -> tuple[list[float], list[float]]:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(query).all()
        return sorted(row[1] - row[0] for row in rows), sorted(row[1] for row in rows)

    try:
        start = time.perf_counter()
        for first in range(0, events, 100):  # the backlog, before any worker runs
            emit(first, min(100, events - first))
        emitted = time.perf_counter() - start
        processes = [subprocess.Popen(command, cwd=root) for _ in range(workers)]
        wait_for(events, time.perf_counter())
        backlog, handled = figures("SELECT emitted, handled FROM ticks")
        start = time.perf_counter()
        for n in range(events, events + paced):  # one event per transaction, at `rate`
            time.sleep(max(0.0, start + (n - events) / rate - time.perf_counter()))
            emit(n, 1)
        paced_seconds = time.perf_counter() - start
        wait_for(events + paced, time.perf_counter())
        latencies, _ = figures(f"SELECT emitted, handled FROM ticks WHERE n >= {events}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        drop(broker, queue)
        app.outbox.broker.close()
        app.db.dispose()
        engine.dispose()
    waited = statistics.quantiles(backlog, n=100)
    quick = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "rate": (events - 1) / (handled[-1] - handled[0]),
        "emit": events / emitted,
        "p50": waited[49] * 1000,
        "p99": waited[98] * 1000,
        "paced": paced / paced_seconds,
        "paced_p50": quick[49] * 1000,
        "paced_p99": quick[98] * 1000,
    }


def drop(broker: str, queue: str) -> None:
    if broker == "redis":
        import redis

        with redis.Redis.from_url(URLS["redis"]) as client:
            key = f"jetpy:queue:{queue}"
            client.delete(key, f"{key}:delayed", f"{key}:dead")
        return
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(URLS["rabbitmq"]))
    channel = connection.channel()
    for name in (f"jetpy.{queue}", f"jetpy.{queue}.dead"):
        channel.queue_delete(name)
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="the backlog run's events")
    parser.add_argument("--paced", type=int, default=1_000, help="the paced run's events")
    parser.add_argument("--rate", type=float, default=25.0, help="the paced run's events/s")
    parser.add_argument("--brokers", nargs="+", default=["redis", "rabbitmq"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jetpy-bench-queue-") as temporary:
        folder = Path(temporary)
        made = None
        if options.sqlite:
            database = f"sqlite:///{folder / 'bench.sqlite3'}"
        else:
            database = os.environ.get("JETPY_BENCH_DATABASE_URL", "")
            if not database:
                made = f"{SERVER}/jetpy_bench_queue"
                server = sqlalchemy.create_engine(
                    f"{SERVER}/postgres", isolation_level="AUTOCOMMIT"
                )
                with server.connect() as connection:
                    connection.exec_driver_sql("DROP DATABASE IF EXISTS jetpy_bench_queue")
                    connection.exec_driver_sql("CREATE DATABASE jetpy_bench_queue")
                database = made
        try:
            backend = sqlalchemy.make_url(database).get_backend_name()
            print(
                f"backlog {options.events} events; paced {options.paced} events at"
                f" {options.rate:g}/s; database {backend}; load {os.getloadavg()[0]:.1f}"
            )
            heads = ("events/s", "emit/s", "p50 ms", "p99 ms", "paced/s", "p50 ms", "p99 ms")
            print(f"{'broker':<9} {'workers':>7} " + " ".join(f"{h:>9}" for h in heads))
            for broker in options.brokers:
                for workers in options.workers:
                    found = run(
                        broker,
                        workers,
                        options.events,
                        options.paced,
                        options.rate,
                        database,
                        folder,
                    )
                    keys = ("rate", "emit", "p50", "p99", "paced", "paced_p50", "paced_p99")
                    print(
                        f"{broker:<9} {workers:>7} " + " ".join(f"{found[k]:>9.1f}" for k in keys),
                        f"(load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
        finally:
            if made is not None:
                with server.connect() as connection:
                    connection.exec_driver_sql(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = 'jetpy_bench_queue' AND pid <> pg_backend_pid()"
                    )
                    connection.exec_driver_sql("DROP DATABASE IF EXISTS jetpy_bench_queue")
                server.dispose()


if __name__ == "__main__":
    main()
