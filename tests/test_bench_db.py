"""bench/bench_db.py: jetpy and Flask answer the same two pages from the seeded database."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench_db(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # bench_db imports its helpers from bench_request
    return importlib.import_module("bench_db")


@pytest.fixture
def bench(bench_db: ModuleType, db_url: str) -> Iterator[Any]:
    made = bench_db.implementations()  # on db_url: SQLite in tmp_path, or the test PostgreSQL
    yield made
    made.close()


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "article",
            [
                "<title>Micro-routers instead of a route table | Jetpy Example</title>",
                '<li aria-current="page">Micro-routers instead of a route table</li>',
                '<a href="/articles/bases-and-locales.html">Bases and locales</a>',  # side
                # the same article in Czech, in the switch and in the head
                '<a href="/cs/clanky/mikrorouter.html" hreflang="cs" lang="cs">CS</a>',
                '<link rel="alternate" hreflang="cs-CZ" href="http://localhost/cs/clanky/mikrorouter.html">',
            ],
        ),
        (
            "product",
            [
                "<title>Auris Studio headphones (ocean) | Jetpy Example</title>",
                '<li><a href="/products/electronics/audio">Audio</a></li>',
                "<dd>€80.90</dd>",
                "<dd><del>€113.90</del> (excl. VAT)</dd>",
                '<li><a href="/sitemap/">Sitemap</a></li>',  # the footer menu
            ],
        ),
    ],
)
def test_both_apps_answer_the_same_page(
    bench_db: ModuleType, bench: Any, page: str, expected: list[str]
) -> None:
    check = bench_db.check_page(bench, page)
    assert check.problems() == []
    assert set(check.statuses.values()) == {"200 OK"}
    for name, body in check.bodies.items():
        for text in expected:
            assert text in body, f"{name}: {text}"
    assert check.statements["jetpy"] == check.statements["flask"] > 0


def test_a_different_page_is_reported_with_a_diff(bench_db: ModuleType) -> None:
    check = bench_db.PageCheck(
        "article",
        {"jetpy": "200 OK", "flask": "404 NOT FOUND"},
        {"jetpy": "<h1>One</h1>", "flask": "<h1>Two</h1>"},
        {"jetpy": 2, "flask": 3},
    )
    problems = check.problems()
    assert problems[0] == f"flask answered 404 NOT FOUND for {bench_db.ARTICLE}"
    assert "-<h1>One</h1>\n+<h1>Two</h1>" in problems[1]
    assert "different numbers of SQL statements" in problems[2]


def test_the_seeded_pages_are_measured_for_each_app(
    bench_db: ModuleType, bench: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = bench_db.measure(bench.runs(), rounds=1, count=2)
    assert set(figures) == {
        (page, app) for page in ("article", "product") for app in ("jetpy", "flask", "queries")
    }
    assert all(
        len(values) == 1 and values[0].per_second > 0 and values[0].cpu > 0
        for values in figures.values()
    )
    bench_db.report(figures)
    out = capsys.readouterr().out
    assert "product: jetpy / flask = " in out
    assert "the queries alone take " in out
