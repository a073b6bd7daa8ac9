"""Requests per second for one article page: jetpy, Flask, Pyramid and a bare WSGI floor.

Run from the repository root:

    python bench/bench_request.py              # 40 rotating rounds of 500 requests each
    python bench/bench_request.py --quick      # a smoke run
    python bench/bench_request.py --profile 5000   # cProfile of jetpy, top self-times in jetpy/

All four serve `/articles/<slug>.html` from the same data (bench/site/application/classes/
articles.py) and render the same Jinja2 template files (the layout and module views under
bench/site/application/). The jetpy site is bench/site itself: the layout embeds the main menu
and the breadcrumb as modules, the articles page mounts a controller that claims the leftover
path `<slug>.html` with its micro-router, and a second content renders the latest articles into
position `side`. Flask, Pyramid and the floor give the same layout `module`, `position` and
`head` callables, so the four answers are the same HTML.

Each implementation is called in-process as a WSGI callable, in many short rounds whose order
rotates by one app per round. Reported: the median and best round with the ratio to the floor,
the median CPU time of the process per request (which a shared machine's other jobs move less
than the wall clock), and the ratio that the noise moves least: per round, the floor's CPU time
over each app's in that same round, summarised by its median and interquartile range.

    python bench/bench_request.py --callgrind      # instructions and cache misses per request
    python bench/bench_request.py --footprint      # Python functions and bytecode per request

run each implementation under valgrind's callgrind, or under a tracer, and report its
deterministic counts.
"""

from __future__ import annotations

import argparse
import cProfile
import difflib
import functools
import gc
import importlib
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from flask import Flask, abort, render_template, request
from jinja2 import Environment, FileSystemLoader, Template
from markupsafe import Markup, escape
from werkzeug.test import EnvironBuilder

from jetpy import Application
from jetpy.cache import MemoryBackend, OutputCache

SITE = Path(__file__).resolve().parent / "site"
PATH = "/articles/pages-10.html"
SITE_TITLE = "Bench site"
MENU = [("Home", "/"), ("Articles", "/articles/"), ("About", "/about/"), ("Contact", "/contact/")]
LATEST_COUNT = 5

# template names relative to bench/site/application/, the same files jetpy renders
LAYOUT = "bases/web/layouts/default.html"
MAIN_MENU = "modules/web/ui/views/main_menu.html"
BREADCRUMB = "modules/web/ui/views/breadcrumb.html"
DETAIL = "modules/content/articles/views/detail.html"
LATEST = "modules/content/articles/views/latest.html"
JINJA_OPTIONS: dict[str, Any] = {"trim_blocks": True, "lstrip_blocks": True}  # as jetpy's

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
Render = Callable[..., str]


# the page without a framework: shared by Flask and the floor ------------------------------
@dataclass(frozen=True)
class SiteLocale:
    """What the layout reads of the locale."""

    language: str = "en"
    title: str = SITE_TITLE


class Crumb(NamedTuple):
    title: str
    url: str | None


def menu_items(path: str) -> list[dict[str, Any]]:
    return [
        {"title": title, "url": url, "active": url != "/" and path.startswith(url)}
        for title, url in MENU
    ]


def head_html(article: Any) -> Markup:
    title = escape(f"{article.title} | {SITE_TITLE}")
    description = escape(article.annotation)
    canonical = escape(f"http://localhost/articles/{article.slug}.html")  # as jetpy's head
    return Markup(
        f'<title>{title}</title>\n<meta name="description" content="{description}">\n'
        f'<link rel="canonical" href="{canonical}">'
    )


def article_page(article: Any, articles: ModuleType, render: Render, path: str) -> str:
    """The article page as the jetpy site builds it: contents first, then the layout."""
    parts = {
        "main": render(DETAIL, article=article, back_url="/articles/", back_title="Articles"),
        "side": render(
            LATEST,
            title="Articles",
            url_prefix="/articles/",
            articles=articles.latest(LATEST_COUNT),
        ),
    }
    crumbs = [Crumb("Home", "/"), Crumb("Articles", "/articles/"), Crumb(article.title, None)]
    embedded: dict[str, Callable[[], str]] = {
        "main_menu": lambda: render(MAIN_MENU, items=menu_items(path)),
        "breadcrumb": lambda: render(BREADCRUMB, crumbs=crumbs),
    }
    return render(
        LAYOUT,
        locale=SiteLocale(),
        head=lambda: head_html(article),
        position=lambda name: Markup(parts.get(name, "")),
        module=lambda name, action: Markup(embedded[action]()),
    )


