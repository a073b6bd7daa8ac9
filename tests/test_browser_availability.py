"""Browser tests skip without Chromium, saying how to install it, and fail under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.availability import INSTALL, in_ci, missing, verdict

ROOT = Path(__file__).resolve().parents[1]


def test_the_reason_names_the_missing_piece_and_its_install_command(tmp_path: Path) -> None:
    absent = tmp_path / "chromium"
    assert missing(absent, playwright=True) == (
        f"{absent} is missing: install it with `apt-get install -y chromium chromium-driver`"
    )
    assert INSTALL == "apt-get install -y chromium chromium-driver"
    assert "pip install -e '.[test]'" in (missing(absent, playwright=False) or "")
    present = tmp_path / "here"
    present.touch()
    assert missing(present, playwright=True) is None


@pytest.mark.parametrize(
    ("reason", "ci", "expected"),
    [(None, False, None), (None, True, None), ("gone", False, "skip"), ("gone", True, "fail")],
)
def test_the_verdict_skips_on_a_workstation_and_fails_in_ci(
    reason: str | None, ci: bool, expected: str | None
) -> None:
    assert verdict(reason, ci) == expected


def test_ci_is_read_from_the_environment() -> None:
    assert in_ci({"CI": "true"}) and in_ci({"CI": "TRUE"})
    assert not in_ci({}) and not in_ci({"CI": "false"}) and not in_ci({"CI": ""})


def run_browser_suite(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "CI"}
    environ.update(JETPY_CHROMIUM=str(tmp_path / "no-chromium"), **env)
    command = [sys.executable, "-m", "pytest", "-q", "-rs", "-x", "-p", "no:cacheprovider"]
    return subprocess.run(
        [*command, "-p", "no:benchmark", "tests/browser"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_the_browser_suite_without_chromium_skips_and_fails_under_ci(tmp_path: Path) -> None:
    skipped = run_browser_suite(tmp_path)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "skipped" in skipped.stdout and "passed" not in skipped.stdout
    assert "install it with `apt-get install -y chromium chromium-driver`" in skipped.stdout
    failed = run_browser_suite(tmp_path, CI="true")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "CI=true: the browser tests must run" in failed.stdout
