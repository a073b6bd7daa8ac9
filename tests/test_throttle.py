"""jetpy.auth.throttle: counts per account and address and per address, atomic, in the
database (SQLite here, PostgreSQL with $JETPY_TEST_DATABASE_URL) and in Redis; and the client
address through trusted proxies (jetpy.kernel.proxies), in a small project's login form."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy
from werkzeug.test import Client, EnvironBuilder
from werkzeug.wrappers import Request

from jetpy import Application
from jetpy.auth import DatabaseFailures, FailureStore, LoginThrottle, RedisFailures
from jetpy.auth.throttle import FAILURES_TABLE, throttle_key
from jetpy.data.db import Database
from jetpy.kernel.proxies import client_address, scheme
from tests.conftest import ProjectFactory, log_in
from tests.test_auth import FILES

REDIS_URL = os.environ.get("JETPY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def redis_store() -> RedisFailures:
    """A RedisFailures on the test server's database 15, emptied of our keys."""
    try:
        import redis
    except ImportError:  # pragma: no cover - redis-py is installed in CI
        missing = "redis-py is missing: pip install redis"
    else:
        client = redis.Redis.from_url(REDIS_URL)
        try:
            client.ping()
        except redis.ConnectionError:
            missing = f"no Redis at {REDIS_URL}: start one (apt-get install redis-server)"
        else:
            prefix = f"jetpy-test:{os.getpid()}:{threading.get_ident()}:"
            for key in client.scan_iter(prefix + "*"):
                client.delete(key)
            client.close()
            return RedisFailures(REDIS_URL, prefix=prefix)
    if os.environ.get("CI") == "true":
        pytest.fail(missing)
    pytest.skip(missing)


@pytest.fixture(params=["database", "redis"])
def store(request: pytest.FixtureRequest, database: Database) -> Iterator[FailureStore]:
    if request.param == "database":
        yield DatabaseFailures(database)
        return
    made = redis_store()
    yield made
    made.client.close()


# the counts ----------------------------------------------------------------------------------
def test_an_account_waits_after_its_failures_from_one_address(store: FailureStore) -> None:
    throttle = LoginThrottle(store, per_account=3, per_address=10, window=600, clock=Clock())
    for number in range(3):
        attempt = throttle.attempt("192.0.2.1", "alice")
        assert attempt.wait == 0
        assert attempt.failed() == (600 if number == 2 else 0)  # the third reached the limit
    refused = throttle.attempt("192.0.2.1", "alice")
    assert 598 <= refused.wait <= 600  # Redis counts its window in its own time
    # the same address for another account, and the account from another address: go ahead
    assert throttle.attempt("192.0.2.1", "bob").wait == 0
    assert throttle.attempt("198.51.100.7", "alice").wait == 0


def test_the_wait_ends_with_the_window_of_the_first_failure(database: Database) -> None:
    clock = Clock()
    throttle = LoginThrottle(
        DatabaseFailures(database), per_account=3, per_address=10, window=600, clock=clock
    )
    for _ in range(3):
        throttle.attempt("192.0.2.1", "alice").failed()
        clock.now += 10
    assert throttle.attempt("192.0.2.1", "alice").wait == 570
    clock.now += 570
    assert throttle.attempt("192.0.2.1", "alice").wait == 0


def test_an_address_waits_after_many_accounts_failed_from_it(store: FailureStore) -> None:
    clock = Clock()
    throttle = LoginThrottle(store, per_account=3, per_address=5, window=600, clock=clock)
    for number in range(5):
        attempt = throttle.attempt("192.0.2.1", f"user{number}")
        assert attempt.wait == 0
        attempt.failed()
    assert 598 <= throttle.attempt("192.0.2.1", "somebody-new").wait <= 600
    assert throttle.attempt("192.0.2.1").wait > 0  # no account: the address alone
    assert throttle.attempt("192.0.2.2", "somebody-new").wait == 0


def test_refused_attempts_are_not_counted(store: FailureStore) -> None:
    clock = Clock()
    throttle = LoginThrottle(store, per_account=2, per_address=3, window=600, clock=clock)
    for _ in range(2):
        throttle.attempt("192.0.2.1", "alice").failed()
    for _ in range(10):
        assert throttle.attempt("192.0.2.1", "alice").wait > 0
    # the address has 2 failures, not 12: one more account may still try once
    assert throttle.attempt("192.0.2.1", "bob").wait == 0


def test_a_success_forgives_the_account_and_gives_the_address_its_count_back(
    store: FailureStore,
) -> None:
    throttle = LoginThrottle(store, per_account=3, per_address=3, window=600, clock=Clock())
    for _ in range(2):
        throttle.attempt("192.0.2.1", "alice").failed()
    throttle.attempt("192.0.2.1", "alice").succeeded()  # the address's count stays at 2
    throttle.attempt("192.0.2.1", "carol").failed()  # its third
    assert throttle.attempt("192.0.2.1", "dave").wait > 0
    # the account starts again after a success: three more failures before it waits
    roomy = LoginThrottle(store, per_account=3, per_address=100, window=600, clock=Clock())
    for _ in range(2):
        roomy.attempt("192.0.2.5", "erin").failed()
    roomy.attempt("192.0.2.5", "erin").succeeded()
    for _ in range(3):
        attempt = roomy.attempt("192.0.2.5", "erin")
        assert attempt.wait == 0
        attempt.failed()
    assert roomy.attempt("192.0.2.5", "erin").wait > 0


def test_scopes_and_kinds_are_counted_apart(store: FailureStore) -> None:
    throttle = LoginThrottle(store, per_account=1, per_address=1, window=600, clock=Clock())
    throttle.attempt("192.0.2.1", "alice", scope="admin").failed()
    assert throttle.attempt("192.0.2.1", "alice", scope="admin").wait > 0
    assert throttle.attempt("192.0.2.1", "alice", scope="web").wait == 0
    assert throttle_key("account", "web", "Alice ") == throttle_key("account", "web", "alice")
    assert "alice" not in throttle_key("account", "web", "alice")  # hashed


