from __future__ import annotations

import pytest
from click.testing import CliRunner

from jetpy.cli.main import main
from tests.conftest import ProjectFactory

MODULE_CLI = '''
import click

from jetpy.cli.modulecli import pass_app


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


def export_cli(command: str, text: str, group_help: str = "") -> str:
    """A cli.py adding `command` to a group `export` that other modules may add to as well."""
    return f'''
import click


@click.group("export", help={group_help!r} or None)
def export():
    click.echo("group of {command}")


@export.command("{command}")
def run():
    """Write {text}."""
    click.echo("{text}")
'''


@pytest.fixture
def two_exports(make_project: ProjectFactory) -> str:
    root = make_project(
        {
            "application/modules/test/hello/cli.py": export_cli("feed-a", "feed A", "Exports."),
            "application/modules/test/other/manifest.yaml": "label: Other\n",
            "application/modules/test/other/cli.py": export_cli("feed-b", "feed B"),
            "application/data/modules.yaml": "test.hello: activated\ntest.other: activated\n",
        }
    )
    return str(root)


def test_groups_of_the_same_name_from_two_modules_are_merged(two_exports: str) -> None:
    code, output = run("--project", two_exports, "export", "--help")
    assert code == 0 and "feed-a" in output and "feed-b" in output and "Exports." in output
    code, output = run("--project", two_exports, "export", "feed-b")
    assert code == 0
    # both modules' group callbacks run, in module order, then the subcommand
    assert output.splitlines() == ["group of feed-a", "group of feed-b", "feed B"]
    assert "already taken" not in run("--project", two_exports, "--help")[1]


def test_a_subcommand_is_not_listed_at_the_top_level(two_exports: str) -> None:
    code, output = run("--project", two_exports, "--help")
    assert code == 0 and "export" in output and "feed-a" not in output
    assert run("--project", two_exports, "feed-a")[0] == 2


def test_a_subcommand_two_modules_define_keeps_the_first(make_project: ProjectFactory) -> None:
    root = str(
        make_project(
            {
                "application/modules/test/hello/cli.py": export_cli("feed", "first"),
                "application/modules/test/other/manifest.yaml": "label: Other\n",
                "application/modules/test/other/cli.py": export_cli("feed", "second"),
                "application/data/modules.yaml": "test.hello: activated\ntest.other: activated\n",
            }
        )
    )
    code, output = run("--project", root, "export", "feed")
    assert code == 0 and "first" in output and "second" not in output
    assert "command `export feed` of test.other is already taken" in output


def test_a_group_with_options_is_not_merged(make_project: ProjectFactory) -> None:
    with_option = (
        "import click\n\n@click.group('export')\n@click.option('--verbose', is_flag=True)\n"
        "def export(verbose):\n    pass\n\n@export.command('feed-b')\ndef run():\n    pass\n"
    )
    root = str(
        make_project(
            {
                "application/modules/test/hello/cli.py": export_cli("feed-a", "feed A"),
                "application/modules/test/other/manifest.yaml": "label: Other\n",
                "application/modules/test/other/cli.py": with_option,
                "application/data/modules.yaml": "test.hello: activated\ntest.other: activated\n",
            }
        )
    )
    code, output = run("--project", root, "export", "--help")
    assert code == 0 and "feed-a" in output and "feed-b" not in output
    assert "takes options or arguments" in output


def test_a_module_group_cannot_join_a_builtin_group(make_project: ProjectFactory) -> None:
    cli = "import click\n\n@click.group('db')\ndef db():\n    pass\n"
    root = str(make_project({"application/modules/test/hello/cli.py": cli}))
    output = run("--project", root, "--help")[1]
    assert "command `db` of test.hello is already taken" in output


def test_three_modules_share_one_group(make_project: ProjectFactory) -> None:
    files = {
        "application/data/modules.yaml": "".join(
            f"test.{name}: activated\n" for name in ("hello", "other", "third")
        ),
        "application/modules/test/hello/cli.py": export_cli("feed-a", "feed A"),
    }
    for name, command in (("other", "feed-b"), ("third", "feed-c")):
        files[f"application/modules/test/{name}/manifest.yaml"] = f"label: {name}\n"
        files[f"application/modules/test/{name}/cli.py"] = export_cli(command, command)
    root = str(make_project(files))
    code, output = run("--project", root, "export", "feed-c")
    assert code == 0
    assert output.splitlines() == [
        "group of feed-a",
        "group of feed-b",
        "group of feed-c",
        "feed-c",
    ]
