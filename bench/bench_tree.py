"""How jetpy scales with the page tree: resolution and start time at 10 to 100,000 pages.

Run from the repository root:

    python bench/bench_tree.py                   # 10, 1,000 and 100,000 pages
    python bench/bench_tree.py --quick           # 10 and 1,000 pages, fewer repeats
    python bench/bench_tree.py --sizes 10 100000 --keep

For each size the script writes a project into a temporary folder under /tmp: base `web`, one
locale at `/`, a one-position layout, and page folders three levels deep, as wide as the size
needs (47 children a page for 100,000 pages), each with a small page.yaml. Every figure comes from
fresh subprocesses, so imports and caches do not leak from one measurement into the next:

- cold start: `Application(dir)` with the compiled page-map cache removed (it scans and
  validates every page.yaml, then writes the cache);
- warm start: `Application(dir)` reading the cache the cold start wrote (its CPU time is
  reported too: on a shared machine the wall clock also counts the time others had the CPU);
- resolution of a depth-3 page: the page-match step alone (`app.url_map.match` and
  `app.trees[(base, locale)].match`) and a full request through the WSGI app.

Start times are of `Application(...)` alone; `import jetpy` is reported beside them. The
rounds of resolution figures interleave the sizes; the best round is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SIZES = (10, 1_000, 100_000)
HOST = "localhost"

BASE_YAML = """name: Web
default: true
locales:
  en_US:
    urls: [/]
    title: Tree bench
"""
LAYOUT = """<!doctype html>
<html><head>{{ head() }}</head>
<body><main>{{ position("main") }}</main></body></html>
"""
PAGE_YAML = """title: Page {name}
order: {order}
contents:
  - output: "<p>This is page {name}.</p>"
"""


# the generated project --------------------------------------------------------------------
def fanout_for(pages: int) -> int:
    """The number of children per page so that three levels hold `pages` pages."""
    fanout = 1
    while fanout + fanout**2 + fanout**3 < pages:
        fanout += 1
    return fanout


def page_paths(pages: int) -> list[str]:
    """Relative paths of `pages` pages, level by level: `s3`, `s3/s3-7`, `s3/s3-7/p3-7-1`."""
    span = range(fanout_for(pages))
    level1 = [f"s{i}" for i in span]
    level2 = [f"s{i}/s{i}-{j}" for i in span for j in span]
    level3 = [f"s{i}/s{i}-{j}/p{i}-{j}-{k}" for i in span for j in span for k in span]
    return [*level1, *level2, *level3][:pages]


def write_file(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def write_project(root: Path, pages: int) -> str:
    """Write a project with `pages` pages below the homepage; return a depth-3 page's URL."""
    app_dir = root / "application"
    base_dir = app_dir / "bases" / "web"
    pages_dir = base_dir / "pages" / "en_US"
    os.makedirs(base_dir / "layouts")
    os.makedirs(pages_dir)
    os.makedirs(app_dir / "data")  # as in a real project (application/data/.gitkeep)
    write_file(str(app_dir / "config.yaml"), "debug: false\n")
    write_file(str(base_dir / "base.yaml"), BASE_YAML)
    write_file(str(base_dir / "layouts" / "default.html"), LAYOUT)
    write_file(str(pages_dir / "page.yaml"), "title: Home\n")
    paths = page_paths(pages)
    for path in paths:
        folder = os.path.join(pages_dir, path)
        name = path.rsplit("/", 1)[-1]
        os.mkdir(folder)
        order = int(name.rsplit("-", 1)[-1].lstrip("s"))  # its place among its siblings
        write_file(os.path.join(folder, "page.yaml"), PAGE_YAML.format(name=name, order=order))
    deepest = [path for path in paths if path.count("/") == 2]
    return f"/{deepest[-1]}/"


def cache_file(root: Path) -> Path:
    return root / "application" / "data" / "cache" / "pages.marshal"


# the measurements, each run in a fresh subprocess -------------------------------------------
def start_worker(project: str) -> dict[str, Any]:
    """Import jetpy and start the application; the times of both."""
    began = time.perf_counter()
    from jetpy import Application

    imported, cpu = time.perf_counter(), time.process_time()
    app = Application(project)
    started, cpu = time.perf_counter(), time.process_time() - cpu
    return {
        "import": imported - began,
        "start": started - imported,
        "start_cpu": cpu,  # what the load of a shared machine moves less than the wall clock
        "from_cache": app.project.from_cache,
        "pages": sum(len(tree) for tree in app.trees.values()),
    }


def resolve_worker(project: str, path: str, repeat: int) -> dict[str, Any]:
    """Best time of the page-match step and of a full request for the page at `path`."""
    from werkzeug.test import EnvironBuilder

    from jetpy import Application

    app = Application(project)
    url_map, trees = app.url_map, app.trees

    def match_step() -> Any:
        found = url_map.match(HOST, path)
        assert found is not None
        locale, _, rest = found
        return trees[(locale.base.id, locale.name)].match(rest.strip("/"))

    page, leftover = match_step()
    assert page.relative_path.count("/") == 2 and leftover == "", (page, leftover)
    environ = EnvironBuilder(path=path, base_url=f"http://{HOST}/").get_environ()
    statuses: list[str] = []

    def request() -> None:
        for _ in app(dict(environ), lambda status, headers, exc_info=None: statuses.append(status)):
            pass

    request()
    assert statuses == ["200 OK"], statuses
    return {
        "match_ns": best(match_step, 20_000, repeat) * 1e9,
        "request_us": best(request, 1_000, repeat) * 1e6,
    }


