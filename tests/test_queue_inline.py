"""The inline broker: queued listeners handled in the emitting process, right after the commit.

Same path as with a real broker (outbox row in the request's transaction, the JSON round trip,
`jetpy_handled`), no server: the set-up of a new project. Retries wait in a timer thread;
an exception with `retry = False` goes to the dead letters at once.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner
from werkzeug.test import Client

from jetpy import Application
from jetpy.cli.main import main
from jetpy.queue.brokers import Delivery
from jetpy.queue.inline import WHY_NOT, InlineBroker
from tests.conftest import HELLO_CONTROLLERS, ProjectFactory

CLASSES = """
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from jetpy import Event


@dataclass(frozen=True)
class Note(Event):
    event_name: ClassVar[str] = "test.note"

    text: str
    at: datetime
    then: str = ""  # emit another note with this text from the handler


class Refused(Exception):
    retry = False  # tried again it would fail again
"""

LISTENERS = """
import os
from datetime import datetime

from application.classes.notes import Note, Refused

FAILS = {}


def on_note(app, event):
    assert isinstance(event.at, datetime), "rebuilt from the JSON message"
    if event.text.startswith("fail"):
        FAILS[event.text] = FAILS.get(event.text, 0) + 1
        if FAILS[event.text] <= int(event.text[4:] or 99):
            raise RuntimeError("fails on purpose")
    if event.text == "refused":
        raise Refused("never")
    with open(os.environ["NOTES_FILE"], "a", encoding="utf-8") as file:
        file.write(event.text + "\\n")
    if event.then:
        app.events.emit(Note(text=event.then, at=event.at))
"""

EMITTER = (
    HELLO_CONTROLLERS
    + """
from datetime import UTC, datetime

from application.classes.notes import Note


class Emit(Controller):
    def default_action(self):
        args = self.request.args
        self.app.events.emit(Note(text=args["text"], at=datetime.now(UTC), then=args.get("then", "")))
        if args.get("crash"):
            raise RuntimeError("the request fails after emitting")
        self.render("hello.html", name=args["text"])
