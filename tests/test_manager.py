"""The module manager and `jetpy modules …`: transitions, hooks, atomic state, listing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from werkzeug.test import Client

from jetpy import Application
from jetpy.cli.main import main
from jetpy.project.manager import InstallContext, ModuleError, ModuleManager, acl_actions
from tests.conftest import ProjectFactory

STATE = "application/data/modules.yaml"
HELLO = "application/modules/test/hello"
EXTRA = "application/modules/test/extra"

# a second module, available, with ACL actions and hooks that leave a trace in data/
EXTRA_FILES: dict[str, str | None] = {
    f"{EXTRA}/manifest.yaml": """
        label: Extra things
        version: 2.1.0
        acl_actions: {add_thing: Add a thing, delete_thing: Delete a thing}
        """,
    f"{EXTRA}/install.py": '''
        """Hooks that record what they were given."""


        def install(context):
            (context.data_dir / "extra.txt").write_text(
                f"{context.module.name} {context.app_dir.name} {context.config.debug}"
            )


        def uninstall(context):
            (context.data_dir / "extra.txt").unlink()
        ''',
}

FAILING_HOOK = """
def install(context):
    (context.data_dir / "half.txt").write_text("written before the failure")
    (context.data_dir / "seed.txt").write_text("changed")
    (context.data_dir / "old.txt").unlink()
    (context.data_dir / "made").mkdir()
    raise RuntimeError("the disk is full")
