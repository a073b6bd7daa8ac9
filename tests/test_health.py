"""The health endpoint (jetpy.data.health): 200 when the database answers, 503 when not."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.data.db import Database
from jetpy.data.health import database_reachable

ProjectFactory = Callable[..., Path]


def test_health_is_ok_when_the_database_answers(make_project: ProjectFactory, db_url: str) -> None:
    response = Client(Application(make_project())).get("/_health")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.get_data()) == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"
    assert Client(Application(make_project())).head("/_health").status_code == 200


def test_health_is_503_without_the_database_and_tells_the_log_only(
    make_project: ProjectFactory,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database's folder should be")
    monkeypatch.setenv("JETPY_DATABASE_URL", f"sqlite:///{blocker / 'site.sqlite3'}")
    with caplog.at_level(logging.WARNING, logger="jetpy.health"):
        response = Client(Application(make_project())).get("/_health")
    assert response.status_code == 503
    assert json.loads(response.get_data()) == {"status": "unavailable", "database": "unreachable"}
    assert "not-a-folder" not in response.get_data(as_text=True)  # no details leak
    assert "the database is unreachable" in caplog.text


def test_health_answers_only_get_and_head(make_project: ProjectFactory) -> None:
    response = Client(Application(make_project())).post("/_health")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_the_health_path_is_configurable_and_can_be_turned_off(
    make_project: ProjectFactory,
) -> None:
    moved = make_project({"application/config.yaml": "health_path: /status/db\n"})
    client = Client(Application(moved))
    assert client.get("/status/db").status_code == 200
    assert client.get("/_health").status_code == 404
    off = make_project({"application/config.yaml": "health_path: ''\n"})
    assert Client(Application(off)).get("/_health").status_code == 404


@pytest.mark.parametrize("path", ["_health", "/a b", "//evil.example.com", "/../x"])
def test_a_health_path_that_is_not_a_plain_path_is_a_definition_problem(
    make_project: ProjectFactory, path: str
) -> None:
    from jetpy.errors import DefinitionError

    project = make_project({"application/config.yaml": f"health_path: {json.dumps(path)}\n"})
    with pytest.raises(DefinitionError, match="health_path"):
        Application(project)


def test_a_database_that_never_answers_is_503_within_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # a server that takes the TCP connection (the kernel's backlog does) and never says a word:
    # what a database host behind a packet-dropping firewall looks like to the driver
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(4)
    port = silent.getsockname()[1]
    db = Database(f"postgresql+psycopg://nobody@127.0.0.1:{port}/nothing")
    try:
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="jetpy.health"):
            assert database_reachable(db, timeout=0.5) is False
        # bounded: the driver alone would wait for ever; 0.5 s plus a loaded machine's slack
        assert time.monotonic() - started < 5.0
        assert "did not answer within 0.5 s" in caplog.text
    finally:
        silent.close()  # the waiting probe gets its connection reset and ends
        db.dispose()
