"""`python -m bench.robustness [--full]`: fuzz the example site and load it under gunicorn.

Run from the repository root. The small version (the default, what the test suite runs) and
the full one (`--full`: the figures of bench/robustness/README.md) differ only in counts.
The exit status is 0 when no answer was a 5xx and no acknowledged write was lost, 1 when one
was, 2 when a piece is missing (PostgreSQL, gunicorn), with the reason.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from .client import InProcess, OverHttp
from .fuzz import Tally, Visitors, discover, run_bodies, run_forms, run_urls
from .load import Gunicorn, check_writes, mixed_load
from .site import SiteUnavailable, prepare_site

SIZES = {
    # in process: urls, forms, bodies; over HTTP: urls, forms, bodies; load seconds; crawl
    "small": (1_000, 200, 200, 100, 20, 20, 10.0, 100),
    "full": (50_000, 5_000, 5_000, 2_000, 300, 300, 60.0, 200),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.robustness", description=__doc__)
    parser.add_argument("--full", action="store_true", help="the full counts (a few minutes)")
    parser.add_argument("--urls", type=int, help="hostile URLs in process")
    parser.add_argument("--forms", type=int, help="malformed forms in process")
    parser.add_argument("--bodies", type=int, help="malformed REST bodies in process")
    parser.add_argument("--seconds", type=float, help="seconds of mixed load under gunicorn")
    parser.add_argument("--seed", type=int, default=1, help="of the generated cases")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--jobs", type=int, default=2, help="processes sharing the in-process fuzz (forked)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the project and database")
    args = parser.parse_args(argv)
    # a SIGTERM (a CI timeout) still stops gunicorn and drops the database on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    size = SIZES["full" if args.full else "small"]
    urls, forms, bodies = args.urls or size[0], args.forms or size[1], args.bodies or size[2]
    http_urls, http_forms, http_bodies = (
        min(a, b) for a, b in zip(size[3:6], (urls, forms, bodies), strict=True)
    )
    seconds = args.seconds or size[6]
    if importlib.util.find_spec("gunicorn") is None:
        print(
            "gunicorn is missing: pip install gunicorn (or pip install -e '.[serve]')",
            file=sys.stderr,
        )
        return 2
    try:
        site = prepare_site(keep=args.keep)
    except SiteUnavailable as error:
        print(str(error), file=sys.stderr)
        return 2
    try:
        figures = attack(
            site,
            urls,
            forms,
            bodies,
            http_urls,
            http_forms,
            http_bodies,
            seconds,
            args.seed,
            args.jobs,
            size[7],
        )
    finally:
        site.close()
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0 if figures["passed"] else 1


def attack(
    site: Any,
    urls: int,
    forms: int,
    bodies: int,
    http_urls: int,
    http_forms: int,
    http_bodies: int,
    seconds: float,
    seed: int,
    jobs: int,
    crawl_pages: int,
) -> dict[str, Any]:
    """Every phase in turn; the figures of each."""
    figures: dict[str, Any] = {}
    with site.environment():
        from jetpy import Application

        app = Application(site.root)
        phases: dict[str, float] = {}
        started = time.monotonic()
        visitors = Visitors(InProcess(app), lambda: site.identities(app))
        found = discover(visitors, crawl_pages)
        phases["crawl"] = time.monotonic() - started
        in_process = fuzz_in_process(
            app, visitors, found, (urls, forms, bodies), seed, jobs, site.root.parent
        )
        phases["fuzz"] = time.monotonic() - started - phases["crawl"]
        figures["crawl"] = {"pages": len(set(found.urls)), "forms": len(found.forms)}
        figures["in_process"] = in_process.summary()
        figures["in_process"]["seconds"].update({k: round(v, 1) for k, v in phases.items()})
        figures["in_process"]["jobs"] = jobs

        log = site.root.parent / "gunicorn.log"  # removed with the project
        server = Gunicorn(site.env, log)
        try:
            over_http = Tally()
            started = time.monotonic()
            http_visitors = Visitors(OverHttp(server.port), lambda: site.identities(app))
            run_urls(http_visitors, found, http_urls, seed + 1, over_http)
            run_forms(http_visitors, found, http_forms, seed + 1, over_http)
            run_bodies(http_visitors, found, http_bodies, seed + 1, over_http)
            figures["gunicorn_sample"] = over_http.summary()
            figures["gunicorn_sample"]["seconds"] = round(time.monotonic() - started, 1)
            reads = [u for u in found.urls if not u.startswith("/admin")]
            token = site.identities(app).token
            result, writes = mixed_load(server, token, reads, seconds)
        finally:
            server.stop()
        check_writes(app, writes, result)
        figures["load"] = result.summary()
        figures["server_log_tracebacks"] = tracebacks(log.read_text("utf-8", "replace"))
        app.db.dispose()
    errors = (
        sum(figures["in_process"]["server_errors"].values())
        + sum(figures["gunicorn_sample"]["server_errors"].values())
        + figures["load"]["server_errors"]
    )
    figures["total_5xx"] = errors
    figures["passed"] = errors == 0 and figures["load"]["lost_acknowledged_writes"] == 0
    return figures


def fuzz_in_process(
    app: Any,
    visitors: Visitors,
    found: Any,
    counts: tuple[int, int, int],
    seed: int,
    jobs: int,
    work: Path,
) -> Tally:
    """URLs, forms and bodies in process, shared among `jobs` forked processes."""
    if jobs <= 1:
        return fuzz_share(visitors, found, counts, seed)
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[int] = []
    folder = Path(tempfile.mkdtemp(prefix="jobs-", dir=work))
    try:
        for job in range(jobs):
            share = tuple(count // jobs + (job < count % jobs) for count in counts)
            pid = os.fork()
            if pid == 0:  # the child: connections of its own, its share, its tally in a file
                status = 1
                try:
                    app.db.engine.dispose(close=False)
                    tally = fuzz_share(visitors, found, share, seed * 1000 + job)  # type: ignore[arg-type]
                    (folder / f"{job}.pickle").write_bytes(pickle.dumps(tally))
                    status = 0
                except Exception:
                    traceback.print_exc()
                finally:
                    os._exit(status)
            children.append(pid)
        merged = Tally()
        for job, pid in enumerate(children):
            _, status = os.waitpid(pid, 0)
            children[job] = 0
            result = folder / f"{job}.pickle"
            if status != 0 or not result.exists():
                raise RuntimeError(f"fuzz job {job} failed (exit status {status >> 8})")
            merged.merge(pickle.loads(result.read_bytes()))
        return merged
    finally:
        for pid in children:
            if pid:  # a job still running when another failed or the run was interrupted
                os.kill(pid, signal.SIGTERM)
                os.waitpid(pid, 0)
        shutil.rmtree(folder, ignore_errors=True)


def fuzz_share(visitors: Visitors, found: Any, counts: tuple[int, int, int], seed: int) -> Tally:
    tally = Tally()
    for run, count in zip((run_urls, run_forms, run_bodies), counts, strict=True):
        started = time.monotonic()
        run(visitors, found, count, seed, tally)
        tally.seconds[run.__name__.removeprefix("run_")] = time.monotonic() - started
    tally.relogins = visitors.relogins
    return tally


def tracebacks(log: str) -> list[str]:
    """The distinct errors of the server's log: exception line and innermost frame of ours.

    Text lines hold the traceback as Python prints it; JSON lines (`logging: {format: json}`)
    hold it in their `traceback`.
    """
    texts = [log]
    for line in log.splitlines():
        if line.startswith("{") and '"traceback"' in line:
            try:
                texts.append(json.loads(line)["traceback"] + "\n.")
            except (ValueError, KeyError, TypeError):
                continue
    found: dict[str, None] = {}
    for text in texts:
        pattern = r"Traceback \(most recent call last\):\n(.*?\n)(?=\S)([^\n]*)"
        for frames_text, error in re.findall(pattern, text, re.S):
            frames = re.findall(r'File "([^"]+)", line (\d+), in (\S+)', frames_text)
            ours = [f for f in frames if "/jetpy/" in f[0] or "/application/" in f[0]] or frames
            where = f" at {ours[-1][0]}:{ours[-1][1]} in {ours[-1][2]}" if ours else ""
            found[error[:200] + where] = None
    return list(found)


def report(figures: dict[str, Any]) -> str:
    """The figures as a few readable lines."""
    inner, http, load = figures["in_process"], figures["gunicorn_sample"], figures["load"]
    lines = [
        f"crawl: {figures['crawl']['pages']} pages, {figures['crawl']['forms']} distinct forms",
        "in process: "
        + ", ".join(f"{inner['sent'].get(k, 0):,} {k}s" for k in ("url", "form", "body"))
        + f" -> 5xx: {inner['server_errors'] or 0} (seconds {inner['seconds']}, "
        f"re-logins {inner['relogins']})",
        "gunicorn sample: "
        + ", ".join(f"{http['sent'].get(k, 0):,} {k}s" for k in ("url", "form", "body"))
        + f" -> 5xx: {http['server_errors'] or 0}, "
        f"connection errors {http['connection_errors'] or 0}",
        f"load: {load['seconds']} s, {sum(load['requests'].values()):,} requests "
        f"{load['requests']}, statuses {load['statuses']}",
        f"      worker {load['killed_worker']} killed at {load['killed_at_second']} s, "
        f"{load['workers_after']} workers after; 5xx: {load['server_errors']}, connection resets: "
        f"{load['connection_resets']}; acknowledged writes {load['acknowledged_writes']:,}, "
        f"lost {load['lost_acknowledged_writes']}",
    ]
    for finding in inner["distinct_5xx"] + http["distinct_5xx"]:
        lines.append(
            f"  5xx {finding['kind']}: {finding['request'][:160]}\n      {finding['traceback']}"
        )
    for line in load["server_error_examples"] + load["lost_examples"]:
        lines.append(f"  load: {line}")
    for line in figures["server_log_tracebacks"]:
        lines.append(f"  gunicorn log: {line}")
    lines.append(
        f"total 5xx: {figures['total_5xx']} -> {'PASSED' if figures['passed'] else 'FAILED'}"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
