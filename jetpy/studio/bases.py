"""What the studio does to bases: create one with its folder, edit base.yaml, add locales.

Like page edits (`jetpy.studio.edits`), every change is one validated, all-or-nothing write
of exactly the files a developer would write: `bases/<id>/base.yaml`, a first layout and the
error pages of a new base or locale, and the homepage `page.yaml` of each new locale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jetpy.definitions import schema
from jetpy.definitions.writer import Changes, Validator, check_name
from jetpy.kernel.bases import LocaleUrl
from jetpy.modules.i18n import LOCALE_NAME
from jetpy.project.loader import Project
from jetpy.studio.edits import StudioError

SKELETON = Path(__file__).parents[1] / "modules" / "skeletons" / "project" / "application"
BASE_KEYS = tuple(schema.BASE)
LOCALE_KEYS = tuple(schema.LOCALE)
ERROR_PAGES = ("404.html", "500.html")


class BaseEditor:
    """Edits of one project's bases (a new editor per loaded project)."""

    def __init__(self, project: Project, validate: Validator | None = None) -> None:
        self.project = project
        self.app_dir = project.app_dir
        self.validate = validate

    def _file(self, base_id: str) -> str:
        if base_id not in self.project.bases:
            known = ", ".join(self.project.bases) or "none"
            raise StudioError(f"there is no base `{base_id}` (bases: {known})")
        return f"bases/{base_id}/base.yaml"

    def create(self, base_id: str, name: str, locale: str, url: str, title: str = "") -> None:
        """A new base: base.yaml, a layout, and the homepage and error pages of one locale."""
        check_name(base_id, "base id")
        if base_id in self.project.bases or (self.app_dir / "bases" / base_id).exists():
            raise StudioError(f"a base `{base_id}` exists already; choose another id")
        _check_locale(locale)
        changes = Changes(self.app_dir)
        data = {
            "name": name or base_id,
            "locales": {locale: _locale_data({"urls": [_url(url)], "title": title})},
        }
        changes.write_yaml(f"bases/{base_id}/base.yaml", data)
        changes.write_text(
            f"bases/{base_id}/layouts/default.html", _skeleton("layouts/default.html")
        )
        self._locale_files(changes, base_id, locale, title or name or base_id, None)
        changes.commit(self.validate)

    def update(self, base_id: str, values: Mapping[str, Any]) -> None:
        """Set properties of base.yaml; None or the default removes the key.

        Making a base the default takes the flag from the one that had it.
        """
        file = self._file(base_id)
        changes = Changes(self.app_dir)
        data = changes.read(file)
        for key, value in values.items():
            if key not in BASE_KEYS or key == "locales":
                raise StudioError(f"a base has no property `{key}` to set here")
            default = schema.BASE[key].default
            if value is None or value == (default() if callable(default) else default):
                data.pop(key, None)
            else:
                data[key] = value
        changes.write_yaml(file, data)
        if values.get("default"):
            for other in self.project.bases:
                if other != base_id and self.project.bases[other].default:
                    other_data = changes.read(f"bases/{other}/base.yaml")
                    other_data.pop("default", None)
                    changes.write_yaml(f"bases/{other}/base.yaml", other_data)
        changes.commit(self.validate)

    def set_locale(
        self, base_id: str, locale: str, urls: Sequence[str], values: Mapping[str, Any]
    ) -> None:
        """Add a locale (with its homepage and error pages) or change one's URLs and title."""
        file = self._file(base_id)
        _check_locale(locale)
        if not urls:
            raise StudioError(f"locale `{locale}` needs at least one URL, e.g. /{locale[:2]}/")
        changes = Changes(self.app_dir)
        data = changes.read(file)
        locales = data.setdefault("locales", {})
        new = locale not in locales
        entry = locales[locale] if not new else {}
        entry["urls"] = [_url(url) for url in urls]
        for key, value in values.items():
            if key not in LOCALE_KEYS or key == "urls":
                raise StudioError(f"a locale has no property `{key}` to set here")
            if value is None or value == schema.LOCALE[key].default or value in ({}, []):
                entry.pop(key, None)
            else:
                entry[key] = value
        locales[locale] = _locale_data(entry) if new else entry
        changes.write_yaml(file, data)
        if new:
            base = self.project.bases[base_id]
            first = next(iter(base.locales), None)
            title = str(values.get("title") or base.name)
            self._locale_files(changes, base_id, locale, title, first)
        changes.commit(self.validate)

    def _locale_files(
        self, changes: Changes, base_id: str, locale: str, title: str, like: str | None
    ) -> None:
        pages = f"bases/{base_id}/pages/{locale}"
        if (self.app_dir / pages).exists():
            raise StudioError(f"{pages}/ exists already; move it away or choose another locale")
        changes.write_yaml(f"{pages}/page.yaml", {"title": title})
        for name in ERROR_PAGES:
            existing = self.app_dir / f"bases/{base_id}/pages/{like}/{name}" if like else None
            if existing is not None and existing.is_file():
                changes.copy(existing, f"{pages}/{name}")
            else:
                changes.write_text(f"{pages}/{name}", _skeleton(f"pages/en_US/{name}"))


def _check_locale(locale: str) -> None:
    if not LOCALE_NAME.match(locale) or "_" not in locale:
        raise StudioError(f"`{locale}` is not a locale name; write language_COUNTRY, e.g. de_DE")


def _url(text: str) -> str:
    text = text.strip()
    if not text or any(char.isspace() or char in "\\\x00?#" for char in text):
        raise StudioError(f"`{text}` is not a URL prefix; write /path/ or host/path/")
    return str(LocaleUrl.parse(text))


def _locale_data(entry: Mapping[str, Any]) -> dict[str, Any]:
    ordered = {key: entry[key] for key in LOCALE_KEYS if key in entry}
    if not ordered.get("title"):
        ordered.pop("title", None)
    return ordered


def _skeleton(name: str) -> str:
    return (SKELETON / "bases" / "web" / f"{name}.tmpl").read_text(encoding="utf-8")
