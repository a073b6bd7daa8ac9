"""The example site under gunicorn: CPU time of the worker per request, cached and uncached,
and throughput with one and two sync workers.

Run from the repository root (gunicorn installed: `pip install -e '.[test]'`):

    python bench/bench_gunicorn.py                 # 10 rounds of 200 requests a page; 3 s samples
    python bench/bench_gunicorn.py --quick         # a smoke run
    python bench/bench_gunicorn.py --backend files --rounds 5 --requests 100 --seconds 2
    python bench/bench_gunicorn.py --backend redis --redis-url redis://127.0.0.1:6379/0

A copy of the example project (`application/` and `public/`) is made in a temporary folder,
its SQLite database created and seeded with the CLI (`jetpy db create`, `jetpy db
seed`: 50 articles, 199 products), and served by `python -m gunicorn … jetpy.wsgi:application`
(what `jetpy serve` runs) on 127.0.0.1, several servers at once, each with its own
`JETPY_CACHE_BACKEND`:

1. **CPU per request**: one sync worker with the output cache off (`none`) and one with it on
   (`memory`, `files` or `redis`: Redis under a key prefix of the run, config.yaml's
   `cache.prefix` in the copy, its keys removed at the end).
   For three pages (an article, the homepage, a discounted product page) rounds of N
   requests go to each server in turn (every other round in reverse order);
   each request is a new connection without cookies (a sync worker closes every connection),
   sent and read through a plain socket. The worker's CPU time is read from /proc before and
   after each sample: the scheduler's nanoseconds (`/proc/<pid>/task/*/schedstat`) and, as a
   check with 10 ms resolution, utime + stime of `/proc/<pid>/stat`. Median of the rounds,
   µs of the worker's CPU per request; the ratio uncached / cached per page. A third server,
   the **floor**, is gunicorn with a bare WSGI callable answering the same bytes: what a
   request costs the worker before any framework (accept, parse, answer, close).
2. **Throughput**: one and two sync workers, cache off and on; client threads send the three
   pages in turn for a fixed time per sample, rounds interleaving the four servers. Per
   sample: requests per second, the CPU time of all workers and of this client process per
   request, and how busy the machine's CPUs were (`/proc/stat`), so that a run on a machine
   whose cores the client (and other jobs) share can be read for what it is.

Before measuring, the cached and uncached servers must answer each page 200 with the same HTML.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]  # the repository: the example project
PAGES = {
    "article": "/articles/micro-routers.html",
    "homepage": "/",
    "product": "/products/auris-studio-headphones-ocean.html",  # discounted, 3 categories deep
}
HOST = "127.0.0.1"
SITE = "localhost"  # the Host header of every request: the servers' pages name it in their links
CACHES = ("none", "memory", "files", "redis")
FLOOR = "floor"  # gunicorn with a bare WSGI callable answering the pages' bytes
FLOOR_APP = """
import json
from pathlib import Path

PAGES = {path: body.encode() for path, body in json.loads(Path("pages.json").read_text()).items()}


def application(environ, start_response):
    body = PAGES.get(environ["PATH_INFO"])
    if body is None:
        start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")])
        return [b""]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]
"""
TICK = os.sysconf("SC_CLK_TCK")  # units of utime and stime in /proc/<pid>/stat
JETPY = [sys.executable, "-c", "from jetpy.cli.main import main; main()"]


# the project -------------------------------------------------------------------------------
def copy_project(target: Path) -> Path:
    """The example's application/ and public/ under `target`, without runtime state."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        runtime = Path(folder).name == "data" and Path(folder).parent.name == "application"
        return {
            name
            for name in names
            if name == "__pycache__" or (runtime and name not in ("modules.yaml", ".gitkeep"))
        }

    project = target / "project"
    shutil.copytree(ROOT / "application", project / "application", ignore=ignore)
    shutil.copytree(ROOT / "public", project / "public")
    return project


