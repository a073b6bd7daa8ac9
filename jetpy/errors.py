"""The error root and definition problems, collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class JetpyError(Exception):
    """Root of every error jetpy raises itself."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition: where it is, what is wrong, how to fix it."""

    file: str
    key: str
    message: str
    fix: str = ""
    line: int | None = None
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.key:
            where += f" [{self.key}]"
        text = f"{where}: {self.message}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class DefinitionError(JetpyError):
    """The application's definitions have problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = [f"{count} definition problem{'s' if count != 1 else ''}:"]
        lines += [str(problem) for problem in problems]
        super().__init__("\n".join(lines))


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root` for messages, or as it is when outside."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
