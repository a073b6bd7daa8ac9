"""Queued listeners on the real brokers: outbox, relay, workers, retries, dead letters, SIGKILL.

Redis 127.0.0.1:6379 and RabbitMQ 127.0.0.1:5672 (guest/guest): a test skips, saying how to
start the server, when it is down (CI=true: fails). Each test uses queues of its own names.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy
from werkzeug.test import Client

from jetpy import Application, DefinitionError, Event
from jetpy.definitions.generation import bump
from jetpy.modules.eventcodec import decode, encode, field_problems, rebuild
from jetpy.queue.worker import handle, queues_of, run_worker
from tests.conftest import HELLO_CONTROLLERS, REDIS_URL, ProjectFactory

RABBIT_URL = os.environ.get("JETPY_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
RABBIT_START = "rabbitmq-server -detached && rabbitmqctl await_startup"
PYTHON = sys.executable
MAIN = "from jetpy.cli.main import main; main()"

JOBS_CLASSES = """
from dataclasses import dataclass
from typing import ClassVar

from sqlalchemy import Column, Integer, MetaData, String, Table

from jetpy import Event

DONE = Table("job_done", MetaData(), Column("n", Integer, nullable=False),
             Column("by", String(40), nullable=False))


@dataclass(frozen=True)
class Job(Event):
    event_name: ClassVar[str] = "test.job"

    n: int
    fail: int = 0  # fail this many times (counted in job_tries)
"""

JOBS_LISTENERS = """
import os
import time

from sqlalchemy import func, insert, select

from application.classes.jobs import DONE


def on_job(app, event):
    session = app.db.request_session
    if event.fail:
        tries = os.environ.get("JOB_TRIES_FILE")
        with open(tries, "a") as file:
            file.write(f"{event.n}\\n")
        with open(tries) as file:
            if sum(1 for line in file if line.strip() == str(event.n)) <= event.fail:
                raise RuntimeError(f"job {event.n} fails on purpose")
    session.execute(insert(DONE).values(n=event.n, by=str(os.getpid())))
    if os.environ.get("JOB_SLOW"):
        time.sleep(float(os.environ["JOB_SLOW"]))
"""

EMITTER = (
    HELLO_CONTROLLERS
    + """
from application.classes.jobs import Job


class Emit(Controller):
    def default_action(self):
        n = int(self.request.args.get("n", "1"))
        self.app.events.emit(Job(n))
        if self.request.args.get("fail"):
            raise RuntimeError("the request fails after emitting")
        self.render("hello.html", name=str(n))