"""
)


@pytest.fixture
def notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "notes.txt"
    path.touch()
    monkeypatch.setenv("NOTES_FILE", str(path))
    return path


@pytest.fixture
def inline_app(make_project: ProjectFactory, notes: Path) -> Application:
    root = make_project(
        {
            "application/config.yaml": (
                "queue: {broker: inline, retry_delay: 0.05, max_attempts: 3}\n"
            ),
            "application/classes/__init__.py": "",
            "application/classes/notes.py": CLASSES,
            "application/modules/test/notes/manifest.yaml": (
                "label: Notes\nservice: true\nlistens:\n"
                "  test.note: {handler: on_note, queue: notes}\n"
            ),
            "application/modules/test/notes/listeners.py": LISTENERS,
            "application/modules/test/hello/controllers.py": EMITTER,
            "application/bases/web/pages/en_US/emit/page.yaml": (
                "title: Emit\ncontents:\n  - module: test.hello\n    controller: Emit\n"
            ),
            "application/data/modules.yaml": "test.hello: activated\ntest.notes: activated\n",
        }
    )
    return Application(root, use_cache=False)


def handled(app: Application) -> list[str]:
    with app.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT listener FROM jetpy_handled").all()
    return [row[0] for row in rows]


def test_a_request_s_queued_event_is_handled_before_its_response_returns(
    inline_app: Application, notes: Path
) -> None:
    assert isinstance(inline_app.outbox.broker, InlineBroker)
    response = Client(inline_app).get("/emit/?text=hello&then=second")
    assert response.status_code == 200
    # the handler's own event waited for it, then went the same way
    assert notes.read_text().splitlines() == ["hello", "second"]
    assert handled(inline_app) == ["test.notes:on_note", "test.notes:on_note"]
    assert inline_app.outbox.unsent() == 0


def test_a_failed_request_hands_nothing_to_its_listeners(
    inline_app: Application, notes: Path
) -> None:
    response = Client(inline_app).get("/emit/?text=lost&crash=1")
    assert response.status_code == 500
    assert notes.read_text() == ""
    with inline_app.db.engine.connect() as connection:
        assert (
            connection.execute(sqlalchemy.text("SELECT count(*) FROM jetpy_outbox")).scalar() == 0
        )


def test_outside_a_request_the_event_is_handled_at_once(
    inline_app: Application, notes: Path
) -> None:
    from application.classes.notes import Note  # type: ignore[import-not-found]

    inline_app.events.emit(Note(text="from a command", at=datetime.now(UTC)))
    assert notes.read_text() == "from a command\n"


def test_a_failure_is_logged_and_retried_in_a_timer(
    inline_app: Application, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="jetpy"):
        assert Client(inline_app).get("/emit/?text=fail2").status_code == 200
        assert notes.read_text() == ""  # the response did not wait for the retries
        deadline = time.monotonic() + 30
        while notes.read_text() == "" and time.monotonic() < deadline:
            time.sleep(0.02)
    assert notes.read_text() == "fail2\n"  # third attempt
    retried = [r for r in caplog.records if "failed (attempt" in r.getMessage()]
    assert [r.getMessage().split("attempt ")[1][0] for r in retried] == ["1", "2"]
    assert inline_app.outbox.broker.stats("notes").depth == 0


def test_after_the_last_attempt_or_a_permanent_failure_the_message_is_dead(
    inline_app: Application, notes: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broker = inline_app.outbox.broker
    with caplog.at_level(logging.WARNING, logger="jetpy"):
        Client(inline_app).get("/emit/?text=refused")  # retry = False: no second attempt
        assert broker.stats("notes").failed == 1 and broker.stats("notes").depth == 0
        assert "failed for good (never)" in caplog.text and "memory only" in caplog.text
        Client(inline_app).get("/emit/?text=fail")  # fails every time: 3 attempts
        deadline = time.monotonic() + 30
        while broker.stats("notes").failed < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    assert broker.stats("notes").failed == 2
    assert "failed 3 times" in caplog.text
    assert broker.purge_failed("notes") == 2 and broker.stats("notes").failed == 0
    assert notes.read_text() == ""


def test_close_cancels_the_waiting_retries(inline_app: Application, notes: Path) -> None:
    inline_app.config = dataclasses.replace(inline_app.config, queue_retry_delay=30.0)
    Client(inline_app).get("/emit/?text=fail1")
    broker = inline_app.outbox.broker
    assert broker.stats("notes").depth == 1
    broker.close()
    assert broker.stats("notes").depth == 0


@pytest.mark.parametrize("command", [["worker"], ["queues"], ["queues", "retry", "notes"]])
def test_worker_and_queues_refuse_the_inline_broker(
    inline_app: Application, command: list[str]
) -> None:
    arguments = [command[0], "--project", str(inline_app.root), *command[1:]]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 1, result.output
    assert WHY_NOT in " ".join(result.output.split())


def test_check_and_serve_say_where_queued_events_and_mail_go(
    inline_app: Application, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jetpy.cli.serve

    root = str(inline_app.root)
    checked = CliRunner().invoke(main, ["check", "--project", root])
    assert checked.exit_code == 0, checked.output
    lines = checked.output.splitlines()
    assert any(line.startswith("mail: written as .eml files into ") for line in lines)
    assert "queues notes: handled by the process that emits their events" in checked.output

    monkeypatch.setattr(jetpy.cli.serve.os, "execvpe", lambda *args: None)
    served = CliRunner().invoke(main, ["serve", "--project", root])
    assert served.exit_code == 0, served.output
    assert "warning: config.yaml `queue: {broker: inline}` runs the listeners of notes" in (
        served.output
    )

    config = inline_app.root / "application" / "config.yaml"
    config.write_text(
        "queue: {broker: redis, url: 'redis://127.0.0.1:6379/13'}\n"
        "mail: {backend: smtp, host: smtp.example.com, port: 587, tls: starttls}\n"
    )
    checked = CliRunner().invoke(main, ["check", "--project", root])
    assert "mail: sent to the SMTP server smtp.example.com:587 (tls: starttls)" in checked.output
    assert (
        "queues notes: published to redis at redis://127.0.0.1:6379/13; `jetpy worker` handles"
        in checked.output
    )
    served = CliRunner().invoke(main, ["serve", "--project", root])
    assert served.exit_code == 0 and "warning" not in served.output


def test_a_failure_outside_the_handler_is_retried_then_dead(
    inline_app: Application, notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jetpy.queue.inline

    real, calls = jetpy.queue.inline.handle, []

    def database_gone_once(app: Application, queue: str, delivery: Delivery) -> str:
        calls.append(delivery.attempts)
        if len(calls) == 1:
            raise ConnectionError("the database went away")
        return real(app, queue, delivery)

    monkeypatch.setattr(jetpy.queue.inline, "handle", database_gone_once)
    assert Client(inline_app).get("/emit/?text=later").status_code == 200
    deadline = time.monotonic() + 30
    while notes.read_text() == "" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert notes.read_text() == "later\n" and calls == [0, 1]

    monkeypatch.setattr(jetpy.queue.inline, "handle", lambda *args: 1 / 0)
    Client(inline_app).get("/emit/?text=never")
    broker = inline_app.outbox.broker
    while broker.stats("notes").failed == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert broker.stats("notes").failed == 1  # after max_attempts (3)