def test_ended_counts_leave_the_table(database: Database) -> None:
    store = DatabaseFailures(database)
    clock = Clock()
    throttle = LoginThrottle(store, window=60, clock=clock)
    throttle.attempt("192.0.2.1", "alice").failed()
    clock.now += 3600
    throttle.attempt("192.0.2.9", "bob").failed()
    with database.engine.connect() as connection:
        rows = connection.execute(sqlalchemy.select(FAILURES_TABLE.c.until)).scalars().all()
    assert rows == [clock.now + 60, clock.now + 60]  # bob's two keys; alice's are gone


# atomic: threads against the real store ------------------------------------------------------
THREADS = 16


def run_together(work: Callable[[], None]) -> None:
    """Run `work` in THREADS threads that start at the same moment."""
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def body() -> None:
        barrier.wait()
        try:
            work()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=body) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_parallel_failures_are_counted_exactly(store: FailureStore) -> None:
    throttle = LoginThrottle(store, per_account=1000, per_address=1000, window=600)
    run_together(lambda: throttle.attempt("192.0.2.1", "alice").failed())
    for key in (
        throttle_key("account", "", "alice", "192.0.2.1"),
        throttle_key("address", "", "192.0.2.1"),
    ):
        count, _ = store.add(key, time.time(), 600)  # one more: the count so far plus one
        assert count == THREADS + 1


def test_parallel_guesses_cannot_pass_the_limit_together(store: FailureStore) -> None:
    throttle = LoginThrottle(store, per_account=5, per_address=1000, window=600)
    allowed: list[int] = []
    lock = threading.Lock()

    def guess() -> None:
        attempt = throttle.attempt("192.0.2.1", "alice")
        if not attempt.wait:
            with lock:
                allowed.append(1)
            attempt.failed()

    run_together(guess)
    assert len(allowed) == 5
    assert throttle.attempt("192.0.2.1", "alice").wait > 0


# the client address -------------------------------------------------------------------------
def request(remote: str = "203.0.113.9", **headers: str) -> Request:
    return Request(
        EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": remote}).get_environ()
    )


def test_forwarded_headers_count_only_through_trusted_proxies() -> None:
    spoofed = request(**{"X-Forwarded-For": "10.0.0.1", "X-Forwarded-Proto": "https"})
    assert client_address(spoofed, 0) == "203.0.113.9"  # nobody trusted: the peer
    assert scheme(spoofed, 0) == "http"
    chain = request(**{"X-Forwarded-For": "10.0.0.1, 198.51.100.4, 192.0.2.8"})
    assert client_address(chain, 1) == "192.0.2.8"  # what our proxy saw
    assert client_address(chain, 2) == "198.51.100.4"  # what the outer proxy saw
    assert client_address(request(**{"X-Forwarded-For": "192.0.2.8"}), 2) == "203.0.113.9"
    assert scheme(request(**{"X-Forwarded-Proto": "http, https"}), 1) == "https"
    assert scheme(request(**{"X-Forwarded-Proto": "gopher"}), 1) == "http"


# in a login form -------------------------------------------------------------------------
@pytest.fixture
def make_app(make_project: ProjectFactory) -> Callable[[str], Application]:
    def make(config: str = "") -> Application:
        files = {**FILES, "application/config.yaml": "debug: true\n" + config}
        return Application(make_project(files), use_cache=False)

    return make


def sign_in(client: Client, name: str, password: str, forwarded: str | None = None) -> int:
    """The status of a login at /secret/ (through a proxy that says `forwarded`)."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else None
    return log_in(client, name, password, "/secret/", headers=headers).status_code


def test_one_visitor_cannot_lock_another_account_out(make_app: Callable[..., Application]) -> None:
    app = make_app("login_throttle: {per_account: 3, per_address: 6}\n")
    client = Client(app)
    for _ in range(3):
        assert sign_in(client, "bob", "wrong password") == 200
    assert sign_in(client, "bob", "right password") == 429
    other = Client(app)
    assert sign_in(other, "alice", "right password") == 303  # same address, other account


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(
    make_app: Callable[..., Application],
) -> None:
    app = make_app("login_throttle: {per_account: 2, per_address: 50}\n")
    client = Client(app)
    for number in range(2):  # each guess claims another address: all are the same peer
        assert sign_in(client, "bob", "wrong password", forwarded=f"10.9.0.{number}") == 200
    assert sign_in(client, "bob", "right password", forwarded="10.9.0.77") == 429


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(
    make_app: Callable[..., Application],
) -> None:
    app = make_app("behind_proxy: 1\nlogin_throttle: {per_account: 2, per_address: 50}\n")
    client = Client(app)
    for _ in range(2):
        assert sign_in(client, "bob", "wrong password", forwarded="spoof, 192.0.2.10") == 200
    assert sign_in(client, "bob", "right password", forwarded="192.0.2.10") == 429
    # another client behind the same proxy is not held up; a spoofed first entry changes nothing
    assert sign_in(client, "bob", "right password", forwarded="192.0.2.10, 192.0.2.11") == 303


def test_wrong_throttle_settings_are_definition_problems(
    make_app: Callable[..., Application],
) -> None:
    from jetpy.errors import DefinitionError

    with pytest.raises(DefinitionError) as raised:
        make_app("behind_proxy: -1\nlogin_throttle: {per_account: 0, store: memcached}\n")
    text = str(raised.value)
    assert "behind_proxy" in text and "login_throttle.per_account" in text
    assert "login_throttle.store" in text
