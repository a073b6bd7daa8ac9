"""Events between modules: order, nesting, guards, failures, requests, and manifest checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import ClassVar

import pytest
from werkzeug.test import Client

from jetpy import Application, DefinitionError, Event, JetpyError
from tests.conftest import ProjectFactory


@dataclass(frozen=True)
class Ping(Event):
    event_name: ClassVar[str] = "test.ping"

    log: list[str] = field(default_factory=list)  # handlers write what they did here
    label: str = ""


@dataclass(frozen=True)
class Step(Event):
    event_name: ClassVar[str] = "test.step"

    log: list[str]
    label: str


def listener_module(name: str, listens: dict[str, str], code: str) -> dict[str, str]:
    """Files of a module `name` whose listeners.py holds `code`."""
    folder = "application/modules/" + name.replace(".", "/")
    entries = "".join(f"  {event}: {handler}\n" for event, handler in listens.items())
    return {
        f"{folder}/manifest.yaml": f"label: {name}\nlistens:\n{entries}",
        f"{folder}/listeners.py": code,
    }


def states(*activated: str, installed: tuple[str, ...] = ()) -> dict[str, str]:
    lines = [f"{name}: activated\n" for name in ("test.hello", *activated)]
    lines += [f"{name}: installed\n" for name in installed]
    return {"application/data/modules.yaml": "".join(lines)}


RECORD = """
def record(app, event):
    event.log.append("{name}")
"""


# delivery outside a request -------------------------------------------------------------
def test_listeners_run_at_once_in_alphabetical_order_of_modules(
    make_project: ProjectFactory,
) -> None:
    files: dict[str, str | None] = {}
    for name in ("zeta.last", "alpha.first", "mid.dle"):
        files.update(listener_module(name, {"test.ping": "record"}, RECORD.format(name=name)))
    app = Application(make_project({**files, **states("zeta.last", "alpha.first", "mid.dle")}))
    event = Ping()
    app.events.emit(event)
    assert event.log == ["alpha.first", "mid.dle", "zeta.last"]
    assert [str(each) for each in app.events.listeners_of("test.ping")] == [
        "alpha.first:record",
        "mid.dle:record",
        "zeta.last:record",
    ]


def test_only_activated_modules_hear_events(make_project: ProjectFactory) -> None:
    files = {
        **listener_module("a.on", {"test.ping": "record"}, RECORD.format(name="a.on")),
        **listener_module("b.off", {"test.ping": "record"}, RECORD.format(name="b.off")),
        **listener_module("c.gone", {"test.ping": "record"}, RECORD.format(name="c.gone")),
    }
    app = Application(make_project({**files, **states("a.on", installed=("b.off",))}))
    event = Ping()
    app.events.emit(event)
    assert event.log == ["a.on"]
    app.modules["b.off"].state = "activated"  # what `jetpy modules activate` leads to
    app.events.emit(event)
    assert event.log == ["a.on", "a.on", "b.off"]


def test_events_emitted_by_handlers_follow_breadth_first(make_project: ProjectFactory) -> None:
    step = """
from tests.test_events import Step


def start(app, event):
    event.log.append("{name}: start")
    app.events.emit(Step(event.log, "{name}"))
"""
    steps = """
from tests.test_events import Step


def step(app, event):
    event.log.append("c.steps: " + event.label)
    if "." in event.label and event.label.count("/") < 1:
        app.events.emit(Step(event.log, event.label + "/child"))
"""
    files = {
        **listener_module("a.one", {"test.ping": "start"}, step.format(name="a.one")),
        **listener_module("b.two", {"test.ping": "start"}, step.format(name="b.two")),
        **listener_module("c.steps", {"test.step": "step"}, steps),
    }
    app = Application(make_project({**files, **states("a.one", "b.two", "c.steps")}))
    event = Ping()
    app.events.emit(event)
    assert event.log == [
        "a.one: start",
        "b.two: start",
        "c.steps: a.one",
        "c.steps: b.two",
        "c.steps: a.one/child",
        "c.steps: b.two/child",
    ]


LOOP = """
from tests.test_events import Ping


def again(app, event):
    event.log.append("again")
    app.events.emit(Ping(event.log))
"""


def test_a_chain_that_loops_is_cut_off_with_an_error(
    make_project: ProjectFactory, caplog: pytest.LogCaptureFixture
) -> None:
    files = listener_module("a.loop", {"test.ping": "again"}, LOOP)
    app = Application(make_project({**files, **states("a.loop")}))
    app.events.max_depth = 5
    event = Ping()
    with caplog.at_level(logging.ERROR, logger="jetpy"):
        app.events.emit(event)
    assert event.log == ["again"] * 5
    assert "event test.ping not delivered: it is 5 events deep" in caplog.text
    assert "does a handler emit, directly or not, the event it listens to?" in caplog.text


def test_a_delivery_carries_at_most_max_events(
    make_project: ProjectFactory, caplog: pytest.LogCaptureFixture
) -> None:
    code = """