"""
)


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true: the queue tests must run)")
    pytest.skip(reason)


def _rabbit_reachable() -> None:
    try:
        import pika

        pika.BlockingConnection(pika.URLParameters(RABBIT_URL)).close()
    except Exception as error:
        _fail_or_skip(
            f"RabbitMQ is not reachable at {RABBIT_URL} ({error}); start it: {RABBIT_START}"
        )


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request: pytest.FixtureRequest, redis_url: str) -> str:
    """Each test on both brokers."""
    if request.param == "rabbitmq":
        _rabbit_reachable()
    return str(request.param)


@dataclass
class Jobs:
    root: Path
    queue: str
    broker: str
    make_app: Callable[[], Application]
    engine: sqlalchemy.Engine  # one connection pool for all the looks at the handled jobs

    def done(self) -> list[int]:
        with self.engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT n FROM job_done ORDER BY n").all()
        return [row[0] for row in rows]


def jobs_files(queue: str, broker: str, extra: str = "") -> dict[str, str | None]:
    url = REDIS_URL if broker == "redis" else RABBIT_URL
    return {
        "application/config.yaml": (
            f"queue: {{broker: {broker}, url: '{url}', retry_delay: 0.1, max_attempts: 3,"
            f" visibility_timeout: 2{extra}}}\n"
        ),
        "application/classes/__init__.py": "",
        "application/classes/jobs.py": JOBS_CLASSES,
        "application/modules/jobs/worker/manifest.yaml": (
            f"label: Jobs\nservice: true\nlistens:\n  test.job: {{handler: on_job, queue: {queue}}}\n"
        ),
        "application/modules/jobs/worker/listeners.py": JOBS_LISTENERS,
        "application/modules/test/hello/controllers.py": EMITTER,
        "application/bases/web/pages/en_US/emit/page.yaml": (
            "title: Emit\ncontents:\n  - module: test.hello\n    controller: Emit\n"
        ),
        "application/data/modules.yaml": "test.hello: activated\njobs.worker: activated\n",
    }


def _drop_queue(broker: str, queue: str) -> None:
    if broker == "redis":
        import redis

        with redis.Redis.from_url(REDIS_URL) as client:
            key = f"jetpy:queue:{queue}"
            client.delete(key, f"{key}:delayed", f"{key}:dead")
        return
    import pika

    connection = pika.BlockingConnection(pika.URLParameters(RABBIT_URL))
    channel = connection.channel()
    for name in (f"jetpy.{queue}", f"jetpy.{queue}.dead"):
        channel.queue_delete(name)
    connection.close()


@pytest.fixture
def jobs(
    make_project: ProjectFactory,
    db_url: str,
    broker: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Jobs]:
    queue = f"t{uuid.uuid4().hex[:10]}"
    root = make_project(jobs_files(queue, broker))
    monkeypatch.setenv("JOB_TRIES_FILE", str(tmp_path / "tries.txt"))
    apps: list[Application] = []

    def make_app() -> Application:
        app = Application(root, use_cache=False)
        apps.append(app)
        return app

    engine = sqlalchemy.create_engine(db_url, poolclass=sqlalchemy.pool.NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE job_done (n INTEGER NOT NULL, by VARCHAR(40))")
    yield Jobs(root, queue, broker, make_app, engine)
    engine.dispose()
    for app in apps:
        app.outbox.broker.close()
        app.db.dispose()
    _drop_queue(broker, queue)


def job_class() -> type[Event]:
    """The project's Job event (imported once an Application put the project on the path)."""
    import importlib

    job: type[Event] = importlib.import_module("application.classes.jobs").Job
    return job


def drain(app: Application, queue: str, until: Callable[[], bool], seconds: float = 30) -> None:
    """Handle messages in this process until `until()` or the time is up."""
    deadline = time.monotonic() + seconds
    broker = app.outbox.broker
    while not until() and time.monotonic() < deadline:
        delivery = broker.receive(queue, "test", 0.2)
        if delivery is not None:
            handle(app, queue, delivery)


# manifests and messages -----------------------------------------------------------------
@dataclass(frozen=True)
class Rich(Event):
    event_name: ClassVar[str] = "test.rich"
    event_version: ClassVar[int] = 2

    price: Decimal
    at: datetime
    day: date
    tags: list[str]
    sizes: dict[str, float]
    note: str | None = None


@dataclass(frozen=True)
class Opaque(Event):
    event_name: ClassVar[str] = "test.opaque"

    owner: object
    client: Client


def test_an_event_travels_as_json_and_comes_back_with_its_types() -> None:
    event = Rich(
        Decimal("12.30"),
        datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
        date(2026, 1, 2),
        ["a", "b"],
        {"x": 1.5},
    )
    message = decode(encode(event, "e1", "jobs.worker:on_rich"))
    assert (message["event"], message["version"], message["listener"]) == (
        "test.rich",
        2,
        "jobs.worker:on_rich",
    )
    assert rebuild(Rich, message) == event
    assert field_problems(Rich) == []
    assert [each.split(":")[0] for each in field_problems(Opaque)] == ["owner", "client"]


def test_a_queued_listener_of_an_event_that_cannot_travel_is_refused(
    make_project: ProjectFactory,
) -> None:
    files = {
        "application/modules/x/y/manifest.yaml": (
            "label: X\nlistens:\n  test.opaque: {handler: on_x, queue: work}\n"
        ),
        "application/modules/x/y/listeners.py": "def on_x(app, event):\n    pass\n",
        "application/data/modules.yaml": "test.hello: activated\nx.y: activated\n",
    }
    with pytest.raises(DefinitionError) as caught:
        Application(make_project(files))
    text = str(caught.value)
    assert "listens.test.opaque" in text and "owner: object" in text and "JSON" in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{handler: on_x, queue: Bad Name}", "is not a queue name"),
        ("{handler: on_x}", "needs `handler` and `queue`"),
        ("{handler: on_x, queue: q, retry: 3}", "unknown keys retry"),
    ],
)
def test_a_queued_listener_is_checked(
    make_project: ProjectFactory, value: str, message: str
) -> None:
    files = {
        "application/modules/x/y/manifest.yaml": f"label: X\nlistens:\n  test.rich: {value}\n",
        "application/modules/x/y/listeners.py": "def on_x(app, event):\n    pass\n",
        "application/data/modules.yaml": "test.hello: activated\nx.y: activated\n",
    }
    with pytest.raises(DefinitionError, match=message):
        Application(make_project(files))