# the three implementations -------------------------------------------------------------
def floor_app(articles: ModuleType) -> WsgiApp:
    """The least a WSGI callable can do: parse PATH_INFO, look up, render, answer."""
    environment = Environment(
        loader=FileSystemLoader(SITE / "application"), autoescape=True, **JINJA_OPTIONS
    )
    templates: dict[str, Template] = {
        name: environment.get_template(name)
        for name in (LAYOUT, MAIN_MENU, BREADCRUMB, DETAIL, LATEST)
    }

    def render(name: str, **values: Any) -> str:
        return templates[name].render(values)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        article = None
        if path.startswith("/articles/") and path.endswith(".html"):
            article = articles.by_slug(path[len("/articles/") : -len(".html")])
        if article is None:
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"Not found"]
        body = article_page(article, articles, render, path).encode()
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body]

    return app


def flask_app(articles: ModuleType) -> Flask:
    """A Flask route doing the same lookups and rendering the same templates."""
    app = Flask(__name__, template_folder=str(SITE / "application"))
    app.jinja_options = {**app.jinja_options, **JINJA_OPTIONS}

    @app.get("/articles/<slug>.html")
    def article(slug: str) -> str:
        found = articles.by_slug(slug)
        if found is None:
            abort(404)
        return article_page(found, articles, render_template, request.path)

    return app


def pyramid_app(articles: ModuleType) -> WsgiApp:
    """A Pyramid route and view doing the same lookups and rendering the same templates.

    Pyramid has no template engine of its own; the view renders with a Jinja2 environment
    made once at configuration time (what pyramid_jinja2 would do for it).
    """
    with warnings.catch_warnings():  # WebOb 1.8 imports the deprecated cgi module
        warnings.simplefilter("ignore", DeprecationWarning)
        from pyramid.config import Configurator
        from pyramid.httpexceptions import HTTPNotFound
        from pyramid.response import Response as PyramidResponse
    # as pyramid_jinja2 sets it up in production (reload_templates false): no stat per render
    environment = Environment(
        loader=FileSystemLoader(SITE / "application"),
        autoescape=True,
        auto_reload=False,
        **JINJA_OPTIONS,
    )

    def render(name: str, **values: Any) -> str:
        return environment.get_template(name).render(values)

    def article(request: Any) -> Any:
        found = articles.by_slug(request.matchdict["slug"])
        if found is None:
            raise HTTPNotFound()
        html = article_page(found, articles, render, request.path)
        return PyramidResponse(html, content_type="text/html", charset="utf-8")

    with Configurator() as config:
        config.add_route("article", "/articles/{slug}.html")
        config.add_view(article, route_name="article", request_method="GET")
        made: WsgiApp = config.make_wsgi_app()
    return made


def implementations(cached: bool = False) -> dict[str, WsgiApp]:
    jetpy = Application(SITE)  # first: it puts bench/site on sys.path for `application.…`
    articles = importlib.import_module("application.classes.articles")
    apps: dict[str, WsgiApp] = {"jetpy": jetpy}
    if cached:  # the same site with its two article contents in the output cache (memory)
        cached_app = Application(SITE)
        cached_app.output_cache = OutputCache(MemoryBackend())
        for controller in cached_app.modules["content.articles"].controllers.values():
            controller.cacheable = True  # jetpy's own app has no cache backend: it ignores this
        apps["cached"] = cached_app
    return apps | {
        "flask": flask_app(articles),
        "pyramid": pyramid_app(articles),
        "floor": floor_app(articles),
    }


# measuring ------------------------------------------------------------------------------
def _ignore_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
    pass