def environment(folder: Path, project: Path) -> dict[str, str]:
    """What every process of the bench runs with: the copy, its database and media, a key."""
    return {
        **os.environ,
        "JETPY_PROJECT": str(project),
        "JETPY_DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "JETPY_MEDIA_DIR": str(folder / "media"),
        "JETPY_SECRET_KEY": os.urandom(32).hex(),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def seed(project: Path, env: dict[str, str]) -> str:
    """`jetpy db create` and `jetpy db seed` in the copy; what the seed said."""
    for command in (["db", "create"], ["db", "seed"]):
        done = subprocess.run(
            [*JETPY, *command], cwd=project, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.exit(f"jetpy {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


# CPU time from /proc ---------------------------------------------------------------------
@dataclass(frozen=True)
class Cpu:
    """CPU time of a process: nanoseconds by the scheduler, and utime + stime in ticks."""

    ns: int = 0
    ticks: int = 0

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.ns - other.ns, self.ticks - other.ticks)

    def __add__(self, other: Cpu) -> Cpu:
        return Cpu(self.ns + other.ns, self.ticks + other.ticks)


def cpu_of(pid: int) -> Cpu:
    """The CPU time `pid` has used so far, all its threads."""
    ns = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ns += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return Cpu(ns, int(fields[11]) + int(fields[12]))


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def machine_busy() -> tuple[int, int]:
    """Busy and total jiffies of all CPUs so far (the first line of /proc/stat)."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    total = sum(values[:8])  # user … steal; guest time is already in user
    return total - idle, total


# servers and the client ------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str) -> tuple[int, bytes]:
    """One request on a new connection, without cookies: the status and the body."""
    with socket.create_connection((HOST, port), timeout=30) as connection:
        connection.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {SITE}\r\nConnection: close\r\n\r\n".encode()
        )
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


@dataclass
class Server:
    """gunicorn serving the copy with `workers` sync workers and the cache backend `cache`."""

    workers: int
    cache: str
    port: int
    process: subprocess.Popen[bytes]
    pids: list[int] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.workers} worker{'s' if self.workers > 1 else ''}, cache {self.cache}"

    def cpu(self) -> Cpu:
        total = Cpu()
        for pid in self.pids:
            total = total + cpu_of(pid)
        return total


@contextmanager
def server(env: dict[str, str], workers: int, cache: str, log: Path) -> Iterator[Server]:
    """Start gunicorn; yield once every worker answers; stop it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--bind", f"{HOST}:{port}", "--timeout", "120"]
    if cache == FLOOR:  # the bare WSGI callable of FLOOR_APP, beside the pages it answers
        command += ["--chdir", str(log.parent), "bench_gunicorn_floor:application"]
    else:
        command.append("jetpy.wsgi:application")
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env={**env, "JETPY_CACHE_BACKEND": cache},
            cwd=env["JETPY_PROJECT"],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    running = Server(workers, cache, port, process)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                sys.exit(f"gunicorn ended ({running.name}):\n{log.read_text()}")
            try:
                get(port, "/_health")
                running.pids = children_of(process.pid)
                if len(running.pids) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"gunicorn did not answer ({running.name}):\n{log.read_text()}")
            time.sleep(0.2)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_floor(folder: Path, uncached: Server) -> None:
    """The floor's WSGI module and the pages it answers (as the uncached server gave them)."""
    pages = {path: get(uncached.port, path)[1].decode() for path in PAGES.values()}
    (folder / "pages.json").write_text(json.dumps(pages), encoding="utf-8")
    (folder / "bench_gunicorn_floor.py").write_text(FLOOR_APP.lstrip(), encoding="utf-8")


def check_pages(uncached: Server, cached: Server) -> dict[str, int]:
    """Both answer every page 200 with the same HTML (twice: the cache is then warm); sizes."""
    sizes = {}
    problems = []
    for page, path in PAGES.items():
        answers = [get(server.port, path) for server in (uncached, cached, cached)]
        if {status for status, _ in answers} != {200}:
            problems.append(f"{page} {path}: statuses {[status for status, _ in answers]}")
        elif len({body for _, body in answers}) != 1:
            problems.append(f"{page} {path}: the cached server answers other HTML")
        sizes[page] = len(answers[0][1])
    if problems:
        sys.exit("\n".join(problems))
    return sizes


# 1. CPU time per request of one worker ------------------------------------------------------
class Sample(NamedTuple):
    cpu_us: float  # the worker's CPU per request, by the scheduler's nanoseconds
    tick_us: float  # the same from utime + stime (10 ms resolution)
    per_second: float  # requests per second of wall-clock time, one client


def sample(server: Server, path: str, count: int) -> Sample:
    before, wall = server.cpu(), time.perf_counter()
    for _ in range(count):
        status, _ = get(server.port, path)
        if status != 200:
            sys.exit(f"{server.name}: {path} answered {status}")
    wall = time.perf_counter() - wall
    used = server.cpu() - before
    return Sample(used.ns / 1e3 / count, used.ticks * 1e6 / TICK / count, count / wall)


Figures = dict[tuple[str, str], list[Sample]]  # (page, cache) → one sample a round


def measure_cpu(servers: list[Server], rounds: int, count: int) -> Figures:
    """Rounds of every page on every server in turn (every other round reversed)."""
    runs = [(page, server) for page in PAGES for server in servers]
    figures: Figures = {(page, server.cache): [] for page, server in runs}
    for page, server in runs:
        sample(server, PAGES[page], max(count // 10, 1))  # warm-up
    for number in range(1, rounds + 1):
        for page, server in runs if number % 2 else reversed(runs):
            figures[(page, server.cache)].append(sample(server, PAGES[page], count))
        shown = "  ".join(
            f"{page} {cache} {values[-1].cpu_us:,.0f}" for (page, cache), values in figures.items()
        )
        print(f"round {number:2}/{rounds}: {shown} µs", flush=True)
    return figures


def report_cpu(figures: Figures, cached: str) -> dict[str, float]:
    """A line per page: the worker's CPU per request uncached, cached and the floor's; ratios."""
    print(
        f"\n{'page':10}{'uncached µs':>13}{'cached µs':>11}{'floor µs':>10}{'ratio':>8}"
        f"{'cached - floor':>16}{'by ticks: uncached, cached':>28}"
        f"{'req/s uncached, cached':>24}"
    )
    ratios = {}
    for page in PAGES:
        off, on, floor = (figures[(page, name)] for name in ("none", cached, FLOOR))
        cpu_off, cpu_on, cpu_floor = (
            statistics.median(value.cpu_us for value in values) for values in (off, on, floor)
        )
        ticks_off, ticks_on = (statistics.median(value.tick_us for value in v) for v in (off, on))
        rate_off, rate_on = (statistics.median(value.per_second for value in v) for v in (off, on))
        ratios[page] = cpu_off / cpu_on
        print(
            f"{page:10}{cpu_off:13,.0f}{cpu_on:11,.0f}{cpu_floor:10,.0f}{ratios[page]:8.1f}"
            f"{cpu_on - cpu_floor:16,.0f}{ticks_off:18,.0f}{ticks_on:10,.0f}"
            f"{rate_off:14,.0f}{rate_on:10,.0f}"
        )
    return ratios


# 2. throughput with one and two workers ------------------------------------------------------
class Load(NamedTuple):
    per_second: float  # requests per second of wall-clock time
    worker_us: float  # CPU of all workers per request
    client_us: float  # CPU of this process (the client threads) per request
    busy: float  # share of the machine's CPUs busy during the sample (0 to 1), all processes


def drive(server: Server, threads: int, seconds: float) -> Load:
    """`threads` clients send the pages in turn for `seconds`; what it took."""
    paths = list(PAGES.values())
    counts = [0] * threads
    errors: list[str] = []
    stop = time.monotonic() + seconds

    def client(number: int) -> None:
        turn = number
        while time.monotonic() < stop:
            try:
                status, _ = get(server.port, paths[turn % len(paths)])
            except OSError as error:
                errors.append(str(error))
                return
            if status != 200:
                errors.append(f"{paths[turn % len(paths)]} answered {status}")
                return
            counts[number] += 1
            turn += 1

    workers, client_cpu, machine = server.cpu(), time.process_time(), machine_busy()
    wall = time.perf_counter()
    started = [threading.Thread(target=client, args=(number,)) for number in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    wall = time.perf_counter() - wall
    if errors:
        sys.exit(f"{server.name}: {errors[0]}")
    done = sum(counts)
    busy, total = (now - then for now, then in zip(machine_busy(), machine, strict=True))
    return Load(
        done / wall,
        (server.cpu() - workers).ns / 1e3 / done,
        (time.process_time() - client_cpu) * 1e6 / done,
        busy / total if total else 0.0,
    )


def measure_load(
    servers: list[Server], rounds: int, threads: int, seconds: float
) -> dict[str, list[Load]]:
    """Rounds of every server in turn (every other round reversed)."""
    figures: dict[str, list[Load]] = {server.name: [] for server in servers}
    for server in servers:
        drive(server, threads, min(seconds, 0.5))  # warm-up: every worker's cache
    for number in range(1, rounds + 1):
        for server in servers if number % 2 else reversed(servers):
            figures[server.name].append(drive(server, threads, seconds))
        shown = "  ".join(
            f"{name}: {values[-1].per_second:,.0f}" for name, values in figures.items()
        )
        print(f"round {number}/{rounds}: {shown} req/s", flush=True)
    return figures


def report_load(figures: dict[str, list[Load]]) -> None:
    """Medians per server; `worker cores`: how many of the machine's cores the workers got
    (requests per second times their CPU per request). Two workers can only be faster than one
    when the machine gives them more than one core's worth."""
    print(
        f"\n{'server':26}{'req/s':>8}{'workers µs/req':>16}{'worker cores':>14}"
        f"{'client µs/req':>15}{'CPUs busy':>11}{'others':>8}"
    )
    medians = {}
    cores = os.cpu_count() or 1
    for name, values in figures.items():
        rate = statistics.median(value.per_second for value in values)
        worker = statistics.median(value.worker_us for value in values)
        client = statistics.median(value.client_us for value in values)
        busy = statistics.median(value.busy for value in values)
        # the machine's CPU spent on neither the workers nor the client: other processes
        ours = rate * (worker + client) / 1e6 / cores
        medians[name] = rate
        print(
            f"{name:26}{rate:8,.0f}{worker:16,.0f}{rate * worker / 1e6:14.2f}{client:15,.0f}"
            f"{busy:11.0%}{max(busy - ours, 0):8.0%}"
        )
    for cache in sorted({name.rsplit("cache ", 1)[1] for name in figures}):
        one, two = medians.get(f"1 worker, cache {cache}"), medians.get(f"2 workers, cache {cache}")
        if one and two:
            print(f"cache {cache}: 2 workers / 1 worker = {two / one:.2f} by requests per second")


def remove_keys(url: str, prefix: str) -> None:
    """Remove the bench's entries and tags from Redis."""
    import redis

    with redis.Redis.from_url(url) as client:
        names = list(client.scan_iter(match=prefix + "*"))
        if names:
            client.delete(*names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=200, help="per round, page and server")
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput sample")
    parser.add_argument("--threads", type=int, default=4, help="client threads for throughput")
    parser.add_argument("--backend", choices=CACHES[1:], default="memory", help="the cache on")
    parser.add_argument("--quick", action="store_true", help="3 rounds of 30 requests, 1 s")
    parser.add_argument("--skip-load", action="store_true", help="CPU per request only")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/0", help="with --backend redis"
    )
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.requests, options.seconds = 3, 30, 1.0
    print(
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, load average {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="jetpy-bench-gunicorn-") as temporary:
        folder = Path(temporary)
        project = copy_project(folder)
        env = environment(folder, project)
        print(seed(project, env))
        with ExitStack() as stack:
            if options.backend == "redis":  # the bench's own keys, removed at its end
                prefix = f"jetpy:bench-gunicorn:{uuid.uuid4().hex}:"
                config = project / "application" / "config.yaml"
                cache = f"cache: {{url: {json.dumps(options.redis_url)}, prefix: {prefix!r}}}\n"
                config.write_text(config.read_text() + cache)
                stack.callback(remove_keys, options.redis_url, prefix)

            def start(workers: int, cache: str) -> Server:
                log = folder / f"gunicorn-{workers}-{cache}.log"
                return stack.enter_context(server(env, workers, cache, log))

            uncached, cached = start(1, "none"), start(1, options.backend)
            sizes = check_pages(uncached, cached)
            write_floor(folder, uncached)
            floor = start(1, FLOOR)
            print(
                "cached and uncached answer the same HTML: "
                + ", ".join(f"{page} {size:,} bytes" for page, size in sizes.items())
            )
            print(
                f"\n1. CPU of the worker per request: {options.rounds} rounds of "
                f"{options.requests} requests per page and server"
            )
            report_cpu(
                measure_cpu([uncached, cached, floor], options.rounds, options.requests),
                cached.cache,
            )
            if options.skip_load:
                return
            servers = [uncached, cached, start(2, "none"), start(2, options.backend)]
            print(
                f"\n2. throughput: {options.threads} client threads, {options.rounds} rounds of "
                f"{options.seconds:g} s per server"
            )
            report_load(measure_load(servers, options.rounds, options.threads, options.seconds))
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
