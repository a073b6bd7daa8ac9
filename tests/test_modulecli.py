from __future__ import annotations

import pytest
from click.testing import CliRunner

from jetpy.cli import main
from tests.conftest import ProjectFactory

MODULE_CLI = '''
import click

from jetpy.modulecli import pass_app


@click.command("hello-export")
@click.option("--locale", default="en_US")
@pass_app
def export(app, locale):
    """Print the pages of a locale."""
    tree = app.trees[("web", locale)]
    click.echo(" ".join(sorted(page.id for page in tree)))


helper = "not a command"
'''


@pytest.fixture
def project(make_project: ProjectFactory) -> str:
    return str(make_project({"application/modules/test/hello/cli.py": MODULE_CLI}))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_active_module_command_appears_and_runs(project: str) -> None:
    code, output = run("--project", project, "--help")
    assert code == 0 and "hello-export" in output and "Print the pages" in output
    code, output = run("--project", project, "hello-export", "--locale", "en_US")
    assert (code, output.strip()) == (0, "_homepage_ about items")


def test_project_from_the_environment(project: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JETPY_PROJECT", project)
    assert run("hello-export")[0] == 0


def test_command_vanishes_when_the_module_is_deactivated(
    make_project: ProjectFactory,
) -> None:
    root = str(
        make_project(
            {
                "application/modules/test/hello/cli.py": MODULE_CLI,
                "application/data/modules.yaml": "test.hello: installed\n",
            }
        )
    )
    assert "hello-export" not in run("--project", root, "--help")[1]
    code, output = run("--project", root, "hello-export")
    assert code == 2 and "No such command 'hello-export'" in output


def test_broken_module_cli_does_not_break_builtin_commands(
    make_project: ProjectFactory,
) -> None:
    root = str(make_project({"application/modules/test/hello/cli.py": "import nothing_here\n"}))
    result = CliRunner().invoke(main, ["--project", root, "--help"])
    assert result.exit_code == 0 and "check" in result.output
    assert "cli.py cannot be imported" in result.output


def test_a_module_command_cannot_take_a_builtin_name(make_project: ProjectFactory) -> None:
    cli = "import click\n\n@click.command('check')\ndef check():\n    click.echo('hijacked')\n"
    root = str(make_project({"application/modules/test/hello/cli.py": cli}))
    result = CliRunner().invoke(main, ["--project", root, "check", "--project", root])
    assert "hijacked" not in result.output and "OK" in result.output
