"""The example served by gunicorn, and a mixed read/write load with one worker killed mid-run.

`Gunicorn` starts `gunicorn 'jetpy.wsgi:application'` (sync workers) on a free port of
127.0.0.1 with the site's environment, and finds its workers as the children of the master.
`mixed_load()` runs client threads for a fixed time: readers fetch pages and REST lists,
writers POST articles and products and PUT their own articles through the REST API, each
acknowledged write (201 or 200) recorded with what it wrote. Half-way, one worker gets
SIGKILL; gunicorn starts another. Afterwards every acknowledged write is looked up in the
database: one missing, or holding other data than acknowledged, is a lost write. A request
that was in flight in the killed worker ends in a connection reset: it was never
acknowledged, so it is counted apart (its write may or may not have happened).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .client import Answer, OverHttp
from .fuzz import article_body, product_body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop_with_parent() -> None:
    """Linux: the server gets SIGTERM when the suite dies, even by SIGKILL (no orphan left)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Gunicorn:
    """A gunicorn master on 127.0.0.1 serving the site; stopped by `stop()`."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "jetpy.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
            ],
            env=env,
            cwd=env["JETPY_PROJECT"],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=_stop_with_parent,
        )
        self.workers = workers
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        target = OverHttp(self.port, timeout=10)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{self.log.read_text()[-3000:]}")
            if len(self.worker_pids()) == self.workers and target.send("GET", "/", []).status:
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(
            f"gunicorn did not answer in {timeout:.0f} s:\n{self.log.read_text()[-3000:]}"
        )

    def worker_pids(self) -> list[int]:
        """The workers: the processes whose parent is the master."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("PPid:") and int(line.split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return sorted(found)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()


@dataclass
class LoadResult:
    seconds: float = 0.0
    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    resets: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    killed_worker: int | None = None
    killed_at: float = 0.0
    workers_after: int = 0

    def summary(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 1),
            "requests": dict(self.requests),
            "statuses": dict(sorted(self.statuses.items())),
            "server_errors": len(self.server_errors),
            "server_error_examples": self.server_errors[:10],
            "connection_resets": self.resets,
            "acknowledged_writes": self.acknowledged,
            "lost_acknowledged_writes": len(self.lost),
            "lost_examples": self.lost[:10],
            "killed_worker": self.killed_worker,
            "killed_at_second": round(self.killed_at, 1),
            "workers_after": self.workers_after,
        }


@dataclass
class Writes:
    """Acknowledged writes: article id → title, product id → code; and ids left uncertain."""

    articles: dict[int, str] = field(default_factory=dict)
    products: dict[int, str] = field(default_factory=dict)
    uncertain: set[int] = field(default_factory=set)  # an update of it was reset in flight
    lock: threading.Lock = field(default_factory=threading.Lock)


def mixed_load(
    server: Gunicorn, token: str, read_urls: list[str], seconds: float, threads: int = 6
) -> tuple[LoadResult, Writes]:
    """Readers and writers for `seconds`, one worker killed with SIGKILL half-way."""
    result = LoadResult()
    writes = Writes()
    target = OverHttp(server.port, timeout=60)
    stop_at = time.monotonic() + seconds
    started = time.monotonic()
    counter_lock = threading.Lock()
    numbers = iter(range(10**9))

    def record(kind: str, answer: Answer, what: str) -> None:
        with counter_lock:
            result.requests[kind] += 1
            if answer.error:
                result.resets += 1
                result.statuses[0] += 1
                return
            result.statuses[answer.status] += 1
            if answer.status >= 500:
                result.server_errors.append(f"{answer.status} {what}")

    def write(rng: random.Random) -> None:
        with counter_lock:
            n = next(numbers)
        auth = [("Authorization", f"Bearer {token}"), ("Content-Type", "application/json")]
        roll = rng.random()
        if roll < 0.5 or not writes.articles:
            body = article_body(n)
            title = f"Load {os.getpid()}-{n}"
            body["localizations"]["en_US"]["title"] = title
            body["localizations"]["cs_CZ"]["slug"] = f"load-{os.getpid()}-{n}"
            answer = target.send("POST", "/rest/articles/", auth, json.dumps(body).encode())
            record("post article", answer, f"POST /rest/articles/ {title}")
            if answer.status == 201:
                with writes.lock:
                    writes.articles[json.loads(answer.body)["id"]] = title
        elif roll < 0.75:
            body = product_body(n)
            body["code"] = f"LOAD-{os.getpid()}-{n}"
            answer = target.send("POST", "/rest/products/", auth, json.dumps(body).encode())
            record("post product", answer, f"POST /rest/products/ {body['code']}")
            if answer.status == 201:
                with writes.lock:
                    writes.products[json.loads(answer.body)["id"]] = body["code"]
        else:
            with writes.lock:
                mine = rng.choice(sorted(writes.articles))
                if mine in writes.uncertain:
                    return
                writes.uncertain.add(mine)  # until its answer is known
            title = f"Load {os.getpid()}-{n} (updated)"
            body = article_body(n)
            body["localizations"]["en_US"]["title"] = title
            body["localizations"]["cs_CZ"]["slug"] = f"load-{os.getpid()}-{n}"
            answer = target.send("PUT", f"/rest/articles/{mine}", auth, json.dumps(body).encode())
            record("put article", answer, f"PUT /rest/articles/{mine}")
            with writes.lock:
                if answer.status == 200:
                    writes.articles[mine] = title
                if answer.status != 0:  # reset: the update may or may not have happened
                    writes.uncertain.discard(mine)

    def client(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < stop_at:
            if rng.random() < 0.35:
                write(rng)
            else:
                url = rng.choice(read_urls)
                record("read", target.send("GET", url, []), f"GET {url}")

    def killer() -> None:
        time.sleep(seconds / 2)
        pids = server.worker_pids()
        if pids:
            result.killed_worker = pids[0]
            result.killed_at = time.monotonic() - started
            os.kill(pids[0], signal.SIGKILL)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    workers.append(threading.Thread(target=killer))
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    result.seconds = time.monotonic() - started
    deadline = time.monotonic() + 30
    while len(server.worker_pids()) < server.workers and time.monotonic() < deadline:
        time.sleep(0.2)
    result.workers_after = len(server.worker_pids())
    result.acknowledged = len(writes.articles) + len(writes.products)
    return result, writes


def check_writes(app: Any, writes: Writes, result: LoadResult) -> None:
    """Every acknowledged write in the database, with what was acknowledged."""
    from application.classes.catalog import Product
    from application.classes.content import Article

    with app.db.session() as db:
        for article_id, title in writes.articles.items():
            article = db.get(Article, article_id)
            titles = {loc.title for loc in article.localizations.values()} if article else set()
            if article is None:
                result.lost.append(f"article {article_id} ({title}) is missing")
            elif title not in titles and article_id not in writes.uncertain:
                result.lost.append(f"article {article_id} holds {titles}, acknowledged {title}")
        for product_id, code in writes.products.items():
            product = db.get(Product, product_id)
            if product is None or product.code != code:
                result.lost.append(f"product {product_id} ({code}) is missing or changed")