def serve(app: WsgiApp, environ: Environ, start_response: StartResponse = _ignore_start) -> bytes:
    """One request; the environ is copied, since apps may store things in it."""
    result = app(dict(environ), start_response)
    try:
        return b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()


def answer(app: WsgiApp, environ: Environ) -> tuple[str, str]:
    statuses: list[str] = []
    body = serve(app, environ, lambda status, headers, exc_info=None: statuses.append(status))
    return statuses[0], body.decode()


def check_same_pages(apps: dict[str, WsgiApp], environ: Environ) -> None:
    """Every implementation answers 200 with the floor's HTML; otherwise show the diff."""
    answers = {name: answer(app, environ) for name, app in apps.items()}
    _, expected = answers["floor"]
    for name, (status, html) in answers.items():
        if not status.startswith("200"):
            sys.exit(f"{name} answered {status} for {PATH}")
        if html.split() != expected.split():
            diff = difflib.unified_diff(
                expected.splitlines(), html.splitlines(), "floor", name, lineterm=""
            )
            sys.exit(f"{name} renders a different page:\n" + "\n".join(diff))
    identical = all(html == expected for _, html in answers.values())
    sameness = "byte for byte" if identical else "up to whitespace"
    print(f"all {len(apps)} answer 200 with the same HTML, {sameness} ({len(expected):,} chars)")


class Round(NamedTuple):
    per_second: float  # requests per second, by the wall clock
    cpu: float  # microseconds of the process's CPU time per request


def run_round(app: WsgiApp, environ: Environ, count: int) -> Round:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        serve(app, environ)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return Round(count / wall, cpu / count * 1e6)


