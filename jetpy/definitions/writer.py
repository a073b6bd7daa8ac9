"""Writing definition files as a developer would: round-trip YAML, validated, all or nothing.

The studio changes definitions through a `Changes` transaction:
- YAML is read and written in ruamel.yaml's round-trip mode: the comments, key order, quoting
  and layout of what did not change are kept. A document whose data did not change is not
  written at all, so a hand-edited file opened and saved unchanged stays byte-identical.
- The content hash of every file a transaction read (or will replace) is taken when it is first
  seen; `commit()` raises `Conflict`, naming the files, when any of them changed on disk since
  (edited by hand or in another tab). Nothing is ever silently overwritten.
- `commit(validate=…)` first applies the changes to a staging copy of the project and hands it
  to the validator (the studio runs `jetpy check` there); with any problem nothing is written.
- Writes are atomic (a temporary file, then a rename); a change to several files is all or
  nothing: what is replaced is first moved aside, and put back if a later step fails.
- Only paths inside the project's `application/` folder are written, and new names pass
  `check_name()`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.representer import RoundTripRepresenter

from jetpy.definitions.generation import bump
from jetpy.errors import JetpyError, Problem, relative

MAX_NAME = 100  # characters of a folder or file name the studio creates (URL fragments too)
_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9._~-]*[a-z0-9_~])?$")
_RESERVED = {  # names Windows refuses, and names with a meaning in a page folder
    *("con", "prn", "aux", "nul"),
    *(f"com{n}" for n in range(10)),
    *(f"lpt{n}" for n in range(10)),
    "page.yaml",
}
_STAGING_SKIPPED = {"__pycache__", ".studio"}
Validator = Callable[[Path], list[Problem]]
_COMMITTING = threading.Lock()  # the last conflict check and the writes, one commit at a time


class WriteError(JetpyError):
    """A change to definitions that cannot be made as asked."""


class InvalidName(WriteError):
    """A name for a new folder or file that is unsafe or not a clean URL fragment."""


class OutsideProject(WriteError):
    """A path that is not inside the project's application/ folder."""


class Conflict(WriteError):
    """Files changed on disk since the transaction read them."""

    def __init__(self, files: list[str]) -> None:
        self.files = files
        super().__init__(
            f"changed on disk since it was opened: {', '.join(files)}; "
            "reload to see the current version, then make the change again"
        )


class Refused(WriteError):
    """The change would leave the definitions with problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        count = len(problems)
        lines = [f"refused: the change would cause {count} problem{'s' if count != 1 else ''}"]
        super().__init__("\n".join(lines + [str(problem) for problem in problems]))


def check_name(name: str, what: str = "name") -> str:
    """`name` if it is a safe folder or file name and a clean URL fragment, else InvalidName."""
    shown = repr(name) if len(name) <= 60 else repr(name[:60] + "…")
    if not name:
        raise InvalidName(f"the {what} is empty; type one, e.g. `news`")
    if "\x00" in name or any(unicodedata.category(char) == "Cc" for char in name):
        raise InvalidName(f"the {what} {shown} contains control characters; remove them")
    if "/" in name or "\\" in name:
        raise InvalidName(
            f"the {what} {shown} contains a slash; a name is one folder, "
            "create the parent page first and add this one under it"
        )
    if name in (".", "..") or name.startswith("."):
        raise InvalidName(f"the {what} {shown} starts with a dot; start it with a letter or digit")
    if len(name) > MAX_NAME:
        raise InvalidName(f"the {what} is {len(name)} characters long; use at most {MAX_NAME}")
    if name.lower() in _RESERVED or name.lower().split(".")[0] in _RESERVED:
        raise InvalidName(f"the {what} {shown} is reserved; choose another")
    if not _NAME.match(name):
        suggestion = suggest_name(name)
        hint = f", e.g. `{suggestion}`" if suggestion and suggestion != name else ""
        raise InvalidName(
            f"the {what} {shown} is not a clean URL fragment; use lower-case letters, digits "
            f"and - _ . ~ only, starting and ending with a letter or digit{hint}"
        )
    return name


def suggest_name(text: str) -> str:
    """A clean URL fragment made from a title: `Nové zboží!` → `nove-zbozi`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_NAME].strip("-")


