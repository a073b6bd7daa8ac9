"""A category page of the example site, paged in SQL or in Python (issue 13).

The demo catalog (`application/seed.py`) in a fresh SQLite file; the Electronics category
(84 products with its subcategories, 24 a page) requested in process, without the output
cache: sorted by name (the default: a count and one page of products from SQL) and by price
(every product of the category read, priced, sorted and paged in Python). Interleaved rounds,
CPU time of this process per request, the median of the rounds.

    python bench/bench_catalog_paging.py [--rounds 7] [--requests 40]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URLS = {
    "name sort, paged in SQL": "/products/electronics",
    "name sort, page 3 (SQL)": "/products/electronics/page-3",
    "price sort, paged in Python": "/products/electronics?sort=price",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jetpy-bench-paging-"))
    os.environ["JETPY_DATABASE_URL"] = f"sqlite:///{folder / 'site.sqlite3'}"
    os.environ["JETPY_MEDIA_DIR"] = str(folder / "media")
    os.environ["JETPY_CACHE_BACKEND"] = "none"
    sys.path.insert(0, str(ROOT))
    from werkzeug.test import Client

    from application.seed import seed
    from jetpy import Application
    from jetpy.data.db import application_tables

    app = Application(ROOT, use_cache=False)
    states = {name: module.state for name, module in app.modules.items()}
    app.db.create_tables(application_tables(app.modules, states))
    with app.db.session() as session:
        seed(session, app.media)
        session.commit()
    client = Client(app)
    for url in URLS.values():
        assert client.get(url).status_code == 200, url
    times: dict[str, list[float]] = {name: [] for name in URLS}
    for _ in range(args.rounds):
        for name, url in URLS.items():
            started = time.process_time()
            for _ in range(args.requests):
                client.get(url)
            times[name].append((time.process_time() - started) / args.requests * 1e6)
    for name, found in times.items():
        print(f"{name:30} {statistics.median(found):9.0f} µs CPU per request")


if __name__ == "__main__":
    main()
