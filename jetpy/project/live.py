"""Live definitions: a running application sees changed definitions on its next request.

- Every writer of definitions (the studio, `jetpy modules …`, `jetpy new module`,
  `jetpy reload`) bumps the generation stamp (`jetpy.definitions.generation`). A request looks
  at the clock; at most once a second it also `stat`s the stamp: one system call, whatever the
  size of the site. Every process (each gunicorn worker) checks for itself.
- In debug mode, files edited by hand are found too: at most once a second the definition files
  are scanned (names, sizes, times) and compared with the last scan.
- When something changed, the application reads the whole project again. If the new
  definitions have a problem, it goes on serving the last good ones, logs every problem (file,
  key, fix) and keeps them in `problems` for the studio and the debug banner; a later fix is
  picked up the same way.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from jetpy.definitions.generation import Stamp, read_stamp

INTERVAL = 1.0  # seconds between two looks at the stamp (and scans in debug mode)
_SCANNED_SUFFIXES = (".yaml", ".yml", ".html", ".txt", ".jinja", ".py")
_SKIPPED_FOLDERS = {"data", "__pycache__", "migrations"}


def fingerprint(app_dir: Path) -> str:
    """A hash of the names, sizes and times of the definition files under application/."""
    digest = hashlib.blake2b(digest_size=16)
    for directory, folders, files in os.walk(app_dir):
        folders[:] = sorted(name for name in folders if name not in _SKIPPED_FOLDERS)
        digest.update(directory.encode("utf-8", "surrogateescape"))
        for name in sorted(files):
            if name.endswith(_SCANNED_SUFFIXES) or name in ("modules.yaml",):
                try:
                    stat = os.stat(os.path.join(directory, name))
                except OSError:
                    continue
                digest.update(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Watcher:
    """Tells whether definitions changed since the last look (see the module docstring)."""

    def __init__(self, app_dir: Path, scan: bool, interval: float = INTERVAL) -> None:
        self.app_dir = app_dir
        self.scan = scan
        self.interval = interval
        self.stamp: Stamp | None = read_stamp(app_dir)
        self.files = fingerprint(app_dir) if scan else ""
        self.next_look = time.monotonic() + interval

    def changed(self) -> bool:
        """Whether to read the definitions again; cheap when called on every request."""
        now = time.monotonic()
        if now < self.next_look:
            return False
        self.next_look = now + self.interval
        stamp = read_stamp(self.app_dir)
        changed = stamp != self.stamp
        self.stamp = stamp
        if self.scan:
            files = fingerprint(self.app_dir)
            changed = changed or files != self.files
            self.files = files
        return changed
