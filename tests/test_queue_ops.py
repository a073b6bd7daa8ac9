"""Queues in operation, on both brokers: batches, `--concurrency`, `jetpy queues`, a dropped
broker connection.

The fixtures and helpers are tests/test_queue.py's (Redis 127.0.0.1:6379 and RabbitMQ
127.0.0.1:5672; a test skips, saying how to start the server, when it is down; CI=true: fails).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from jetpy import Application
from jetpy.cli.main import main
from jetpy.queue.brokers import Delivery
from jetpy.queue.worker import handle_batch, queues_of
from tests import test_queue
from tests.conftest import REDIS_URL
from tests.test_queue import (
    JOBS_LISTENERS,
    MAIN,
    PYTHON,
    RABBIT_URL,
    Jobs,
    _children,
    _wait,
    drain,
    job_class,
)

broker, jobs = test_queue.broker, test_queue.jobs  # the fixtures: each test on both brokers


def _take(app: Application, queue: str, count: int) -> list[Delivery]:
    """`count` messages of `queue`, received in this process (not acknowledged yet)."""
    found: list[Delivery] = []
    deadline = time.monotonic() + 30
    while len(found) < count and time.monotonic() < deadline:
        found += app.outbox.broker.receive_many(queue, "test", 0.5, count - len(found))
    assert len(found) == count
    return found


# batches ----------------------------------------------------------------------------------
def test_a_failing_handler_in_a_batch_is_rolled_back_alone(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    for n, fail in ((1, 0), (2, 99), (3, 0)):
        app.events.emit(Job(n, fail=fail))
    outcomes = handle_batch(app, jobs.queue, _take(app, jobs.queue, 3))
    assert outcomes == ["handled", "retry", "handled"]
    assert jobs.done() == [1, 3]  # one commit for both; job 2's savepoint rolled back
    broker = app.outbox.broker
    drain(app, jobs.queue, lambda: broker.stats(jobs.queue).failed == 1)
    assert jobs.done() == [1, 3]
    assert broker.stats(jobs.queue).depth == 0


def test_sigterm_in_a_batch_finishes_the_message_in_hand_and_gives_back_the_rest(
    jobs: Jobs,
) -> None:
    app = jobs.make_app()
    Job = job_class()
    for n in range(4):
        app.events.emit(Job(n))
    asked = iter([False, True, True])  # SIGTERM arrives while the second one runs
    outcomes = handle_batch(app, jobs.queue, _take(app, jobs.queue, 4), lambda: next(asked))
    assert outcomes == ["handled", "handled"]
    assert jobs.done() == [0, 1]
    broker = app.outbox.broker  # back in the queue (RabbitMQ counts them a moment later)
    _wait(lambda: broker.stats(jobs.queue).depth == 2, 10, "the rest back in the queue")
    assert broker.stats(jobs.queue).in_flight in (0, None)
    drain(app, jobs.queue, lambda: len(jobs.done()) == 4)
    assert jobs.done() == [0, 1, 2, 3]


def test_a_database_that_cannot_be_reached_gives_the_batch_back(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    for n in (1, 2):
        app.events.emit(Job(n))
    taken = _take(app, jobs.queue, 2)
    not_a_folder = jobs.root / "application/config.yaml"
    app.db.dispose()
    app.db.url = f"sqlite:///{not_a_folder}/site.sqlite3"  # cannot be opened
    with pytest.raises(OSError):
        handle_batch(app, jobs.queue, taken)
    broker = app.outbox.broker  # back in the queue (RabbitMQ counts them a moment later)
    _wait(lambda: broker.stats(jobs.queue).depth == 2, 10, "the batch back in the queue")
    assert broker.stats(jobs.queue).failed == 0  # not tried, not lost
    app.db.dispose()
    app.db.url = jobs.engine.url.render_as_string(hide_password=False)  # the database is back
    drain(app, jobs.queue, lambda: jobs.done() == [1, 2], seconds=20)
    assert jobs.done() == [1, 2]


def test_an_error_that_says_retry_false_is_dead_lettered_at_once(jobs: Jobs) -> None:
    listeners = jobs.root / "application/modules/jobs/worker/listeners.py"
    listeners.write_text(
        JOBS_LISTENERS
        + """

class Refused(Exception):
    retry = False  # as jetpy.mail's permanent SMTP refusals (5xx)


