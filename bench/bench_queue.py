"""Queued events through Redis and RabbitMQ: throughput and end-to-end latency.

A throwaway project in a temporary folder has one queued listener that writes a row (the
event's number and its latency: commit time minus emit time) in its own transaction, as
jetpy's workers do (with the `jetpy_handled` row). Events are emitted as web requests emit
them: in transactions of 100 events, written in the outbox, published after commit. The
workers (`jetpy worker --run-queue`, real processes) are started first; the clock runs from
the first emit to the last row.

    python bench/bench_queue.py    # 10,000 events; Redis, RabbitMQ; 1 and 2 workers
    python bench/bench_queue.py --events 1000 --brokers redis --workers 1

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
                text("INSERT INTO ticks (n, latency) VALUES (:n, :latency)"),
                {"n": event.n, "latency": time.time() - event.at},
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


def run(broker: str, workers: int, events: int, database: str, folder: Path) -> dict[str, float]:
    from jetpy import Application

    queue = f"bench{uuid.uuid4().hex[:8]}"
    root = make_project(folder / queue, broker, queue)
    os.environ["JETPY_DATABASE_URL"] = database
    engine = sqlalchemy.create_engine(database)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS ticks")
        connection.exec_driver_sql("CREATE TABLE ticks (n INTEGER, latency FLOAT)")
    app = Application(root, use_cache=False)
    app.outbox.ready()
    tick = importlib.import_module("application.classes.ticks").Tick
    command = [sys.executable, "-c", MAIN, "worker", "-p", str(root), "--run-queue", queue]
    processes = [subprocess.Popen(command, cwd=root) for _ in range(workers)]
    try:
        time.sleep(3.0)  # the workers load the project and wait on the queue
        start = time.perf_counter()
        for first in range(0, events, 100):
            token, written = app.db.open_request(), app.outbox.collect()
            for n in range(first, min(first + 100, events)):
                app.events.emit(tick(n, time.time()))
            app.db.commit_request()
            app.db.close_request(token)
            app.outbox.flush(written)
        emitted = time.perf_counter() - start
        with engine.connect() as connection:
            while connection.exec_driver_sql("SELECT count(*) FROM ticks").scalar() < events:
                if time.perf_counter() - start > 600:
                    raise SystemExit("the workers did not handle every event within 600 s")
                time.sleep(0.05)
                connection.rollback()
            elapsed = time.perf_counter() - start
            latencies = sorted(
                row[0] for row in connection.exec_driver_sql("SELECT latency FROM ticks")
            )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
        drop(broker, queue)
        app.outbox.broker.close()
        app.db.dispose()
        engine.dispose()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "rate": events / elapsed,
        "emit": events / emitted,
        "p50": quantiles[49] * 1000,
        "p99": quantiles[98] * 1000,
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
    parser.add_argument("--events", type=int, default=10_000)
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
            print(f"{options.events} events; database {backend}")
            heads = ("events/s", "emit/s", "p50 ms", "p99 ms")
            print(f"{'broker':<9} {'workers':>7} " + " ".join(f"{h:>9}" for h in heads))
            for broker in options.brokers:
                for workers in options.workers:
                    figures = run(broker, workers, options.events, database, folder)
                    print(
                        f"{broker:<9} {workers:>7} {figures['rate']:>9.0f} {figures['emit']:>9.0f}"
                        f" {figures['p50']:>9.1f} {figures['p99']:>9.1f}",
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
