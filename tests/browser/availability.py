"""Whether the browser tests can run here, and what to do when they cannot.

Without Chromium (or Playwright) a developer's run skips them, saying why and how to install
it; under `CI=true` they fail instead, since CI installs Chromium (`.ci/run`) and a skipped
browser suite there would pass unnoticed.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path

# Debian's; $JETPY_CHROMIUM names another (tests of this module name a missing one)
CHROMIUM = Path(os.environ.get("JETPY_CHROMIUM") or "/usr/bin/chromium")
INSTALL = "apt-get install -y chromium chromium-driver"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """True when the environment variable CI is `true` (as CI services set it)."""
    return environ.get("CI", "").strip().lower() == "true"


def missing(chromium: Path = CHROMIUM, playwright: bool | None = None) -> str | None:
    """Why the browser tests cannot run (with the fix), or None when they can."""
    if playwright is None:
        playwright = importlib.util.find_spec("playwright") is not None
    if not playwright:
        return "Playwright is missing: install the test extras with `pip install -e '.[test]'`"
    if not chromium.exists():
        return f"{chromium} is missing: install it with `{INSTALL}`"
    return None


def verdict(reason: str | None, ci: bool) -> str | None:
    """What to do with the browser tests: None (run them), "skip" or "fail"."""
    if reason is None:
        return None
    return "fail" if ci else "skip"
