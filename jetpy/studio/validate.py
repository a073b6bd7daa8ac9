"""Checking a changed copy of the project before the studio writes anything.

`definition_problems(root)` reports what `jetpy check` reports about the definitions of the
project at `root` (a staging copy made by `jetpy.definitions.writer.Changes.commit`): it reads
the YAML files, layouts and views there, but imports module code from the project this process
already serves, so a check costs milliseconds instead of a new process.
"""

from __future__ import annotations

from pathlib import Path

from jetpy.errors import Problem
from jetpy.kernel.templates import Templates
from jetpy.project.check import check_project
from jetpy.project.loader import load_project


def definition_problems(root: Path) -> list[Problem]:
    """Every definition problem of the project at `root`, cross-checks included."""
    project = load_project(root, use_cache=False, own_imports=False)
    templates = Templates(list(project.bases.values()), project.modules, True, root / "public")
    return [*project.problems, *check_project(project, templates)]