def digest(path: Path) -> str | None:
    """The content hash of a file, None when it does not exist; a folder: names, sizes, times."""
    try:
        if path.is_dir():
            entries = sorted(
                f"{p.relative_to(path)}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
                for p in path.rglob("*")
                if "__pycache__" not in p.parts
            )
            return "dir:" + hashlib.sha256("\n".join(entries).encode()).hexdigest()
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


class _Representer(RoundTripRepresenter):
    """Quotes text that jetpy's reader (PyYAML, YAML 1.1) would take for another type.

    ruamel.yaml writes YAML 1.2, where `No`, `on` and `1:20` are plain text; PyYAML reads
    them as False, True and 80.
    """


def _represent_str(representer: RoundTripRepresenter, data: str) -> Any:
    resolver = pyyaml.resolver.Resolver()
    tag = resolver.resolve(pyyaml.ScalarNode, data, (True, False))  # type: ignore[no-untyped-call]
    if tag != "tag:yaml.org,2002:str":
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style="'")
    return representer.represent_str(data)


_Representer.add_representer(str, _represent_str)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line the developer wrote on one line
    return yaml


def _sequence_indent(text: str) -> tuple[int, int]:
    """(sequence, offset) indents the file uses for lists under keys: `  - x` or `- x`."""
    match = re.search(r"^( *)[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*#[^\n]*\n)*( *)- ", text, re.M)
    if match and len(match.group(2)) == len(match.group(1)):
        return 2, 0
    return 4, 2


def load_text(text: str, shown: str) -> Any:
    """Parse YAML text in round-trip mode; a syntax error names the file and line."""
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}" if mark is not None else shown
        raise WriteError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc


def dump_text(data: Any, like: str = "") -> str:
    """YAML text of `data` in the layout of `like` (the file's previous text)."""
    yaml = _yaml()
    sequence, offset = _sequence_indent(like)
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    stream = io.StringIO()
    yaml.dump(data, stream)
    return stream.getvalue()


