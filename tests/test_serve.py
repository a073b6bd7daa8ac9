"""Production serving: jetpy.wsgi (gunicorn's entry point) and `jetpy serve`."""

from __future__ import annotations

import importlib
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

import jetpy.cli.serve
from jetpy.cli.main import main
from jetpy.cli.serve import ACCESS_FORMAT, WSGI_APP, gunicorn_command
from tests.conftest import REPO

ProjectFactory = Callable[..., Path]


@pytest.fixture
def keep_logging() -> Iterator[None]:
    """jetpy.wsgi sets up logging when imported: put the root logger back afterwards."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def import_wsgi() -> ModuleType:
    sys.modules.pop("jetpy.wsgi", None)
    return importlib.import_module("jetpy.wsgi")


def test_the_wsgi_module_serves_the_project_named_by_jetpy_project(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch, keep_logging: None
) -> None:
    project = make_project({"application/config.yaml": "logging: {format: json}\n"})
    monkeypatch.setenv("JETPY_PROJECT", str(project))
    wsgi = import_wsgi()
    assert wsgi.application.root == project.resolve()
    assert "Hello home!" in Client(wsgi.application).get("/").get_data(as_text=True)
    jetpy_handlers = [h for h in logging.getLogger().handlers if h.get_name() == "jetpy"]
    assert (
        len(jetpy_handlers) == 1 and type(jetpy_handlers[0].formatter).__name__ == "JsonFormatter"
    )


def test_the_wsgi_module_falls_back_to_the_working_directory(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch, keep_logging: None
) -> None:
    project = make_project()
    monkeypatch.delenv("JETPY_PROJECT", raising=False)
    monkeypatch.chdir(project)
    assert import_wsgi().application.root == project.resolve()


def test_the_gunicorn_command_has_workers_bind_timeout_and_the_wsgi_app() -> None:
    command = gunicorn_command(3, "0.0.0.0:9000", 45, access_log=False)
    assert command == [
        sys.executable, "-m", "gunicorn", "--workers", "3", "--bind", "0.0.0.0:9000",
        "--timeout", "45", "jetpy.wsgi:application",
    ]  # fmt: skip
    logged = gunicorn_command(1, "unix:/run/site.sock", 30, access_log=True)
    assert logged[-5:] == ["--access-logfile", "-", "--access-logformat", ACCESS_FORMAT, WSGI_APP]
    assert "%({x-request-id}o)s" in ACCESS_FORMAT


def test_serve_checks_the_project_and_execs_gunicorn_with_it(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project()
    called: dict[str, Any] = {}

    def fake_exec(file: str, args: list[str], env: dict[str, str]) -> None:
        called.update(file=file, args=args, env=env)

    monkeypatch.setattr(jetpy.cli.serve.os, "execvpe", fake_exec)
    result = CliRunner().invoke(
        main, ["serve", "--project", str(project), "-w", "4", "--bind", "127.0.0.1:8123"]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"serving {project.resolve()} with gunicorn, 4 workers on 127.0.0.1:8123" in result.output
    )
    assert called["args"] == gunicorn_command(4, "127.0.0.1:8123", 30, access_log=False)
    assert called["file"] == sys.executable
    assert called["env"]["JETPY_PROJECT"] == str(project.resolve())


def test_serve_lists_definition_problems_instead_of_starting(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project({"application/bases/web/base.yaml": "name: [broken\n"})
    monkeypatch.setattr(jetpy.cli.serve.os, "execvpe", pytest.fail)
    result = CliRunner().invoke(main, ["serve", "--project", str(project)])
    assert result.exit_code == 1 and "base.yaml" in result.output


def test_serve_without_gunicorn_says_how_to_install_it(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        jetpy.cli.serve.importlib.util,
        "find_spec",
        lambda name, *args: None if name == "gunicorn" else real(name, *args),
    )
    result = CliRunner().invoke(main, ["serve", "--project", str(make_project())])
    assert result.exit_code == 1
    assert (
        "gunicorn is not installed; install it with `pip install 'jetpy[serve]'`" in result.output
    )


def test_serve_refuses_a_bad_worker_count(make_project: ProjectFactory) -> None:
    result = CliRunner().invoke(main, ["serve", "--project", str(make_project()), "-w", "0"])
    assert result.exit_code == 2 and "--workers" in result.output


# a real gunicorn ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, deadline: float) -> tuple[int, dict[str, str], str]:
    """GET `url`, retrying until the server listens or `deadline` (time.monotonic) passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.slow
def test_jetpy_serve_runs_the_example_under_gunicorn_with_two_workers(tmp_path: Path) -> None:
    if importlib.util.find_spec("gunicorn") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("gunicorn is missing (CI=true): pip install -e '.[test]' installs it")
        pytest.skip("gunicorn is missing: pip install 'jetpy[serve]'")
    port = free_port()
    env = {
        **os.environ,
        "JETPY_DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "JETPY_SECRET_KEY": os.urandom(32).hex(),
        "JETPY_MEDIA_DIR": str(tmp_path / "media"),
    }
    command = [sys.executable, "-c", "from jetpy.cli.main import main; main()", "serve"]
    command += ["--project", str(REPO)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--access-log"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        status, headers, body = fetch(f"http://127.0.0.1:{port}/about/", deadline)
        assert status == 200 and "About this site" in body
        assert len(headers["X-Request-ID"]) == 16
        status, _, body = fetch(f"http://127.0.0.1:{port}/_health", deadline)
        assert (status, body) == (200, '{"status": "ok", "database": "ok"}')
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Booting worker" in output and output.count("Booting worker") >= 2, output
    assert "request_id=" in output  # the access log names the request id