def best(call: Any, number: int, repeat: int) -> float:
    """The best time of one call, garbage collection on as in a real server."""
    timer = timeit.Timer(call, "gc.enable()")
    return min(timer.repeat(repeat=repeat, number=number)) / number


def in_subprocess(*arguments: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", *arguments]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# running and reporting -----------------------------------------------------------------------
@dataclass
class Figures:
    """What was measured for one size."""

    pages: int
    url: str
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    warm_cpu: list[float] = field(default_factory=list)
    imports: list[float] = field(default_factory=list)
    match_ns: list[float] = field(default_factory=list)
    request_us: list[float] = field(default_factory=list)


def measure_starts(root: Path, figures: Figures, repeat: int) -> None:
    for cold in [True] * repeat + [False] * repeat:
        if cold:
            cache_file(root).unlink(missing_ok=True)
        result = in_subprocess("start", str(root))
        if result["from_cache"] == cold or result["pages"] != figures.pages + 1:
            sys.exit(f"unexpected start of {root}: {result}")
        (figures.cold if cold else figures.warm).append(result["start"])
        if not cold:
            figures.warm_cpu.append(result["start_cpu"])
        figures.imports.append(result["import"])
        kind = "cold" if cold else "warm"
        print(
            f"  {figures.pages:>7,} pages: {kind} start {result['start']:.3f} s"
            f" (CPU {result['start_cpu']:.3f} s)",
            flush=True,
        )


def measure_resolution(roots: dict[int, Path], figures: dict[int, Figures], rounds: int) -> None:
    for number in range(1, rounds + 1):
        for pages, root in roots.items():
            result = in_subprocess("resolve", str(root), figures[pages].url)
            figures[pages].match_ns.append(result["match_ns"])
            figures[pages].request_us.append(result["request_us"])
            print(
                f"  round {number}/{rounds}, {pages:>7,} pages: match {result['match_ns']:.0f} ns,"
                f" request {result['request_us']:.1f} µs",
                flush=True,
            )


def report(all_figures: list[Figures]) -> None:
    print(
        f"\n{'pages':>8} {'depth-3 URL':<22} {'match ns':>9} {'request µs':>11}"
        f" {'cold start s':>13} {'warm start s':>13} {'import jetpy s':>15}"
    )
    for figures in all_figures:
        print(
            f"{figures.pages:>8,} {figures.url:<22} {min(figures.match_ns):9.0f}"
            f" {min(figures.request_us):11.1f} {statistics.median(figures.cold):13.3f}"
            f" {statistics.median(figures.warm):13.3f} {statistics.median(figures.imports):15.3f}"
        )
    print("(match and request: best round; starts: median of the repeats)")
    smallest, largest = all_figures[0], all_figures[-1]
    if largest.pages > smallest.pages:
        match = min(largest.match_ns) / min(smallest.match_ns)
        request = min(largest.request_us) / min(smallest.request_us)
        ratio = f"{largest.pages:,} / {smallest.pages:,} pages"
        print(f"\nmatch step   {ratio}: {match:.2f}  (goal <= 1.2)")
        print(f"full request {ratio}: {request:.2f}  (goal <= 1.2)")
    warm, cpu = statistics.median(largest.warm), statistics.median(largest.warm_cpu)
    print(
        f"warm start with {largest.pages:,} pages: {warm:.2f} s, CPU {cpu:.2f} s"
        "  (goal < 1 s at 100,000)"
    )


def run(sizes: list[int], repeat: int, rounds: int, keep: bool) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="jetpy-bench-tree-"))
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}")
    print(f"projects in {workdir}")
    try:
        roots: dict[int, Path] = {}
        figures: dict[int, Figures] = {}
        for pages in sizes:
            began = time.perf_counter()
            roots[pages] = workdir / f"pages-{pages}"
            figures[pages] = Figures(pages, write_project(roots[pages], pages))
            print(f"wrote {pages:,} pages in {time.perf_counter() - began:.1f} s", flush=True)
            measure_starts(roots[pages], figures[pages], repeat)
        print("resolution of a depth-3 page:")
        measure_resolution(roots, figures, rounds)
        report(list(figures.values()))
    finally:
        if keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=3, help="starts of each kind per size")
    parser.add_argument("--rounds", type=int, default=3, help="resolution rounds over all sizes")
    parser.add_argument("--quick", action="store_true", help="10 and 1,000 pages, 2 repeats")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.worker:
        kind, *arguments = options.worker
        if kind == "start":
            print(json.dumps(start_worker(*arguments)))
        else:
            print(json.dumps(resolve_worker(arguments[0], arguments[1], repeat=5)))
        return
    if options.quick:
        options.sizes, options.repeat, options.rounds = [10, 1_000], 2, 2
    run(sorted(options.sizes), options.repeat, options.rounds, options.keep)


if __name__ == "__main__":
    main()
