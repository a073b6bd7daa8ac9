"""The generation stamp of a project's definitions: one file that every writer bumps.

A running application checks it with one `os.stat` (at most once a second) to see that
definitions changed and must be read again; see `jetpy.project.live`. The writers are the
studio (`jetpy.definitions.writer`), `jetpy modules …` (module states), `jetpy new module` and
`jetpy reload` (after editing files by hand on a server that is not in debug mode, where the
application does not scan the files itself).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

STAMP = Path("data") / "generation"  # under application/; git-ignored with the rest of data/

Stamp = tuple[int, int, int]  # inode, mtime in ns, size: a rename over the file changes the inode


def stamp_file(app_dir: Path) -> Path:
    return app_dir / STAMP


def read_stamp(app_dir: Path) -> Stamp | None:
    """The stamp as one `os.stat`; None when no writer has bumped it yet."""
    try:
        stat = os.stat(app_dir / STAMP)
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def bump(app_dir: Path) -> None:
    """Tell every running application that definitions changed (atomic: write, then rename)."""
    target = app_dir / STAMP
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".generation.{uuid.uuid4().hex}")
    temporary.write_text(uuid.uuid4().hex + "\n", encoding="ascii")
    os.replace(temporary, target)
