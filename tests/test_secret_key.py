"""The secret key: never in a tracked file, the project's own by default, refused when weak."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.test import Client

from jetpy import Application
from jetpy.cli.main import main
from jetpy.definitions.secretkey import ENVIRONMENT, KEY_FILE, MIN_LENGTH, weakness
from jetpy.errors import DefinitionError
from tests.conftest import REPO, ProjectFactory

CONFIG = "application/config.yaml"
STRONG = "Vb7s0-qLx2WnE4kJr8TzAy3uPd6Hc1GmFo5iNeQw"  # 40 random characters, for tests only
OTHER = "Kp3Zr8-Tq1WvX6mNa0LsEb4YdHj7Ug2FcO9iRkSe"
SESSION_PAGE = {
    "application/modules/test/session/manifest.yaml": "label: Session\n",
    "application/modules/test/session/controllers.py": (
        "from jetpy import Controller\n\n\nclass Main(Controller):\n"
        "    def default_action(self):\n"
        "        if 'set' in self.request.args:\n"
        "            self.session['a'] = self.request.args['set']\n"
        "        self.output.append('<p>' + str(self.session.get('a', '-')) + '</p>')\n"
    ),
    "application/bases/web/pages/en_US/session/page.yaml": (
        "title: Session\ncontents:\n  - module: test.session\n"
    ),
    "application/data/modules.yaml": "test.hello: activated\ntest.session: activated\n",
}


def test_no_tracked_file_holds_a_secret_key() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "*.yaml", "*.yaml.tmpl"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert CONFIG in tracked
    for name in tracked:
        for line in (REPO / name).read_text(encoding="utf-8").splitlines():
            assert not line.lstrip().startswith(("secret_key:", "secret_keys:")), name


def test_a_new_project_gets_its_own_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    keys = []
    for name in ("one", "two"):
        result = CliRunner().invoke(main, ["new", "project", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        file = tmp_path / name / "application" / KEY_FILE
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
        keys.append(file.read_text().strip())
        config = (tmp_path / name / CONFIG).read_text().splitlines()
        assert not any(line.startswith("secret_key") for line in config)
        assert Application(tmp_path / name).secret_key == keys[-1]
    assert keys[0] != keys[1] and all(len(key) >= 64 for key in keys)  # 384 bits in base64


def test_a_project_without_a_key_writes_one_on_first_load_and_keeps_it(
    make_project: ProjectFactory,
) -> None:
    project = make_project()
    file = project / "application" / KEY_FILE
    assert not file.exists()
    first = Application(project, use_cache=False)
    assert file.read_text().strip() == first.secret_key and not weakness(first.secret_key)
    assert Application(project, use_cache=False).secret_key == first.secret_key


@pytest.mark.parametrize(
    "key",
    [
        "change-me-in-production",  # the example's old key
        "change-me-please-0123456789-abcdefghij",
        "secret",
        "dev",
        "short-but-random-Xy7",
        "a" * 48,
    ],
)
def test_outside_debug_mode_a_weak_key_is_refused_saying_what_to_do(
    make_project: ProjectFactory, key: str
) -> None:
    project = make_project({CONFIG: f"debug: false\nsecret_key: '{key}'\n"})
    with pytest.raises(DefinitionError) as error:
        Application(project, use_cache=False)
    message = str(error.value)
    assert "application/config.yaml [secret_key]" in message
    assert "refused outside debug mode" in message and "secrets.token_urlsafe(48)" in message


def test_in_debug_mode_a_weak_key_is_a_warning(make_project: ProjectFactory) -> None:
    app = Application(make_project({CONFIG: "debug: true\nsecret_key: dev\n"}), use_cache=False)
    [problem] = app.problems()
    assert problem.warning and "published placeholder" in problem.message


def test_jetpy_check_reports_a_weak_key(make_project: ProjectFactory) -> None:
    project = make_project({CONFIG: "secret_key: change-me-in-production\n"})
    result = CliRunner().invoke(main, ["check", "--project", str(project)])
    assert result.exit_code == 1 and "published placeholder" in result.output
    debug = make_project({CONFIG: "debug: true\nsecret_key: short\n"})
    result = CliRunner().invoke(main, ["check", "--project", str(debug)])
    assert result.exit_code == 0 and "warning:" in result.output and "too short" in result.output


def test_the_environment_wins_and_is_checked_too(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project({CONFIG: f"secret_key: {OTHER}\n"})
    monkeypatch.setenv(ENVIRONMENT, f" {STRONG} ")
    assert Application(project, use_cache=False).secret_keys == (STRONG,)
    monkeypatch.setenv(ENVIRONMENT, "secret")
    with pytest.raises(DefinitionError, match=r"\$JETPY_SECRET_KEY \[secret_key\]"):
        Application(project, use_cache=False)
    assert len(STRONG.encode()) >= MIN_LENGTH


def test_rotation_keeps_cookies_of_the_old_key_and_signs_with_the_new_one(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(SESSION_PAGE)
    monkeypatch.setenv(ENVIRONMENT, OTHER)
    before = Client(Application(project, use_cache=False))
    before.get("/session/?set=kept")
    old_cookie = before.get_cookie("jetpy_session_web")
    assert old_cookie is not None

    monkeypatch.setenv(ENVIRONMENT, f"{STRONG}, {OTHER}")  # a new key first, the old one kept
    rotated = Application(project, use_cache=False)
    client = Client(rotated)
    client.set_cookie("jetpy_session_web", old_cookie.value)
    assert "<p>kept</p>" in client.get("/session/").get_data(as_text=True)
    fresh = Client(rotated)
    fresh.get("/session/?set=new")
    new_cookie = fresh.get_cookie("jetpy_session_web")
    assert new_cookie is not None

    monkeypatch.setenv(ENVIRONMENT, STRONG)  # the old key dropped: its cookies are void
    after = Application(project, use_cache=False)
    assert after.sessions.session_id("web", old_cookie.value) is None
    assert after.sessions.session_id("web", new_cookie.value) is not None


def test_config_may_list_keys_newest_first(make_project: ProjectFactory) -> None:
    project = make_project({CONFIG: f"secret_keys: [{STRONG}, {OTHER}]\n"})
    app = Application(project, use_cache=False)
    assert app.secret_keys == (STRONG, OTHER) and app.secret_key == STRONG


def test_workers_starting_together_share_one_whole_key(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from jetpy.definitions.secretkey import write_key_file

    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(write_key_file, [tmp_path] * 16))
    assert len(set(keys)) == 1 and not weakness(keys[0])  # never two keys, never an empty one
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]