from tests.test_events import Ping


def twice(app, event):
    event.log.append("x")
    app.events.emit(Ping(event.log))
    app.events.emit(Ping(event.log))
"""
    files = listener_module("a.fork", {"test.ping": "twice"}, code)
    app = Application(make_project({**files, **states("a.fork")}))
    app.events.max_events = 20
    event = Ping()
    with caplog.at_level(logging.ERROR, logger="jetpy"):
        app.events.emit(event)
    assert len(event.log) == 20
    assert "one delivery may carry at most 20 events" in caplog.text


def test_a_failing_handler_is_logged_and_the_others_still_run(
    make_project: ProjectFactory, caplog: pytest.LogCaptureFixture
) -> None:
    failing = """
def explode(app, event):
    event.log.append("a.bad")
    raise RuntimeError("the disk is full")
"""
    files = {
        **listener_module("a.bad", {"test.ping": "explode"}, failing),
        **listener_module("b.good", {"test.ping": "record"}, RECORD.format(name="b.good")),
    }
    app = Application(make_project({**files, **states("a.bad", "b.good")}))
    event = Ping()
    with caplog.at_level(logging.ERROR, logger="jetpy"):
        app.events.emit(event)  # the emitter is not affected
    assert event.log == ["a.bad", "b.good"]
    [record] = caplog.records
    assert record.name == "jetpy"
    assert "event test.ping (Ping): handler a.bad:explode failed" in record.getMessage()
    assert record.exc_info is not None and "the disk is full" in str(record.exc_info[1])


def test_an_event_without_listeners_is_fine(app: Application) -> None:
    app.events.emit(Ping())
    assert app.events.listeners_of("test.ping") == []


@pytest.mark.parametrize("thing", [object(), Event()])
def test_emitting_what_is_not_a_named_event_is_an_error(app: Application, thing: object) -> None:
    with pytest.raises(JetpyError, match=r"cannot emit .*subclassing jetpy\.Event"):
        app.events.emit(thing)  # type: ignore[arg-type]


# during a request -------------------------------------------------------------------------
EMITTER = """
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from jetpy import Controller
from tests.test_events import Ping

LOG = []


class Main(Controller):
    def default_action(self):
        mode = self.request.args.get("mode", "")
        self.app.events.emit(Ping(LOG, mode))
        LOG.append("action went on")
        if mode == "404":
            raise NotFound()
        if mode == "500":
            raise RuntimeError("the action broke")
        if mode == "redirect":
            return redirect(self.page.url(), 303)
        self.render("done.html")
"""

HANDLER = """
from application.modules.test.emitter.controllers import LOG


def record(app, event):
    LOG.append("handler saw " + event.label)
    if event.label == "fail":
        raise ValueError("handler broke")
