"""The `jetpy` command: check, pages and run, driven through click's CliRunner."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from jetpy import Application
from jetpy.cli.main import main
from tests.conftest import ProjectFactory

PAGES = "application/bases/web/pages/en_US"
ABOUT = f"{PAGES}/about/page.yaml"
CONFIG = "application/config.yaml"


def jetpy(*args: str, project: Path | None = None) -> Result:
    """Run `jetpy <args> [--project <project>]` in-process."""
    options = ["--project", str(project)] if project is not None else []
    return CliRunner().invoke(main, [*args, *options])


def assert_clean_exit(result: Result, code: int) -> None:
    """The command ended with `code` through click, not with a traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Calls of werkzeug's run_simple, recorded instead of starting a server."""
    calls: list[dict[str, Any]] = []

    def run_simple(hostname: str, port: int, application: Any, **options: Any) -> None:
        calls.append({"hostname": hostname, "port": port, "application": application, **options})

    monkeypatch.setattr("werkzeug.serving.run_simple", run_simple)
    return calls


# check --------------------------------------------------------------------------------
def test_check_says_ok_for_a_valid_project(project: Path) -> None:
    result = jetpy("check", project=project)
    assert_clean_exit(result, 0)
    assert result.stdout.startswith("OK: 1 bases, 4 pages, 1 modules")
    assert result.stderr == ""


def test_check_lists_every_problem_and_exits_1(make_project: ProjectFactory) -> None:
    project = make_project(
        {
            CONFIG: "debugg: true\n",
            ABOUT: "title: About\norder: 2\n  bad: indent\n",
            f"{PAGES}/items/page.yaml": "titel: Items\n",
        }
    )
    result = jetpy("check", project=project)
    assert_clean_exit(result, 1)
    assert "OK" not in result.stdout
    assert result.stderr.startswith("3 definition problems:")
    for where, fix in [
        (f"{CONFIG} [debugg]", "did you mean `debug`?"),
        (f"{ABOUT}:3", "correct the YAML syntax"),
        (f"{PAGES}/items/page.yaml [titel]", "did you mean `title`?"),
    ]:
        assert re.search(rf"{re.escape(where)}: .*\n\s+fix: {re.escape(fix)}", result.stderr)


def test_check_reports_cross_check_problems(make_project: ProjectFactory) -> None:
    project = make_project({ABOUT: "contents:\n  - output: x\n    position: footer\n"})
    result = jetpy("check", project=project)
    assert_clean_exit(result, 1)
    assert f"{ABOUT} [contents[0].position]: layout `default` has no position" in result.stderr
    assert "fix: use one of its positions" in result.stderr