def on_job(app, event):
    if event.fail:
        raise Refused("550 no such mailbox")
    session = app.db.request_session
    session.execute(insert(DONE).values(n=event.n, by=str(os.getpid())))
"""
    )
    app = jobs.make_app()
    Job = job_class()
    app.events.emit(Job(1, fail=1))
    app.events.emit(Job(2))
    assert handle_batch(app, jobs.queue, _take(app, jobs.queue, 2)) == ["dead", "handled"]
    assert app.outbox.broker.stats(jobs.queue).failed == 1  # first attempt, not max_attempts
    assert jobs.done() == [2]


def test_a_handler_that_commits_itself_sends_its_batch_one_by_one(jobs: Jobs) -> None:
    listeners = jobs.root / "application/modules/jobs/worker/listeners.py"
    listeners.write_text(
        JOBS_LISTENERS
        + """

def on_job(app, event):
    session = app.db.request_session
    session.execute(insert(DONE).values(n=event.n, by=str(os.getpid())))
    if event.n == 2:
        session.commit()  # not the framework's way, but it must not lose or repeat work
"""
    )
    app = jobs.make_app()
    Job = job_class()
    for n in (1, 2, 3):
        app.events.emit(Job(n))
    # jobs 1 and 2 were committed by job 2's handler, with their jetpy_handled rows: run
    # again one by one, they are only acknowledged; job 3 goes back to the queue
    assert handle_batch(app, jobs.queue, _take(app, jobs.queue, 3)) == ["duplicate"] * 2
    assert jobs.done() == [1, 2]
    drain(app, jobs.queue, lambda: len(jobs.done()) == 3, seconds=10)
    assert jobs.done() == [1, 2, 3]
    assert app.outbox.broker.stats(jobs.queue).depth == 0


# jetpy worker --concurrency, declared queues ------------------------------------------------
def test_concurrency_two_shares_one_queue_and_handles_each_message_once(jobs: Jobs) -> None:
    command = [PYTHON, "-c", MAIN, "worker", "-p", str(jobs.root)]
    command += ["--queue", jobs.queue, "--concurrency", "2"]
    log = jobs.root / "worker.log"
    with log.open("wb") as errors:
        environment = {**os.environ, "JOB_SLOW": "0.01"}
        master = subprocess.Popen(
            command, env=environment, stdout=subprocess.DEVNULL, stderr=errors
        )
    app = jobs.make_app()
    Job = job_class()
    started = f": queue {jobs.queue}"  # each worker's first line, before it waits on the queue
    try:
        _wait(lambda: log.read_text().count(started) == 2, 90, "two workers on the queue")
        assert len(_children(master.pid)) == 2
        for n in range(300):
            app.events.emit(Job(n))
        _wait(lambda: len(jobs.done()) >= 300, 180, "300 jobs")
        time.sleep(1.0)  # anything handled twice would show now
        with jobs.engine.connect() as connection:
            by = connection.exec_driver_sql("SELECT DISTINCT by FROM job_done").all()
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            assert master.wait(timeout=60) == 0
        finally:
            if master.poll() is None:
                master.kill()
                master.wait()
    assert jobs.done() == list(range(300))
    assert len(by) == 2  # both processes took their share
    assert app.outbox.broker.stats(jobs.queue).depth == 0


def test_declared_mode_runs_the_declared_queues(jobs: Jobs) -> None:
    config = jobs.root / "application/config.yaml"
    config.write_text(
        config.read_text().replace("}\n", f", mode: declared, declared: [{jobs.queue}]}}\n")
    )
    app = jobs.make_app()
    assert app.config.queue_mode == "declared" and queues_of(app) == [jobs.queue]
    app.events.emit(job_class()(5))
    drain(app, jobs.queue, lambda: jobs.done() == [5], seconds=20)
    assert jobs.done() == [5]


# jetpy queues -----------------------------------------------------------------------------
def test_jetpy_queues_lists_retries_and_purges_dead_letters(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    broker = app.outbox.broker
    app.events.emit(Job(1, fail=99))
    drain(app, jobs.queue, lambda: broker.stats(jobs.queue).failed == 1)
    app.events.emit(Job(2))  # waits in the queue
    app.outbox.publish = lambda rows: 0  # type: ignore[method-assign]  # left in the outbox
    assert Client(app).get("/emit/?n=3").status_code == 200
    broker.close()  # RabbitMQ: what this process's consumer was sent ahead goes back
    runner, project = CliRunner(), ["--project", str(jobs.root)]

    listed = runner.invoke(main, ["queues", *project])
    assert listed.exit_code == 0, listed.output
    head, line = listed.output.splitlines()[:2]
    assert head.split() == ["queue", "waiting", "in", "flight", "failed"]
    in_flight = "0" if jobs.broker == "redis" else "-"  # RabbitMQ does not say
    assert line.split() == [jobs.queue, "1", in_flight, "1"]
    assert "outbox: 1 message(s) not published yet" in listed.output

    retried = runner.invoke(main, ["queues", *project, "retry", jobs.queue])
    assert retried.exit_code == 0 and f"1 message(s) back in {jobs.queue}" in retried.output
    assert (broker.stats(jobs.queue).depth, broker.stats(jobs.queue).failed) == (2, 0)
    drain(app, jobs.queue, lambda: broker.stats(jobs.queue).failed == 1 and jobs.done() == [2])

    purged = runner.invoke(main, ["queues", *project, "purge", jobs.queue])
    assert purged.exit_code == 0 and "1 failed message(s)" in purged.output
    assert broker.stats(jobs.queue).failed == 0

    unknown = runner.invoke(main, ["queues", *project, "retry", "nosuch"])
    assert unknown.exit_code == 2
    assert "no activated module listens on `nosuch`" in unknown.output
    assert jobs.queue in unknown.output  # the queues there are


def test_jetpy_worker_refuses_a_queue_no_module_listens_on(jobs: Jobs) -> None:
    result = CliRunner().invoke(main, ["worker", "-p", str(jobs.root), "--queue", "nosuch"])
    assert result.exit_code == 2
    assert "no activated module listens on nosuch" in result.output
    assert jobs.queue in result.output


# a broker connection that drops -------------------------------------------------------------
class Proxy:
    """A TCP proxy to `target` on a port of its own; `stop()` drops every connection."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port, self.listener = listener.getsockname()[1], listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # stopped
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for each in (source, sink):
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):  # wakes the accept() blocked on it
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for each in sockets:
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)
            each.close()


