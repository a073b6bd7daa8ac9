"""The phrases that views and code translate, and those the dictionaries lack.

`jetpy dictionaries collect` prints them; the studio lists them to be translated in place.

Phrases are found where `_()` is called with a literal text: `_("…")` in Jinja templates and
`_("…")` or `self._("…")` in Python code. A module's phrases are missing for a locale when
neither the module's dictionary nor the common one has them (the lookup order of `_()`);
the layouts, views and error pages of a base use the common dictionary only.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from jinja2 import Environment, nodes
from jinja2.exceptions import TemplateSyntaxError

from jetpy.errors import JetpyError, Problem, relative
from jetpy.modules.i18n import dictionaries_dir

if TYPE_CHECKING:
    from jetpy.project.loader import Project


@dataclass(frozen=True)
class Use:
    """Where a phrase is used first."""

    file: str
    line: int


@dataclass
class Report:
    """The phrases of a module (or of a base's templates) and what each locale lacks."""

    title: str
    module: str | None  # None: a base's templates, translated by the common dictionary
    dictionary_dir: Path  # where the missing phrases belong
    uses: dict[str, Use] = field(default_factory=dict)  # phrase → first use
    missing: dict[str, list[str] | None] = field(default_factory=dict)  # None: no dictionary

    @property
    def missing_count(self) -> int:
        return sum(len(phrases or ()) for phrases in self.missing.values())


# finding phrases --------------------------------------------------------------------
def template_phrases(source: str, environment: Environment) -> Iterator[tuple[str, int]]:
    """(phrase, line) of every `_("…")` (or `x._("…")`) in a Jinja template."""
    for call in environment.parse(source).find_all(nodes.Call):
        callee = call.node
        named = (isinstance(callee, nodes.Name) and callee.name == "_") or (
            isinstance(callee, nodes.Getattr) and callee.attr == "_"
        )
        if named and call.args:
            first = call.args[0]
            if isinstance(first, nodes.Const) and isinstance(first.value, str):
                yield first.value, call.lineno


def code_phrases(source: str, filename: str) -> Iterator[tuple[str, int]]:
    """(phrase, line) of every `_("…")` or `self._("…")` in Python source."""
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        callee = node.func
        named = (isinstance(callee, ast.Name) and callee.id == "_") or (
            isinstance(callee, ast.Attribute) and callee.attr == "_"
        )
        first = node.args[0]
        if named and isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield first.value, node.lineno


def scan(files: Iterable[Path], root: Path, problems: list[Problem]) -> dict[str, Use]:
    """The phrases used in `files` (templates and Python), each with its first use."""
    environment = Environment()
    found: list[tuple[str, str, int]] = []
    for file in sorted(files):
        shown = relative(file, root)
        try:
            source = file.read_text(encoding="utf-8")
            if file.suffix == ".py":
                phrases = list(code_phrases(source, str(file)))
            else:
                phrases = list(template_phrases(source, environment))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(shown, "", f"cannot be read: {exc}", "check the file"))
            continue
        except (SyntaxError, TemplateSyntaxError) as exc:
            message = getattr(exc, "msg", None) or getattr(exc, "message", None) or str(exc)
            problems.append(
                Problem(shown, "", f"cannot be parsed: {message}", "fix it", line=exc.lineno)
            )
            continue
        found += [(shown, phrase, line) for phrase, line in phrases]
    uses: dict[str, Use] = {}
    for shown, phrase, line in sorted(found, key=lambda use: (use[0], use[2])):
        uses.setdefault(phrase, Use(shown, line))
    return uses


def _files(top: Path, pattern: str) -> list[Path]:
    if not top.is_dir():
        return []
    return [path for path in top.rglob(pattern) if "__pycache__" not in path.parts]


# collecting -------------------------------------------------------------------------
def collect(
    project: Project, module: str | None = None, locales: Sequence[str] = ()
) -> tuple[list[Report], list[Problem]]:
    """Reports for `module` (default: every module and every base) in `locales` (default: all).

    Without `locales`, a locale is checked only where a dictionary exists for it (the
    module's or the common one); with them, those locales are checked in any case.
    """
    known = list(dict.fromkeys(name for base in project.bases.values() for name in base.locales))
    for name in locales:
        if name not in known:
            raise JetpyError(f"no base has the locale `{name}`{_hint(name, known)}")
    if module is not None and module not in project.modules:
        raise JetpyError(f"there is no module `{module}`{_hint(module, list(project.modules))}")
    root = project.root
    problems: list[Problem] = []
    reports: list[Report] = []
    names = [module] if module is not None else sorted(project.modules)
    for name in names:
        folder = project.modules[name].dir
        report = Report(f"module {name}", name, dictionaries_dir(folder))
        files = _files(folder / "views", "*.html") + _files(folder, "*.py")
        report.uses = scan(files, root, problems)
        reports.append(report)
        _check(project, report, known, locales)
    if module is None:
        for base in project.bases.values():
            report = Report(
                f"base {base.id} (layouts, views, error pages)",
                None,
                dictionaries_dir(project.app_dir),
            )
            files = _files(base.layouts_dir, "*.html") + _files(base.views_dir, "*.html")
            for locale in base.locales:
                files += [p for p in base.pages_dir(locale).glob("*.html") if p.stem.isdigit()]
            report.uses = scan(files, root, problems)
            reports.append(report)
            _check(project, report, list(base.locales), locales)
    return reports, problems


def _check(project: Project, report: Report, known: list[str], asked: Sequence[str]) -> None:
    translations = project.translations
    for locale in asked or known:
        if locale not in known:
            continue
        if not asked and not translations.has_dictionary(locale, report.module):
            report.missing[locale] = None
            continue
        phrases = translations.translator(locale, report.module).phrases
        report.missing[locale] = [phrase for phrase in report.uses if phrase not in phrases]


def _hint(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    if close:
        return f"; did you mean `{close[0]}`?"
    return f"; there are: {', '.join(choices)}" if choices else ""


def report_lines(report: Report, root: Path) -> list[str]:
    """The report as text; missing phrases as YAML lines ready to paste and translate."""
    count = len(report.uses)
    if not count:
        return [f"{report.title}: no phrases"]
    lines = [f"{report.title}: {count} phrase{'s' if count != 1 else ''}"]
    for locale, missing in report.missing.items():
        if missing is None:
            lines.append(f"  {locale}: no dictionary, phrases are shown as written")
        elif not missing:
            lines.append(f"  {locale}: all translated")
        else:
            target = relative(report.dictionary_dir / f"{locale}.yaml", root)
            lines.append(f"  {locale}: {len(missing)} missing, add to {target}:")
            for phrase in missing:
                entry = yaml.safe_dump({phrase: ""}, allow_unicode=True, width=1_000_000)
                use = report.uses[phrase]
                lines.append(f"    {entry.rstrip()}  # {use.file}:{use.line}")
    return lines
