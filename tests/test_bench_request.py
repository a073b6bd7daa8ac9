"""bench/bench_request.py: jetpy, Flask, Pyramid and the floor answer the same article page."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench_request(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("bench_request")


def test_every_implementation_answers_the_floors_html(bench_request: ModuleType) -> None:
    apps = bench_request.implementations(cached=True)
    assert set(apps) == {"jetpy", "cached", "flask", "pyramid", "floor"}
    environ = bench_request.EnvironBuilder(
        path=bench_request.PATH, base_url="http://localhost/"
    ).get_environ()
    answers = {name: bench_request.answer(app, environ) for name, app in apps.items()}
    status, floor = answers["floor"]
    assert status == "200 OK"
    assert "<title>Notes on pages, part 10 | Bench site</title>" in floor
    for name, (status, html) in answers.items():
        assert status == "200 OK", name
        assert html == floor, name  # byte for byte, as the bench reports
    bench_request.check_same_pages(apps, environ)  # the script's own check passes too


def test_pyramid_answers_404_for_an_unknown_article(bench_request: ModuleType) -> None:
    articles = importlib.import_module("application.classes.articles")
    app = bench_request.pyramid_app(articles)
    environ = bench_request.EnvironBuilder(
        path="/articles/no-such-article.html", base_url="http://localhost/"
    ).get_environ()
    status, _ = bench_request.answer(app, environ)
    assert status == "404 Not Found"


def test_a_quick_round_measures_every_implementation(bench_request: ModuleType) -> None:
    apps = bench_request.implementations()
    environ = bench_request.EnvironBuilder(
        path=bench_request.PATH, base_url="http://localhost/"
    ).get_environ()
    figures = bench_request.measure(apps, environ, rounds=1, count=5)
    assert set(figures) == {"jetpy", "flask", "pyramid", "floor"}
    assert all(rounds[0].per_second > 0 and rounds[0].cpu >= 0 for rounds in figures.values())