def test_declared_mode_refuses_a_queue_not_declared_and_service_modules_have_no_pages(
    make_project: ProjectFactory,
) -> None:
    files = {
        "application/config.yaml": "queue: {mode: declared, declared: [mail]}\n",
        "application/modules/x/y/manifest.yaml": (
            "label: X\nservice: true\nlistens:\n  test.rich: {handler: on_x, queue: work}\n"
        ),
        "application/modules/x/y/listeners.py": "def on_x(app, event):\n    pass\n",
        "application/modules/x/y/controllers.py": "",
        "application/data/modules.yaml": "test.hello: activated\nx.y: activated\n",
    }
    with pytest.raises(DefinitionError) as caught:
        Application(make_project(files))
    text = str(caught.value)
    assert "queue `work` is not declared" in text and "add `work` to `queue.declared`" in text
    assert "a service module has no pages" in text


# the outbox -----------------------------------------------------------------------------
def test_a_committed_request_publishes_once_and_a_failed_one_nothing(jobs: Jobs) -> None:
    app = jobs.make_app()
    assert queues_of(app) == [jobs.queue]
    client = Client(app)
    assert client.get("/emit/?n=1").status_code == 200
    assert client.get("/emit/?n=2&fail=1").status_code == 500
    assert app.outbox.unsent() == 0
    stats = app.outbox.broker.stats(jobs.queue)
    assert stats.depth == 1
    drain(app, jobs.queue, lambda: jobs.done() == [1], seconds=10)
    assert jobs.done() == [1]
    assert app.outbox.broker.stats(jobs.queue).depth == 0


def test_the_relay_sends_what_a_crash_between_commit_and_publish_left(jobs: Jobs) -> None:
    app = jobs.make_app()
    app.outbox.publish = lambda rows: 0  # type: ignore[method-assign]  # the process dies here
    assert Client(app).get("/emit/?n=7").status_code == 200
    assert app.outbox.unsent() == 1
    relay = jobs.make_app().outbox  # the master's, later
    assert relay.relay(grace=0) == 1
    assert relay.relay(grace=0) == 0  # sent once
    drain(app, jobs.queue, lambda: jobs.done() == [7], seconds=10)
    assert jobs.done() == [7]


def test_a_broker_that_is_down_leaves_events_in_the_outbox_until_it_is_back(
    jobs: Jobs,
) -> None:
    app = jobs.make_app()
    working = app.outbox.broker
    broken = (
        "redis://127.0.0.1:1/0" if jobs.broker == "redis" else "amqp://guest:guest@127.0.0.1:1/"
    )
    from jetpy.queue.brokers import RabbitBroker, RedisBroker

    app.outbox._broker = RedisBroker(broken) if jobs.broker == "redis" else RabbitBroker(broken)
    client = Client(app)
    for n in range(1, 6):
        assert client.get(f"/emit/?n={n}").status_code == 200  # the site keeps answering
    assert app.outbox.unsent() == 5
    app.outbox._broker = working  # the connection is back
    assert app.outbox.relay(grace=0) == 5
    drain(app, jobs.queue, lambda: len(jobs.done()) == 5, seconds=20)
    assert jobs.done() == [1, 2, 3, 4, 5]


# workers ----------------------------------------------------------------------------------
def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    app.events.emit(Job(1, fail=1))  # fails once, then succeeds
    app.events.emit(Job(2, fail=99))  # always fails: 3 attempts, then the dead letters
    broker = app.outbox.broker
    drain(app, jobs.queue, lambda: broker.stats(jobs.queue).failed == 1 and jobs.done() == [1])
    assert jobs.done() == [1]
    tries = Path(os.environ["JOB_TRIES_FILE"]).read_text().split()
    assert tries.count("1") == 2 and tries.count("2") == 3
    assert broker.requeue_failed(jobs.queue) == 1
    assert broker.stats(jobs.queue).failed == 0
    drain(app, jobs.queue, lambda: broker.stats(jobs.queue).failed == 1)
    assert broker.purge_failed(jobs.queue) == 1