def plain(data: Any) -> Any:
    """Round-trip data as plain dicts, lists and scalars (to compare values, not layout)."""
    if isinstance(data, dict):
        return {plain(key): plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [plain(item) for item in data]
    if isinstance(data, str):
        return str(data)
    return data


@dataclass
class _Step:
    kind: str  # write, delete, move, copy
    target: Path
    source: Path | None = None
    content: bytes | None = None


class Changes:
    """One transaction over the definition files of a project (see the module docstring)."""

    def __init__(self, app_dir: Path) -> None:
        self.app_dir = app_dir.resolve()
        self.root = self.app_dir.parent
        self.seen: dict[Path, str | None] = {}  # path → its digest when first seen
        self.texts: dict[Path, str] = {}
        self.steps: list[_Step] = []

    # paths ---------------------------------------------------------------------------
    def path(self, path: str | Path) -> Path:
        """`path` (relative to application/, or absolute) checked to lie inside application/."""
        candidate = Path(path)
        if "\x00" in str(candidate):
            raise OutsideProject(f"the path {str(path)!r} contains a NUL character")
        full = (candidate if candidate.is_absolute() else self.app_dir / candidate).resolve()
        if full != self.app_dir and self.app_dir not in full.parents:
            raise OutsideProject(
                f"{path} is outside {relative(self.app_dir, self.root)}/; "
                "the studio writes only inside the project's application folder"
            )
        return full

    def _see(self, path: Path) -> None:
        if path not in self.seen:
            self.seen[path] = digest(path)

    # reading ---------------------------------------------------------------------------
    def read(self, path: str | Path) -> Any:
        """The YAML document at `path` in round-trip form (an empty mapping when missing)."""
        full = self.path(path)
        self._see(full)
        text = full.read_text(encoding="utf-8") if full.is_file() else ""
        self.texts[full] = text
        data = load_text(text, relative(full, self.root)) if text.strip() else None
        if data is None:
            return load_text("{}\n", "")
        return data

    # changing --------------------------------------------------------------------------
    def write_yaml(self, path: str | Path, data: Any) -> None:
        """Write `data` at `path`; unchanged data leaves the file as it is, byte for byte."""
        full = self.path(path)
        self._see(full)
        if full not in self.texts:
            self.texts[full] = full.read_text(encoding="utf-8") if full.is_file() else ""
        before = self.texts[full]
        if before.strip():
            old = load_text(before, relative(full, self.root))
            if old is not None and plain(old) == plain(data):
                return
        text = dump_text(data, before)
        if text.strip() in ("{}", "") and not before:
            text = ""
        self.steps.append(_Step("write", full, content=text.encode("utf-8")))

    def write_text(self, path: str | Path, text: str) -> None:
        """Write a text file (a layout, an error page, static output)."""
        full = self.path(path)
        self._see(full)
        self.steps.append(_Step("write", full, content=text.encode("utf-8")))

    def delete(self, path: str | Path) -> None:
        """Delete a file or a folder with everything under it."""
        full = self.path(path)
        if full == self.app_dir:
            raise OutsideProject("the application folder itself cannot be deleted")
        self._see(full)
        self.steps.append(_Step("delete", full))

    def move(self, source: str | Path, target: str | Path) -> None:
        """Move a file or folder (a page with its subtree); the target must not exist."""
        src, dst = self.path(source), self.path(target)
        if src == dst or src in dst.parents:
            raise WriteError(f"{relative(src, self.root)} cannot be moved into itself")
        self._see(src)
        self._see(dst)
        self.steps.append(_Step("move", dst, source=src))

    def copy(self, source: str | Path, target: str | Path) -> None:
        """Copy a file or folder (a subtree to another locale); the target must not exist."""
        src, dst = self.path(source), self.path(target)
        if src == dst or src in dst.parents:
            raise WriteError(f"{relative(src, self.root)} cannot be copied into itself")
        self._see(src)
        self._see(dst)
        self.steps.append(_Step("copy", dst, source=src))

    @property
    def changed(self) -> list[Path]:
        """The paths the transaction changes, in order (a move: where from and where to)."""
        found: list[Path] = []
        for step in self.steps:
            for path in (step.source if step.kind == "move" else None, step.target):
                if path is not None and path not in found:
                    found.append(path)
        return found

    # committing --------------------------------------------------------------------------
    def conflicts(self) -> list[str]:
        """Files that changed on disk since this transaction first saw them."""
        return [
            relative(path, self.root) for path, seen in self.seen.items() if digest(path) != seen
        ]

    def commit(self, validate: Validator | None = None) -> list[Path]:
        """Check conflicts, validate in a staging copy, then apply everything or nothing."""
        if not self.steps:
            return []
        conflicts = self.conflicts()
        if conflicts:
            raise Conflict(conflicts)
        if validate is not None:
            with self.staged() as staging_root:
                problems = [p for p in validate(staging_root) if not p.warning]
            if problems:
                raise Refused(problems)
        with _COMMITTING:  # files may have changed while the staging copy was checked
            conflicts = self.conflicts()
            if conflicts:
                raise Conflict(conflicts)
            self._apply()
            bump(self.app_dir)  # running applications read the definitions again
        return self.changed

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """A temporary project (application/ copied, public/ linked) with the changes made."""
        with tempfile.TemporaryDirectory(prefix="jetpy-staging-") as temporary:
            staging = Path(temporary)
            shutil.copytree(
                self.app_dir,
                staging / "application",
                ignore=_staging_ignore(self.app_dir),
                symlinks=True,
            )
            public = self.root / "public"
            if public.is_dir():
                (staging / "public").symlink_to(public, target_is_directory=True)
            mapping = (self.app_dir, staging / "application")
            for step in self.steps:
                _perform(_moved(step, *mapping), backup=None)
            yield staging

    def _apply(self) -> None:
        trash = self.app_dir / "data" / ".studio" / uuid.uuid4().hex
        undo: list[Callable[[], None]] = []
        try:
            for step in self.steps:
                undo.extend(_perform(step, backup=trash))
        except BaseException:
            for action in reversed(undo):
                action()
            raise
        finally:
            shutil.rmtree(trash, ignore_errors=True)
            _remove_if_empty(trash.parent)


def _staging_ignore(app_dir: Path) -> Callable[[str, list[str]], set[str]]:
    data_dir = str(app_dir / "data")

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {name for name in names if name in _STAGING_SKIPPED}
        if directory == data_dir:  # the database and caches are not definitions
            skipped |= {name for name in names if name != "modules.yaml"}
        return skipped

    return ignore


def _moved(step: _Step, old: Path, new: Path) -> _Step:
    def under(path: Path | None) -> Path | None:
        return None if path is None else new / path.relative_to(old)

    target = under(step.target)
    assert target is not None
    return _Step(step.kind, target, under(step.source), step.content)


def _perform(step: _Step, backup: Path | None) -> list[Callable[[], None]]:
    """Carry out one step; returns what undoes it, in the order done (undo them reversed).

    With `backup`, whatever the step replaces or deletes is first kept there, so that the
    undo actions can put it back; without it (in a staging copy) nothing is kept. A step that
    fails half-way undoes its own part before the error goes on.
    """
    undo: list[Callable[[], None]] = []
    try:
        return _carry_out(step, backup, undo)
    except BaseException:
        for action in reversed(undo):
            action()
        raise


def _carry_out(
    step: _Step, backup: Path | None, undo: list[Callable[[], None]]
) -> list[Callable[[], None]]:
    target = step.target
    if step.kind in ("move", "copy") and target.exists():
        raise WriteError(f"{target.name} exists already; choose another name or delete it first")
    if step.kind in ("write", "delete") and target.exists() and backup is not None:
        kept = backup / uuid.uuid4().hex
        kept.parent.mkdir(parents=True, exist_ok=True)
        if step.kind == "delete":  # moved aside whole: undone by moving it back
            os.replace(target, kept)
            undo.append(lambda: os.replace(kept, target))
            return undo
        shutil.copy2(target, kept)
        undo.append(lambda: os.replace(kept, target))
    if step.kind == "delete":
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        return undo
    for folder in reversed(_make_parents(target.parent)):
        undo.append(lambda folder=folder: _remove_if_empty(folder))  # type: ignore[misc]
    existed = target.exists()
    if step.kind == "write":
        assert step.content is not None
        _atomic_write(target, step.content)
        if not existed:
            undo.append(lambda: target.unlink(missing_ok=True))
    elif step.kind == "move":
        assert step.source is not None
        source = step.source
        os.replace(source, target)
        undo.append(lambda: os.replace(target, source))
    else:  # copy
        assert step.source is not None
        if step.source.is_dir():
            shutil.copytree(step.source, target, ignore=shutil.ignore_patterns("__pycache__"))
            undo.append(lambda: shutil.rmtree(target, ignore_errors=True))
        else:
            shutil.copy2(step.source, target)
            undo.append(lambda: target.unlink(missing_ok=True))
    return undo


def _make_parents(folder: Path) -> list[Path]:
    created: list[Path] = []
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    for path in reversed(created):
        path.mkdir()
    return created


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):  # not empty: something else lives there
        folder.rmdir()


def _atomic_write(target: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        else:
            os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
