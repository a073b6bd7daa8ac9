"""CPU time of the site search's results page against an uncached article page.

Run from the repository root:

    python bench/bench_search.py            # 7 rounds of 200 requests per URL
    python bench/bench_search.py --quick    # 2 rounds of 20

The example application on a seeded SQLite copy in a temporary folder (demo data: 50
articles and 199 products in two locales, the index built by the seed), called in-process
as a WSGI callable. Rounds interleave the URLs; each line is the median CPU time of the
process per request and its ratio to the article page (the output cache is off: both are
rendered every time). The machine's load is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
URLS = [
    ("article page (reference)", "/articles/micro-routers.html"),
    ("search, 23 results", "/search/?q=module"),
    ("search, page 2", "/search/page-2?q=module"),
    ("search, Czech", "/cs/hledani/?q=sluchatka"),
    ("search, typo corrected", "/search/?q=prodcut"),
    ("search, nothing found", "/search/?q=xylophone"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 20 requests")
    options = parser.parse_args()
    rounds, count = (2, 20) if options.quick else (7, 200)
    folder = Path(tempfile.mkdtemp(prefix="jetpy-bench-search-"))
    os.environ["JETPY_DATABASE_URL"] = f"sqlite:///{folder / 'site.sqlite3'}"
    os.environ["JETPY_MEDIA_DIR"] = str(folder / "media")
    os.environ["JETPY_CACHE_BACKEND"] = "none"
    sys.path.insert(0, str(REPO))

    from werkzeug.test import Client

    from jetpy import Application
    from jetpy.data.db import application_tables

    app = Application(REPO, use_cache=False)
    states = {name: module.state for name, module in app.modules.items()}
    app.db.create_tables(application_tables(app.modules, states))
    from application.seed import seed

    with app.db.session() as session:
        print(seed(session, app.media))
        session.commit()
    client = Client(app)
    for _, url in URLS:  # warm: templates compiled, statements cached
        for _ in range(5):
            assert client.get(url).status_code == 200, url
    times: dict[str, list[float]] = {url: [] for _, url in URLS}
    for _ in range(rounds):
        for _, url in URLS:
            started = time.process_time()
            for _ in range(count):
                client.get(url).close()
            times[url].append((time.process_time() - started) / count * 1e6)
    reference = statistics.median(times[URLS[0][1]])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {rounds} x {count}")
    for name, url in URLS:
        median = statistics.median(times[url])
        print(f"{name:26} {url:32} {median:7.0f} µs CPU  {median / reference:4.2f}x")
    app.db.dispose()


if __name__ == "__main__":
    main()