def test_a_redelivered_message_is_handled_once(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    app.events.emit(Job(3))
    broker = app.outbox.broker
    delivery = None
    while delivery is None:
        delivery = broker.receive(jobs.queue, "test", 1.0)
    # the handler committed, then the worker died before acknowledging: it comes again
    app.outbox.publish([("again", jobs.queue, delivery.body)])
    assert handle(app, jobs.queue, delivery) == "handled"
    again = None
    while again is None:
        again = broker.receive(jobs.queue, "test", 1.0)
    assert handle(app, jobs.queue, again) == "duplicate"
    assert jobs.done() == [3]


def _worker(root: Path, queue: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    command = [PYTHON, "-c", MAIN, "worker", "-p", str(root), "--run-queue", queue]
    return subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.2)


def test_a_worker_killed_mid_queue_loses_nothing_and_repeats_nothing(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    total = 1000
    for n in range(total):
        app.events.emit(Job(n))
    first = _worker(jobs.root, jobs.queue, {"JOB_SLOW": "0.002"})
    try:
        _wait(lambda: len(jobs.done()) >= 100, 120, "the first worker's first 100 events")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        handled_before = len(jobs.done())
        assert handled_before < total
        second = _worker(jobs.root, jobs.queue)
        try:
            _wait(lambda: len(jobs.done()) >= total, 180, "all events after the kill")
            time.sleep(1.0)  # anything handled twice would show now
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert jobs.done() == list(range(total))
    assert app.outbox.broker.stats(jobs.queue).depth == 0


def test_sigterm_lets_the_worker_finish_the_message_in_hand(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    app.events.emit(Job(1))
    worker = _worker(jobs.root, jobs.queue, {"JOB_SLOW": "2"})
    try:
        engine = app.db.engine

        def started() -> bool:  # the handler's transaction has begun (its row is not visible)
            stats = app.outbox.broker.stats(jobs.queue)
            return stats.depth == 0

        _wait(started, 60, "the worker to take the message")
        time.sleep(0.5)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    engine.dispose()
    assert jobs.done() == [1]


def test_the_master_restarts_a_crashed_worker_and_starts_one_for_a_new_queue(
    jobs: Jobs,
) -> None:
    command = [PYTHON, "-c", MAIN, "worker", "-p", str(jobs.root)]
    master = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    app = jobs.make_app()
    Job = job_class()
    try:
        app.events.emit(Job(1))
        _wait(lambda: jobs.done() == [1], 60, "the master's worker to handle a job")
        children = _children(master.pid)
        assert len(children) == 1
        os.kill(children[0], signal.SIGKILL)
        _wait(lambda: len(set(_children(master.pid)) - {children[0]}) == 1, 60, "a new worker")
        app.events.emit(Job(2))
        _wait(lambda: jobs.done() == [1, 2], 60, "the new worker to handle a job")
        # a module activated later, listening on another queue, gets a worker of its own
        other = f"{jobs.queue}b"
        folder = jobs.root / "application/modules/jobs/more"
        folder.mkdir(parents=True)
        (folder / "manifest.yaml").write_text(
            f"label: More\nlistens:\n  test.job: {{handler: on_job, queue: {other}}}\n"
        )
        (folder / "listeners.py").write_text(JOBS_LISTENERS)
        states = jobs.root / "application/data/modules.yaml"
        states.write_text(states.read_text() + "jobs.more: activated\n")
        bump(jobs.root / "application")  # as `jetpy modules activate` does
        _wait(lambda: len(_children(master.pid)) == 2, 60, "a worker for the new queue")
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            assert master.wait(timeout=60) == 0
        finally:
            if master.poll() is None:
                master.kill()
                master.wait()
            _drop_queue(jobs.broker, f"{jobs.queue}b")
    assert _children(master.pid) == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def test_worker_runs_until_empty_in_process(jobs: Jobs) -> None:
    app = jobs.make_app()
    Job = job_class()
    for n in (4, 5):
        app.events.emit(Job(n))
    run_worker(app, jobs.queue, once=True)
    assert jobs.done() == [4, 5]