def measure(
    apps: dict[str, WsgiApp], environ: Environ, rounds: int, count: int
) -> dict[str, list[Round]]:
    """Rounds of every app, the order rotated by one per round.

    A round of one app is short (500 requests, ~50 ms), so the apps of one round run within
    a fraction of a second of each other and share the neighbours' load of that moment; the
    rotation gives each app each place in the order equally often, so none is always the one
    that runs right after a garbage collection or a neighbour's burst started.
    """
    names = list(apps)
    figures: dict[str, list[Round]] = {name: [] for name in names}
    for app in apps.values():
        run_round(app, environ, count // 10 or 1)  # warm-up: templates, lazy pages
    for number in range(rounds):
        shift = number % len(names)
        for name in names[shift:] + names[:shift]:
            figures[name].append(run_round(apps[name], environ, count))
        shown = "  ".join(f"{name} {done[-1].cpu:5.0f}" for name, done in figures.items())
        print(f"round {number + 1:2}/{rounds}: {shown} CPU µs/req", flush=True)
    return figures


class Spread(NamedTuple):
    median: float
    low: float  # first quartile
    high: float  # third quartile


def paired_ratios(figures: dict[str, list[Round]], name: str, against: str = "floor") -> Spread:
    """`against`'s CPU time over `name`'s, round by round: median and interquartile range.

    Both ran in the same round, side by side, so a neighbour's load that lasts seconds moves
    both alike and cancels out of the ratio; a burst that hit only one of them moves that
    round's ratio, which the median and the quartiles leave out.
    """
    ratios = [
        theirs.cpu / ours.cpu
        for theirs, ours in zip(figures[against], figures[name], strict=True)
        if ours.cpu > 0
    ]
    if len(ratios) < 2:
        only = ratios[0] if ratios else 0.0
        return Spread(only, only, only)
    low, median, high = statistics.quantiles(ratios, n=4)
    return Spread(median, low, high)


def report(figures: dict[str, list[Round]]) -> None:
    """Wall-clock medians and bests, CPU time per request, and the per-round paired ratios.

    The CPU time leaves out the time other processes of a shared machine had the CPU, so it
    swings less than the wall clock; neighbours still slow it down through shared caches. The
    paired ratio compares each app with the floor that ran in the same round.
    """
    per_second = {name: [r.per_second for r in rounds] for name, rounds in figures.items()}
    cpu = {name: statistics.median(r.cpu for r in rounds) for name, rounds in figures.items()}
    paired = {name: paired_ratios(figures, name) for name in figures}
    floor_median = statistics.median(per_second["floor"])
    floor_best = max(per_second["floor"])
    print(
        f"\n{'':8}{'median req/s':>14}{'best req/s':>12}{'median/floor':>14}{'best/floor':>12}"
        f"{'CPU µs/req':>12}{'by CPU':>8}{'paired (IQR)':>20}"
    )
    for name, values in per_second.items():
        median, best = statistics.median(values), max(values)
        spread = paired[name]
        print(
            f"{name:8}{median:14,.0f}{best:12,.0f}"
            f"{median / floor_median:14.2f}{best / floor_best:12.2f}"
            f"{cpu[name]:12.0f}{cpu['floor'] / cpu[name]:8.2f}"
            f"{spread.median:8.2f} ({spread.low:.2f}-{spread.high:.2f})"
        )
    if "cached" in cpu:
        print(f"\ncached / floor = {cpu['floor'] / cpu['cached']:.2f} by CPU time  (goal >= 3)")
    jetpy = statistics.median(per_second["jetpy"])
    print(
        f"\njetpy / floor = {paired['jetpy'].median:.2f} paired by round "
        f"(IQR {paired['jetpy'].low:.2f}-{paired['jetpy'].high:.2f}), "
        f"{cpu['floor'] / cpu['jetpy']:.2f} by the median CPU times, "
        f"{jetpy / floor_median:.2f} by the wall-clock medians  (goal >= 0.85)"
    )
    for other in ("flask", "pyramid"):
        median = statistics.median(per_second[other])
        spread = paired_ratios(figures, "jetpy", against=other)
        print(
            f"jetpy / {other} = {spread.median:.2f} paired by round "
            f"(IQR {spread.low:.2f}-{spread.high:.2f}), "
            f"{cpu[other] / cpu['jetpy']:.2f} by the median CPU times, "
            f"{jetpy / median:.2f} by the wall-clock medians  (goal > 1)"
        )


def profile(app: WsgiApp, environ: Environ, count: int, top: int = 25) -> None:
    """cProfile `count` requests and print the top self-times of functions in jetpy/."""
    run_round(app, environ, 100)
    profiler = cProfile.Profile()
    profiler.runcall(run_round, app, environ, count)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("tottime").print_stats(r"jetpy/", top)


# footprint: the Python code a request runs ----------------------------------------------
FOOTPRINT_CHUNK = 32  # bytes of bytecode (with its inline caches) counted as one piece


def footprint(app: WsgiApp, environ: Environ) -> tuple[int, int]:
    """Distinct Python functions one request runs, and 32-byte pieces of their bytecode.

    Deterministic, and a fair stand-in for the memory the interpreter reads: on this page
    the instructions of jetpy and the floor are nearly as many (callgrind), the difference is
    in the level-1 misses, a third of them the interpreter's loop reading each step's code.
    """
    for _ in range(50):  # warm: templates compiled, lazy pages and memos filled
        serve(app, environ)
    pieces: dict[Any, set[int]] = {}

    def trace(frame: Any, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            pieces.setdefault(frame.f_code, set()).add(frame.f_lasti // FOOTPRINT_CHUNK)
        return trace

    sys.settrace(trace)
    try:
        serve(app, environ)
    finally:
        sys.settrace(None)
    return len(pieces), sum(len(chunks) for chunks in pieces.values())


def report_footprint(apps: dict[str, WsgiApp], environ: Environ) -> None:
    print(f"\n{'':8}{'functions':>10}{'bytecode run':>14}  per request (32-byte pieces)")
    for name, app in apps.items():
        functions, pieces = footprint(app, environ)
        print(f"{name:8}{functions:10}{pieces:14}")


# callgrind: deterministic counts --------------------------------------------------------
CALLGRIND_WARM_UP = 300
CALLGRIND_REQUESTS = 300


def serve_under_callgrind(app: WsgiApp, environ: Environ, count: int) -> None:
    """Warm up, then serve `count` requests inside one functools.reduce call.

    callgrind collects only inside `functools_reduce` (--toggle-collect), so the start of the
    interpreter, the imports and the warm-up are left out of its counts.
    """
    for _ in range(CALLGRIND_WARM_UP):
        serve(app, environ)
    functools.reduce(lambda _, __: serve(app, environ), range(count), b"")


def callgrind_counts(name: str, count: int) -> dict[str, float]:
    """Run `name`'s requests under callgrind in a subprocess; its event totals per request."""
    with tempfile.TemporaryDirectory(prefix="jetpy-callgrind-") as folder:
        output = Path(folder) / "callgrind.out"
        # string hashes and addresses change where objects land in the caches: the same
        # hash seed, and no address randomisation where setarch can turn it off, make two
        # runs of the same code count the same
        steady = ["setarch", platform.machine(), "-R"] if shutil.which("setarch") else []
        command = [
            *steady,
            "valgrind",
            "--tool=callgrind",
            "--cache-sim=yes",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={output}",
            sys.executable,
            __file__,
            "--serve-under-callgrind",
            name,
            "--requests",
            str(count),
        ]
        subprocess.run(
            command,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        events: list[str] = []
        totals: list[int] = []
        for line in output.read_text().splitlines():
            if line.startswith("events:"):
                events = line.split()[1:]
            elif line.startswith(("summary:", "totals:")):
                totals = [int(value) for value in line.split()[1:]]
    if not events or not totals:
        sys.exit(f"callgrind wrote no event totals for {name}; is valgrind installed?")
    return {event: total / count for event, total in zip(events, totals, strict=False)}


def report_callgrind(names: list[str], count: int) -> None:
    """Instructions and level-1 instruction and data misses per request, per app.

    The level-1 caches are simulated as the machine's own (valgrind reads their sizes);
    the last level is left out: valgrind models it as one direct-mapped cache, not as a
    server's L3 is built, and finds next to no misses there on this page.
    """
    print(f"callgrind, {count} requests per app after {CALLGRIND_WARM_UP} unmeasured ones")
    print(f"{'':8}{'instructions':>14}{'L1 instr. misses':>18}{'L1 data misses':>16}")
    for name in names:
        per_request = callgrind_counts(name, count)
        data_misses = per_request.get("D1mr", 0) + per_request.get("D1mw", 0)
        code_misses = per_request.get("I1mr", 0)
        print(f"{name:8}{per_request['Ir']:14,.0f}{code_misses:18,.0f}{data_misses:16,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--requests", type=int, default=500, help="per round and app")
    parser.add_argument("--quick", action="store_true", help="4 rounds of 100 requests")
    parser.add_argument("--profile", type=int, metavar="N", help="profile N jetpy requests")
    parser.add_argument("--cached", action="store_true", help="add jetpy with the output cache")
    parser.add_argument(
        "--callgrind", action="store_true", help="instructions and cache misses per request"
    )
    parser.add_argument(
        "--footprint", action="store_true", help="functions and bytecode one request runs"
    )
    parser.add_argument("--serve-under-callgrind", metavar="APP", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.quick:
        options.rounds, options.requests = 4, 100
    if options.callgrind:
        names = ["jetpy", "flask", "pyramid", "floor"]
        report_callgrind([*names, "cached"] if options.cached else names, CALLGRIND_REQUESTS)
        return
    if options.serve_under_callgrind:  # the child process that --callgrind starts
        environ = EnvironBuilder(path=PATH, base_url="http://localhost/").get_environ()
        app = implementations(cached=True)[options.serve_under_callgrind]
        serve_under_callgrind(app, environ, options.requests)
        return
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}")
    apps = implementations(options.cached)
    environ = EnvironBuilder(path=PATH, base_url="http://localhost/").get_environ()
    check_same_pages(apps, environ)
    if options.profile:
        profile(apps["jetpy"], environ, options.profile)
        return
    if options.footprint:
        report_footprint(apps, environ)
        return
    print(f"{options.rounds} rounds of {options.requests:,} requests of {PATH} per app")
    report(measure(apps, environ, options.rounds, options.requests))


if __name__ == "__main__":
    main()
