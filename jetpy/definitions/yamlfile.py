"""Reading YAML definition files with problems reported by file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from jetpy.errors import Problem

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


def load_yaml(path: Path, shown_as: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse a YAML mapping; an empty file is an empty mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(shown_as, "", f"not valid UTF-8 ({exc.reason})", "save it as UTF-8")]
    except OSError as exc:
        return None, [Problem(shown_as, "", f"cannot be read: {exc.strerror}", "check the file")]
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        return None, [
            Problem(shown_as, "", f"broken YAML: {what}", "correct the YAML syntax", line=line)
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(shown_as, "", f"broken YAML: {exc}", "correct the YAML syntax")]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return None, [
            Problem(
                shown_as,
                "",
                f"must be a mapping of keys to values, found {type(data).__name__}",
                "write `key: value` lines at the top level",
            )
        ]
    return data, []