"""


def jetpy(root: Path, *args: str) -> Result:
    """Run `jetpy modules <args> --project <root>` in-process."""
    return CliRunner().invoke(main, ["modules", *args, "--project", str(root)])


def assert_exit(result: Result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def state(root: Path) -> str:
    return (root / STATE).read_text(encoding="utf-8")


def data_files(root: Path) -> dict[str, str | None]:
    """Every file and folder under application/data/ but cache/, with file contents."""
    data = root / "application" / "data"
    return {
        str(path.relative_to(data)): None if path.is_dir() else path.read_text(encoding="utf-8")
        for path in sorted(data.rglob("*"))
        if path.relative_to(data).parts[0] != "cache"
    }


@pytest.fixture
def root(make_project: ProjectFactory) -> Path:
    return make_project(EXTRA_FILES)


# listing ----------------------------------------------------------------------
def test_list_shows_name_label_version_and_state(root: Path) -> None:
    result = jetpy(root, "list")
    assert_exit(result, 0)
    lines = [line.split() for line in result.output.splitlines()]
    assert lines == [
        ["name", "label", "version", "state"],
        ["test.extra", "Extra", "things", "2.1.0", "available"],
        ["test.hello", "Hello", "1.0.0", "activated"],
    ]
    header, extra = result.output.splitlines()[:2]
    assert header.index("version") == extra.index("2.1.0")  # columns line up


def test_list_acl_shows_each_modules_actions_and_labels(root: Path) -> None:
    result = jetpy(root, "list", "--acl")
    assert_exit(result, 0)
    assert "    add_thing     Add a thing\n    delete_thing  Delete a thing\n" in result.output
    hello = result.output.split("test.hello", 1)[1]
    assert "(no ACL actions)" in hello


def test_list_marks_broken_and_gone_modules(make_project: ProjectFactory) -> None:
    root = make_project(
        {f"{HELLO}/manifest.yaml": "label: Hello\nlable: typo\n", STATE: "old.gone: installed\n"}
    )
    result = jetpy(root, "list")
    assert_exit(result, 0)
    assert "available, broken (see jetpy check)" in result.output
    assert "old.gone" in result.output and "(folder gone)" in result.output


def test_list_warns_about_an_unreadable_state_file(make_project: ProjectFactory) -> None:
    result = jetpy(make_project({STATE: "test.hello: [activated\n"}), "list")
    assert_exit(result, 0)
    assert "warning: application/data/modules.yaml" in result.output
    assert "broken YAML" in result.output


def test_list_honours_the_project_of_the_jetpy_group_and_the_environment(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = CliRunner().invoke(main, ["--project", str(root), "modules", "list"])
    assert_exit(result, 0)
    assert "test.extra" in result.output
    monkeypatch.setenv("JETPY_PROJECT", str(root))
    assert "test.extra" in CliRunner().invoke(main, ["modules", "list"]).output


def test_a_folder_without_application_is_a_clear_error(tmp_path: Path) -> None:
    result = jetpy(tmp_path, "list")
    assert_exit(result, 1)
    assert "has no `application/` folder" in result.output


# transitions ------------------------------------------------------------------
def test_install_runs_the_hook_with_its_context(root: Path) -> None:
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 0)
    assert result.output == (
        "installed test.extra (ran install() of application/modules/test/extra/install.py)\n"
    )
    assert "test.extra: installed" in state(root)
    assert data_files(root)["extra.txt"] == "test.extra application False"
    assert ModuleManager(root).modules["test.extra"].state == "installed"


def test_install_twice_is_a_no_op_that_says_so(root: Path) -> None:
    jetpy(root, "install", "test.extra")
    before = (root / STATE).stat().st_mtime_ns
    (root / "application/data/extra.txt").unlink()
    result = jetpy(root, "install", "test.extra", "test.hello")
    assert_exit(result, 0)
    assert result.output == (
        "test.extra is already installed\ntest.hello is already installed and activated\n"
    )
    assert (root / STATE).stat().st_mtime_ns == before
    assert not (root / "application/data/extra.txt").exists()  # the hook did not run again


def test_install_activate_from_available_and_from_installed(root: Path) -> None:
    result = jetpy(root, "install", "--activate", "test.extra")
    assert_exit(result, 0)
    assert result.output.startswith("installed and activated test.extra (ran install()")
    assert "test.extra: activated" in state(root)
    jetpy(root, "deactivate", "test.extra")
    result = jetpy(root, "install", "--activate", "test.extra")
    assert result.output == "activated test.extra (it was installed)\n"


def test_activate_needs_an_installed_module(root: Path) -> None:
    before = state(root)
    result = jetpy(root, "activate", "test.extra")
    assert_exit(result, 1)
    assert "test.extra is not installed; install it first" in result.output
    assert "jetpy modules install --activate test.extra" in result.output
    assert state(root) == before


def test_activate_and_deactivate(root: Path) -> None:
    jetpy(root, "install", "test.extra")
    result = jetpy(root, "activate", "test.extra")
    assert_exit(result, 0)
    assert result.output == "activated test.extra\n"
    assert jetpy(root, "activate", "test.extra").output == "test.extra is already activated\n"
    result = jetpy(root, "deactivate", "test.extra")
    assert result.output == "deactivated test.extra (it stays installed)\n"
    assert "test.extra: installed" in state(root)
    result = jetpy(root, "deactivate", "test.extra")
    assert_exit(result, 0)
    assert result.output == "test.extra is not activated (it is installed)\n"
    assert "extra.txt" in data_files(root)  # an installed module keeps its data


def test_uninstall_of_an_activated_module_deactivates_it_first(root: Path) -> None:
    jetpy(root, "install", "--activate", "test.extra")
    result = jetpy(root, "uninstall", "test.extra")
    assert_exit(result, 0)
    assert result.output == (
        "deactivated and uninstalled test.extra "
        "(ran uninstall() of application/modules/test/extra/install.py)\n"
    )
    assert "test.extra" not in state(root)
    assert "extra.txt" not in data_files(root)


def test_uninstall_of_an_installed_and_of_an_available_module(root: Path) -> None:
    jetpy(root, "deactivate", "test.hello")
    result = jetpy(root, "uninstall", "test.hello", "test.extra")
    assert_exit(result, 0)
    assert result.output == "uninstalled test.hello\ntest.extra is not installed\n"
    assert "test.hello" not in state(root)


def test_uninstall_drops_a_module_whose_folder_is_gone(make_project: ProjectFactory) -> None:
    root = make_project({STATE: "test.hello: activated\nold.gone: installed\n"})
    result = jetpy(root, "uninstall", "old.gone")
    assert_exit(result, 0)
    assert "dropped old.gone from the state file" in result.output
    assert state(root).endswith("test.hello: activated\n")
    assert [p.key for p in Application(root).problems() if p.warning] == []


def test_an_unknown_module_suggests_the_closest_name(root: Path) -> None:
    before = state(root)
    result = jetpy(root, "install", "--activate", "test.extra", "test.helo")
    assert_exit(result, 1)
    assert "there is no module `test.helo`; did you mean `test.hello`?" in result.output
    assert state(root) == before  # names are checked before anything changes
    result = jetpy(root, "activate", "shop.nothing")
    assert "a module is a folder application/modules/shop/nothing/" in result.output


def test_a_name_is_required(root: Path) -> None:
    result = jetpy(root, "install")
    assert_exit(result, 2)
    assert "Missing argument 'NAME...'" in result.output


# refusals ---------------------------------------------------------------------
@pytest.mark.parametrize("command", [["activate"], ["install"], ["install", "--activate"]])
def test_a_module_with_a_broken_manifest_is_refused_with_file_and_key(
    make_project: ProjectFactory, command: list[str]
) -> None:
    root = make_project(
        {
            **EXTRA_FILES,
            f"{EXTRA}/manifest.yaml": "label: Extra\nacl_actions: {add: [not, text]}\n",
            STATE: "test.hello: activated\ntest.extra: installed\n"
            if command == ["activate"]
            else "test.hello: activated\n",
        }
    )
    before = state(root)
    result = jetpy(root, *command, "test.extra")
    assert_exit(result, 1)
    assert (
        "cannot " in result.output and "test.extra: its definitions have problems" in result.output
    )
    assert "application/modules/test/extra/manifest.yaml [acl_actions.add]" in result.output
    assert state(root) == before
    assert "extra.txt" not in data_files(root)


def test_a_module_with_broken_controllers_is_refused_with_the_line(
    make_project: ProjectFactory,
) -> None:
    root = make_project(
        {**EXTRA_FILES, f"{EXTRA}/controllers.py": "x = 1\nimport nowhere_to_be_found\n"}
    )
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 1)
    assert "application/modules/test/extra/controllers.py:2" in result.output
    assert "ModuleNotFoundError" in result.output


def test_a_broken_module_can_still_be_switched_off(make_project: ProjectFactory) -> None:
    root = make_project({f"{HELLO}/manifest.yaml": "lable: Hello\n"})
    assert_exit(jetpy(root, "deactivate", "test.hello"), 0)
    assert_exit(jetpy(root, "uninstall", "test.hello"), 0)
    assert "test.hello" not in state(root)


def test_an_unrelated_problem_does_not_block_transitions(make_project: ProjectFactory) -> None:
    root = make_project(
        {**EXTRA_FILES, "application/bases/web/pages/en_US/about/page.yaml": "titel: About\n"}
    )
    assert_exit(jetpy(root, "install", "--activate", "test.extra"), 0)


def test_an_unreadable_state_file_is_never_overwritten(make_project: ProjectFactory) -> None:
    root = make_project({**EXTRA_FILES, STATE: "test.hello: [activated\n"})
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 1)
    assert "the state file cannot be read, so it is not overwritten" in result.output
    assert state(root) == "test.hello: [activated\n"
    assert "extra.txt" not in data_files(root)  # the hook did not run


def test_an_entry_with_a_wrong_state_is_dropped_with_a_warning(
    make_project: ProjectFactory,
) -> None:
    root = make_project({**EXTRA_FILES, STATE: "test.hello: activated\ntest.extra: on\n"})
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 0)
    assert "warning: the entry `test.extra` of the state file has a wrong state" in result.output
    assert "test.extra: installed" in state(root)


# hooks and atomicity ----------------------------------------------------------
def test_a_hook_failing_halfway_leaves_state_and_data_unchanged(
    make_project: ProjectFactory,
) -> None:
    root = make_project(
        {
            **EXTRA_FILES,
            f"{EXTRA}/install.py": FAILING_HOOK,
            "application/data/seed.txt": "seed",
            "application/data/old.txt": "old",
            "application/data/nested/keep.txt": "kept",
        }
    )
    Application(root)  # writes data/cache/, which the snapshot leaves out
    before_state, before_data = state(root), data_files(root)
    result = jetpy(root, "install", "--activate", "test.extra")
    assert_exit(result, 1)
    assert (
        "the install hook of test.extra failed (application/modules/test/extra/install.py:6): "
        "RuntimeError: the disk is full" in result.output
    )
    assert "nothing was changed" in result.output
    assert state(root) == before_state
    assert data_files(root) == before_data
    assert (root / "application/data/cache").is_dir()


def test_a_failing_hook_stops_a_list_of_modules_where_it_failed(
    make_project: ProjectFactory,
) -> None:
    root = make_project(
        {
            **EXTRA_FILES,
            f"{EXTRA}/install.py": "def install(context):\n    raise KeyError('x')\n",
            STATE: "test.hello: installed\n",
        }
    )
    result = jetpy(root, "install", "--activate", "test.hello", "test.extra")
    assert_exit(result, 1)
    assert result.output.startswith("activated test.hello (it was installed)\n")
    assert "the install hook of test.extra failed" in result.output
    assert state(root).endswith("test.hello: activated\n")


def test_a_failing_uninstall_hook_keeps_the_module_activated(root: Path) -> None:
    jetpy(root, "install", "--activate", "test.extra")
    (root / "application/data/extra.txt").unlink()  # the hook's unlink() now fails
    result = jetpy(root, "uninstall", "test.extra")
    assert_exit(result, 1)
    assert "the uninstall hook of test.extra failed" in result.output
    assert "FileNotFoundError" in result.output
    assert "test.extra: activated" in state(root)


def test_a_hook_file_that_cannot_be_imported_changes_nothing(
    make_project: ProjectFactory,
) -> None:
    root = make_project({**EXTRA_FILES, f"{EXTRA}/install.py": "def install(context)\n"})
    before = state(root)
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 1)
    assert "application/modules/test/extra/install.py:1" in result.output
    assert "SyntaxError" in result.output
    assert state(root) == before


@pytest.mark.parametrize("body", ["raise SystemExit(3)", "import sys; sys.exit('bye')"])
def test_a_hook_that_exits_is_a_failing_hook(make_project: ProjectFactory, body: str) -> None:
    hook = f"def install(context):\n    (context.data_dir / 'x.txt').write_text('x')\n    {body}\n"
    root = make_project({**EXTRA_FILES, f"{EXTRA}/install.py": hook})
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 1)
    assert "the install hook of test.extra failed" in result.output
    assert "SystemExit" in result.output and "x.txt" not in data_files(root)


def test_a_hook_that_is_not_a_function_is_refused(make_project: ProjectFactory) -> None:
    root = make_project({**EXTRA_FILES, f"{EXTRA}/install.py": "install = 3\n"})
    result = jetpy(root, "install", "test.extra")
    assert_exit(result, 1)
    assert "`install` in application/modules/test/extra/install.py is not a function" in (
        result.output
    )


def test_a_module_without_install_py_installs_without_a_hook(root: Path) -> None:
    jetpy(root, "uninstall", "test.hello")
    result = jetpy(root, "install", "test.hello")
    assert result.output == "installed test.hello\n"


def test_the_hook_file_is_read_afresh_each_time(root: Path) -> None:
    manager = ModuleManager(root)
    manager.install("test.extra")
    manager.uninstall("test.extra")
    hook = root / EXTRA / "install.py"
    hook.write_text(
        "def install(context):\n    (context.data_dir / 'second.txt').write_text('2')\n"
    )
    manager.install("test.extra")
    assert data_files(root)["second.txt"] == "2"


def test_a_failing_hook_removes_a_data_folder_it_created(make_project: ProjectFactory) -> None:
    root = make_project({**EXTRA_FILES, STATE: None})
    assert not (root / "application/data").exists()
    hook = root / EXTRA / "install.py"
    hook.write_text(
        "def install(context):\n"
        "    context.data_dir.mkdir()\n"
        "    (context.data_dir / 'x.txt').write_text('x')\n"
        "    raise ValueError('no')\n"
    )
    with pytest.raises(ModuleError, match="ValueError: no"):
        ModuleManager(root).install("test.extra")
    assert not (root / "application/data").exists()


def test_a_crash_while_writing_the_state_leaves_the_old_file(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before_state, before_data = state(root), data_files(root)

    def crash(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    for command in (["deactivate", "test.hello"], ["install", "test.extra"]):
        result = jetpy(root, *command)
        assert_exit(result, 1)
        assert "cannot write application/data/modules.yaml: No space left on device" in (
            result.output
        )
        assert state(root) == before_state
        assert data_files(root) == before_data  # no temporary file, no trace of the hook


def test_the_manager_api(root: Path) -> None:
    manager = ModuleManager(root)
    change = manager.install("test.extra", activate=True)
    assert (change.before, change.after, change.changed) == ("available", "activated", True)
    assert manager.state("test.extra") == "activated"
    assert manager.modules["test.extra"].active
    assert manager.deactivate("test.hello").after == "installed"
    assert not manager.deactivate("test.hello").changed
    with pytest.raises(ModuleError, match=r"did you mean `test\.extra`"):
        manager.activate("test.extr")
    assert InstallContext.__dataclass_fields__.keys() == {
        "module",
        "root",
        "app_dir",
        "data_dir",
        "config",
        "db",
    }


# what activation does to the site ----------------------------------------------
def test_contents_render_only_while_the_module_is_activated(root: Path) -> None:
    def home() -> str:
        return Client(Application(root)).get("/").get_data(as_text=True)

    assert "<p>Hello home!</p>" in home()
    assert_exit(jetpy(root, "deactivate", "test.hello"), 0)
    assert "<main></main>" in home()  # the content renders nothing; no error
    assert_exit(jetpy(root, "activate", "test.hello"), 0)
    assert "<p>Hello home!</p>" in home()
    assert_exit(jetpy(root, "uninstall", "test.hello"), 0)
    assert "<main></main>" in home()


def test_acl_actions_of_activated_modules_are_collected(root: Path) -> None:
    assert Application(root).acl_actions == {}
    jetpy(root, "install", "--activate", "test.extra")
    app = Application(root)
    assert app.acl_actions == {
        "test.extra": {"add_thing": "Add a thing", "delete_thing": "Delete a thing"}
    }
    app.modules["test.extra"].state = "installed"
    assert acl_actions(app.modules) == {}
    assert list(acl_actions(app.modules, activated_only=False)) == ["test.extra"]


def test_module_pages_appear_and_vanish_with_activation(make_project: ProjectFactory) -> None:
    root = make_project(
        {
            **EXTRA_FILES,
            f"{EXTRA}/pages/web/things/page.yaml": """
                title: Things
                contents:
                  - output: "<p>All the things</p>"
                """,
        }
    )

    def things() -> tuple[int, str]:
        response = Client(Application(root)).get("/things/")
        return response.status_code, response.get_data(as_text=True)

    assert things()[0] == 404
    assert_exit(jetpy(root, "install", "--activate", "test.extra"), 0)
    status, body = things()
    assert status == 200 and "<p>All the things</p>" in body
    assert_exit(jetpy(root, "deactivate", "test.extra"), 0)
    assert things()[0] == 404