"""


@pytest.fixture
def emitter(make_project: ProjectFactory) -> tuple[Client, list[str]]:
    files = {
        "application/modules/test/emitter/manifest.yaml": "label: Emitter\n",
        "application/modules/test/emitter/controllers.py": EMITTER,
        "application/modules/test/emitter/views/done.html": "<p>done</p>",
        "application/bases/web/pages/en_US/emit/page.yaml": (
            "title: Emit\ncontents:\n  - module: test.emitter\n"
        ),
        **listener_module("test.listener", {"test.ping": "record"}, HANDLER),
        **states("test.emitter", "test.listener"),
    }
    app = Application(make_project(files), use_cache=False)
    from application.modules.test.emitter.controllers import (  # type: ignore[import-not-found]
        LOG,
    )

    return Client(app), LOG


def test_in_a_request_events_are_delivered_after_the_page_rendered(
    emitter: tuple[Client, list[str]],
) -> None:
    client, log = emitter
    response = client.get("/emit/?mode=ok")
    assert response.status_code == 200
    assert "<p>done</p>" in response.get_data(as_text=True)
    assert log == ["action went on", "handler saw ok"]


def test_a_redirect_is_a_success_and_delivers(emitter: tuple[Client, list[str]]) -> None:
    client, log = emitter
    assert client.get("/emit/?mode=redirect").status_code == 303
    assert log == ["action went on", "handler saw redirect"]


@pytest.mark.parametrize(("mode", "status"), [("404", 404), ("500", 500)])
def test_an_error_response_drops_the_queued_events(
    emitter: tuple[Client, list[str]], caplog: pytest.LogCaptureFixture, mode: str, status: int
) -> None:
    client, log = emitter
    with caplog.at_level(logging.WARNING, logger="jetpy"):
        assert client.get(f"/emit/?mode={mode}").status_code == status
    assert log == ["action went on"]
    assert f"events not delivered since the request was answered {status}" in caplog.text
    assert "test.ping" in caplog.text


def test_a_failing_handler_leaves_the_response_as_it_was(
    emitter: tuple[Client, list[str]], caplog: pytest.LogCaptureFixture
) -> None:
    client, log = emitter
    with caplog.at_level(logging.ERROR, logger="jetpy"):
        response = client.get("/emit/?mode=fail")
    assert response.status_code == 200
    assert "<p>done</p>" in response.get_data(as_text=True)
    assert log == ["action went on", "handler saw fail"]
    assert "handler test.listener:record failed" in caplog.text


def test_a_request_that_emits_nothing_allocates_no_queue(app: Application) -> None:
    token = app.events.collect()
    assert app.events.release(token) is None


def test_outside_a_request_again_after_one(emitter: tuple[Client, list[str]]) -> None:
    client, log = emitter
    client.get("/emit/?mode=ok")
    app = client.application
    assert isinstance(app, Application)
    app.events.emit(Ping(log, "cli"))  # no request: delivered at once
    assert log[-1] == "handler saw cli"


# definitions ------------------------------------------------------------------------------
def problems_of(make_project: ProjectFactory, files: dict[str, str | None]) -> str:
    with pytest.raises(DefinitionError) as caught:
        Application(make_project(files), use_cache=False)
    return str(caught.value)


def test_listening_without_listeners_py_is_a_definition_problem(
    make_project: ProjectFactory,
) -> None:
    files: dict[str, str | None] = {
        **listener_module("a.deaf", {"test.ping": "on_ping"}, ""),
        "application/modules/a/deaf/listeners.py": None,
    }
    text = problems_of(make_project, files)
    assert (
        "application/modules/a/deaf/manifest.yaml [listens]: "
        "the module listens to events but has no listeners.py" in text
    )
    assert "fix: create application/modules/a/deaf/listeners.py" in text
    assert "`def on_ping(app, event): ...` for `test.ping`" in text


def test_a_missing_handler_function_is_a_definition_problem(make_project: ProjectFactory) -> None:
    code = "def on_pong(app, event):\n    pass\n"
    files = listener_module("a.typo", {"test.ping": "on_ping", "test.step": "on_step"}, code)
    text = problems_of(make_project, files)
    assert (
        "application/modules/a/typo/manifest.yaml [listens.test.ping]: "
        "application/modules/a/typo/listeners.py has no function `on_ping`" in text
    )
    assert "fix: did you mean `on_pong`?" in text
    assert "[listens.test.step]" in text
    assert "fix: define `def on_step(app, event): ...` there" in text


def test_a_handler_with_the_wrong_parameters_is_a_definition_problem(
    make_project: ProjectFactory,
) -> None:
    code = "def on_ping(event):\n    pass\n"
    text = problems_of(make_project, listener_module("a.sig", {"test.ping": "on_ping"}, code))
    assert "[listens.test.ping]: `on_ping` in application/modules/a/sig/listeners.py" in text
    assert "cannot be called as `on_ping(app, event)`" in text


def test_a_broken_listeners_py_names_its_line(make_project: ProjectFactory) -> None:
    code = "import os\n\nraise RuntimeError('boom')\n"
    text = problems_of(make_project, listener_module("a.broken", {"test.ping": "x"}, code))
    assert "application/modules/a/broken/listeners.py:3: cannot be imported" in text
    assert "RuntimeError: boom" in text


def test_jetpy_check_reports_listener_problems(make_project: ProjectFactory) -> None:
    from click.testing import CliRunner

    from jetpy.cli.main import main

    project = make_project(listener_module("a.typo", {"test.ping": "on_ping"}, ""))
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1
    assert "listeners.py has no function `on_ping`" in result.output


def test_a_misspelled_event_name_is_a_warning(make_project: ProjectFactory) -> None:
    files = listener_module("a.near", {"test.pnig": "record"}, RECORD.format(name="a.near"))
    app = Application(make_project({**files, **states("a.near")}), use_cache=False)
    warnings = [str(p) for p in app.problems() if p.warning]
    assert any(
        "[listens.test.pnig]: no event is named `test.pnig`, so this handler never runs" in w
        and "did you mean `test.ping`?" in w
        for w in warnings
    )


def test_listeners_are_checked_even_for_modules_that_are_not_activated(
    make_project: ProjectFactory,
) -> None:
    files = listener_module("a.idle", {"test.ping": "on_ping"}, "")
    text = problems_of(make_project, {**files, **states(installed=("a.idle",))})
    assert "has no function `on_ping`" in text


def test_the_project_keeps_the_listeners_in_order(make_project: ProjectFactory) -> None:
    files: dict[str, str | None] = {}
    for name in ("b.two", "a.one"):
        files.update(listener_module(name, {"test.ping": "record"}, RECORD.format(name=name)))
    app = Application(make_project(files), use_cache=False)
    listeners = app.project.listeners["test.ping"]
    assert [(each.module.name, each.handler) for each in listeners] == [
        ("a.one", "record"),
        ("b.two", "record"),
    ]
