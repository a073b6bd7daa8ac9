"""The robustness suite's small version (bench/robustness/): fuzz, gunicorn, a killed worker.

It runs `python -m bench.robustness` in a process of its own (it copies the example project,
creates a database on the PostgreSQL server, serves it with gunicorn on 127.0.0.1) and reads
the figures it writes: no answer of 500 or more, no acknowledged write lost. Without gunicorn
or PostgreSQL it skips, saying how to get them; under CI=true it fails instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

from bench.robustness.site import server_url

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def missing_piece() -> str | None:
    """Why the suite cannot run here, or None."""
    if importlib.util.find_spec("gunicorn") is None:
        return "gunicorn is missing: pip install -e '.[test]' (or pip install gunicorn)"
    url = server_url()
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.OperationalError:
        shown = sqlalchemy.make_url(url).render_as_string(hide_password=True)
        return (
            f"PostgreSQL at {shown} is not reachable: start it (pg_ctlcluster <version> main "
            "start) or set JETPY_ROBUSTNESS_DATABASE_URL to a server where you may create databases"
        )
    finally:
        engine.dispose()
    return None


@pytest.fixture
def figures(tmp_path: Path) -> dict[str, object]:
    reason = missing_piece()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    written = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.robustness", "--json", str(written)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert written.exists(), f"no figures; the run said:\n{done.stdout}\n{done.stderr}"
    found: dict[str, object] = json.loads(written.read_text())
    found["report"] = done.stdout
    return found


def test_hostile_input_and_a_killed_worker_give_no_5xx_and_lose_no_write(
    figures: dict[str, object],
) -> None:
    report = figures["report"]
    inner, http, load = figures["in_process"], figures["gunicorn_sample"], figures["load"]
    assert isinstance(inner, dict) and isinstance(http, dict) and isinstance(load, dict)
    assert inner["sent"] == {"url": 1_000, "form": 200, "body": 200}, report
    assert http["sent"] == {"url": 100, "form": 20, "body": 20}, report
    assert figures["crawl"]["forms"] >= 40, report  # type: ignore[index]
    assert load["killed_worker"] is not None and load["workers_after"] == 2, report
    assert load["acknowledged_writes"] > 0, report
    assert load["lost_acknowledged_writes"] == 0, report
    assert figures["total_5xx"] == 0, report