def test_a_dropped_broker_connection_loses_nothing_and_the_worker_reconnects(
    jobs: Jobs,
) -> None:
    """Events emitted by requests while the broker's connection is down wait in the outbox;
    the master relays them once it is back, and its worker, which lost its connection in the
    middle of the run, reconnects by itself: every event handled once."""
    real = urlsplit(REDIS_URL if jobs.broker == "redis" else RABBIT_URL)
    proxy = Proxy((real.hostname or "127.0.0.1", real.port or 0))
    proxy.start()
    proxied = urlunsplit(real._replace(netloc=f"{real.netloc.rsplit(':', 1)[0]}:{proxy.port}"))
    config = jobs.root / "application/config.yaml"
    url = REDIS_URL if jobs.broker == "redis" else RABBIT_URL
    config.write_text(config.read_text().replace(url, proxied))
    app = jobs.make_app()
    client = Client(app)
    command = [PYTHON, "-c", MAIN, "worker", "-p", str(jobs.root)]
    log = jobs.root / "worker.log"
    with log.open("wb") as errors:
        master = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        for n in range(20):
            assert client.get(f"/emit/?n={n}").status_code == 200
        _wait(lambda: len(jobs.done()) == 20, 90, "the first 20 events")
        proxy.stop()  # the broker is gone for everybody: worker, master, web
        for n in range(20, 40):
            assert client.get(f"/emit/?n={n}").status_code == 200  # the site keeps answering
        assert app.outbox.unsent() == 20
        time.sleep(3.0)  # the worker notices, and keeps trying
        proxy.start()  # the same port: back
        for n in range(40, 50):
            assert client.get(f"/emit/?n={n}").status_code == 200
        _wait(lambda: len(jobs.done()) >= 50, 90, "all 50 events after the broker came back")
        time.sleep(1.0)  # anything handled twice would show now
        assert app.outbox.unsent() == 0
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=60)
        finally:
            if master.poll() is None:
                master.kill()
                master.wait()
        proxy.stop()
    assert jobs.done() == list(range(50))
    assert "broker unreachable" in log.read_text()  # the worker saw it go, and came back
