"""Log lines as text or JSON with the request id (jetpy.kernel.logs)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client

from jetpy import Application
from jetpy.definitions.config import Config
from jetpy.errors import DefinitionError
from jetpy.kernel import logs

ProjectFactory = Callable[..., Path]
HEX16 = re.compile(r"[0-9a-f]{16}")

LOGGING_CONTROLLERS = """
import logging

from jetpy import Controller

log = logging.getLogger("application.test")


class Main(Controller):
    def default_action(self):
        log.warning("rendering %s", self.page.id)
        self.output.append("<p>logged</p>")

    def broken_action(self):
        raise RuntimeError("the module broke")
"""

FILES = {
    "application/data/modules.yaml": "test.hello: activated\ntest.logging: activated\n",
    "application/modules/test/logging/manifest.yaml": "label: Logging\n",
    "application/modules/test/logging/controllers.py": LOGGING_CONTROLLERS,
    "application/bases/web/pages/en_US/logged/page.yaml": "contents: [{module: test.logging}]\n",
    "application/bases/web/pages/en_US/broken/page.yaml": (
        "contents: [{module: test.logging, action: broken}]\n"
    ),
}


@pytest.fixture
def lines() -> Iterator[Callable[[str], io.StringIO]]:
    """Configure jetpy's logging into a buffer; the root logger is put back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)

    def configure(log_format: str) -> io.StringIO:
        buffer = io.StringIO()
        logs.configure(Config(log_format=log_format, log_level="INFO"), stream=buffer)
        return buffer

    yield configure
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def client(make_project: ProjectFactory) -> Client:
    return Client(Application(make_project(FILES)))


def test_each_request_gets_an_id_answered_in_x_request_id(client: Client) -> None:
    first, second = client.get("/logged/"), client.get("/logged/")
    assert HEX16.fullmatch(first.headers["X-Request-ID"])
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    # the same for answers that are not rendered pages: a 404, a redirect, a file
    for url in ("/nope/", "/logged", "/robots.txt"):
        response = client.get(url)
        response.close()  # the file's
        assert HEX16.fullmatch(response.headers["X-Request-ID"]), url


@pytest.mark.parametrize(
    "given", ["abc-123", "a" * 64, "req.1:2_3", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"]
)
def test_a_sane_incoming_request_id_is_kept(client: Client, given: str) -> None:
    assert client.get("/logged/", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given


@pytest.mark.parametrize("given", ["", "a" * 65, "two words", "x\u00e9", "<script>", "a,b"])
def test_an_insane_incoming_request_id_is_replaced(client: Client, given: str) -> None:
    answered = client.get("/logged/", headers={"X-Request-ID": given}).headers["X-Request-ID"]
    assert HEX16.fullmatch(answered)


def test_json_lines_carry_the_request_id(
    client: Client, lines: Callable[[str], io.StringIO]
) -> None:
    buffer = lines("json")
    response = client.get("/logged/")
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    mine = [record for record in records if record["logger"] == "application.test"]
    assert len(mine) == 1
    assert mine[0]["message"] == "rendering logged"
    assert mine[0]["level"] == "WARNING"
    assert mine[0]["request_id"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", mine[0]["time"])


def test_a_failure_is_one_json_line_with_its_traceback_and_request_id(
    client: Client, lines: Callable[[str], io.StringIO]
) -> None:
    buffer = lines("json")
    response = client.get("/broken/", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 500
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    failed = [record for record in records if "traceback" in record]
    assert failed and all(record["request_id"] == "trace-me" for record in failed)
    assert "RuntimeError: the module broke" in failed[0]["traceback"]


def test_text_lines_carry_the_request_id_and_a_dash_outside_requests(
    client: Client, lines: Callable[[str], io.StringIO]
) -> None:
    buffer = lines("text")
    client.get("/logged/", headers={"X-Request-ID": "abc-123"})
    logging.getLogger("application.test").warning("between requests")
    text = buffer.getvalue()
    assert re.search(r"WARNING application\.test \[abc-123\] rendering logged", text)
    assert "[-] between requests" in text


def test_the_request_id_is_reset_when_debug_mode_lets_an_error_through(
    make_project: ProjectFactory,
) -> None:
    client = Client(Application(make_project(FILES), debug=True))
    with pytest.raises(RuntimeError, match="the module broke"):
        client.get("/broken/", headers={"X-Request-ID": "failed-one"})
    assert logs.REQUEST_ID.get() == logs.NO_REQUEST


def test_configure_replaces_its_own_handler_and_sets_the_level(
    lines: Callable[[str], io.StringIO],
) -> None:
    lines("text")
    lines("json")
    root = logging.getLogger()
    assert [h.get_name() for h in root.handlers].count("jetpy") == 1
    assert root.level == logging.INFO


def test_logging_comes_from_config_yaml(make_project: ProjectFactory) -> None:
    project = make_project({"application/config.yaml": "logging: {format: json, level: WARNING}\n"})
    config = Application(project).config
    assert (config.log_format, config.log_level) == ("json", "WARNING")
    assert (Config().log_format, Config().log_level) == ("text", "INFO")


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("{format: xml}", "logging.format"),
        ("{level: LOUD}", "logging.level"),
        ("{colour: red}", "logging.colour"),
    ],
)
def test_a_wrong_logging_setting_is_a_definition_problem(
    make_project: ProjectFactory, setting: str, key: str
) -> None:
    project = make_project({"application/config.yaml": f"logging: {setting}\n"})
    with pytest.raises(DefinitionError, match=re.escape(key)):
        Application(project)