def test_check_uses_the_current_folder_by_default(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JETPY_PROJECT", raising=False)
    monkeypatch.chdir(project)
    result = jetpy("check")
    assert_clean_exit(result, 0)
    assert result.stdout.startswith("OK:")


def test_project_folder_from_the_environment(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # holds project/, but no application/ itself
    monkeypatch.setenv("JETPY_PROJECT", str(project))
    result = jetpy("check")
    assert_clean_exit(result, 0)
    assert result.stdout.startswith("OK:")


# pages ---------------------------------------------------------------------------------
def test_pages_lists_bases_locales_and_pages(make_project: ProjectFactory) -> None:
    project = make_project(
        {
            "application/bases/admin/base.yaml": "locales:\n  en_US:\n    urls: [/admin/]\n",
            "application/bases/admin/layouts/default.html": "{{ position('main') }}",
            "application/bases/admin/pages/en_US/page.yaml": "title: Admin\n",
        }
    )
    result = jetpy("pages", project=project)
    assert_clean_exit(result, 0)
    headings = [line.strip() for line in result.stdout.splitlines() if not line.startswith("    ")]
    assert headings == ["base admin", "en_US  /admin/", "base web", "en_US  /", "cs_CZ  /cs/"]


@pytest.mark.parametrize(
    ("page_id", "url", "shown"),
    [
        ("_homepage_", "/", "layout default; test.hello:Main.default@main"),
        ("about", "/about/", "layout default; output@main"),
        ("items", "/items/", "layout default; test.hello:Items.default@main"),
        ("_homepage_", "/cs/", "layout default; test.hello:Main.default@main"),
    ],
)
def test_pages_shows_id_url_layout_and_mounted_modules(
    project: Path, page_id: str, url: str, shown: str
) -> None:
    result = jetpy("pages", project=project)
    assert_clean_exit(result, 0)
    row = rf"^\s+{re.escape(page_id)}\s+{re.escape(url)}\s+{re.escape(shown)}$"
    assert re.search(row, result.stdout, re.MULTILINE), result.stdout


def test_pages_marks_static_output_inactive_and_secret_pages(
    make_project: ProjectFactory,
) -> None:
    project = make_project(
        {
            ABOUT: "output: <p>About</p>\nactive: false\n",
            f"{PAGES}/items/page.yaml": "secret: true\n",
        }
    )
    result = jetpy("pages", project=project)
    assert_clean_exit(result, 0)
    assert re.search(r"about\s+/about/\s+static output \[inactive\]$", result.stdout, re.M)
    assert re.search(r"items\s+/items/\s+layout default \[secret\]$", result.stdout, re.M)


def test_pages_refuses_a_broken_project(make_project: ProjectFactory) -> None:
    result = jetpy("pages", project=make_project({ABOUT: "titel: About\n"}))
    assert_clean_exit(result, 1)
    assert f"{ABOUT} [titel]: unknown key" in result.stderr


# run -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("config", "debug"),
    [
        pytest.param(None, False, id="no-config"),
        pytest.param("debug: false\n", False, id="debug-false"),
        pytest.param("debug: true\n", True, id="debug-true"),
    ],
)
def test_run_serves_the_application_with_debug_from_config(
    make_project: ProjectFactory,
    served: list[dict[str, Any]],
    config: str | None,
    debug: bool,
) -> None:
    project = make_project({CONFIG: config})
    result = jetpy("run", project=project)
    assert_clean_exit(result, 0)
    [call] = served
    assert (call["hostname"], call["port"]) == ("127.0.0.1", 8000)
    assert isinstance(call["application"], Application)
    assert call["application"].root == project.resolve()
    assert (call["use_reloader"], call["use_debugger"]) == (debug, debug)
    assert "http://127.0.0.1:8000/" in result.stdout


def test_run_in_debug_watches_definition_files(
    make_project: ProjectFactory, served: list[dict[str, Any]]
) -> None:
    project = make_project({CONFIG: "debug: true\n"})
    assert_clean_exit(jetpy("run", project=project), 0)
    watched = {Path(name) for name in served[0]["extra_files"]}
    assert project.resolve() / ABOUT in watched
    assert project.resolve() / CONFIG in watched


def test_run_listens_on_the_given_host_and_port(
    project: Path, served: list[dict[str, Any]]
) -> None:
    result = jetpy("run", "--host", "0.0.0.0", "--port", "8080", project=project)
    assert_clean_exit(result, 0)
    assert (served[0]["hostname"], served[0]["port"]) == ("0.0.0.0", 8080)


@pytest.mark.parametrize("port", ["0", "abc", "65536", "-1"])
def test_run_rejects_a_bad_port(project: Path, served: list[dict[str, Any]], port: str) -> None:
    result = jetpy("run", "--port", port, project=project)
    assert_clean_exit(result, 2)
    assert "Invalid value for '--port'" in result.stderr
    assert served == []


def test_run_refuses_a_broken_project(
    make_project: ProjectFactory, served: list[dict[str, Any]]
) -> None:
    result = jetpy("run", project=make_project({ABOUT: "titel: About\n"}))
    assert_clean_exit(result, 1)
    assert f"{ABOUT} [titel]: unknown key" in result.stderr
    assert served == []


# a folder that is not a project ----------------------------------------------------------
@pytest.mark.parametrize("command", ["check", "pages", "run"])
def test_folder_without_application_gives_a_clear_message(
    tmp_path: Path, served: list[dict[str, Any]], command: str
) -> None:
    result = jetpy(command, project=tmp_path)
    assert_clean_exit(result, 1)
    assert "has no `application/` folder" in result.stderr
    assert "fix:" in result.stderr
    assert served == []


def test_run_debug_flag_overrides_the_config(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(
        "werkzeug.serving.run_simple",
        lambda host, port, app, **options: calls.append({"app": app, **options}),
    )
    result = CliRunner().invoke(main, ["run", "--project", str(project), "--debug"])
    assert result.exit_code == 0, result.output
    assert calls[0]["use_reloader"] is True and calls[0]["use_debugger"] is True
    assert calls[0]["app"].config.debug is True  # type: ignore[attr-defined]
