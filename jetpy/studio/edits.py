"""What the studio does to page definitions: each edit is one validated, all-or-nothing write.

An edit reads the loaded project (what the site serves now), writes through a
`jetpy.definitions.writer.Changes` transaction exactly what a developer would write by hand
(page folders and page.yaml files, keys in the order of DESIGN.md), and commits it with the
validator the studio was given: an edit that would break a definition is refused with the
problems, and nothing is written. Pages are addressed by `PageRef` (base, locale, relative
path; the homepage is the path ''). Pages that a module brings live in the module's folder:
their properties can be edited there, but they cannot be moved, renamed or deleted here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jetpy.definitions import schema
from jetpy.definitions.writer import Changes, Validator, WriteError, check_name
from jetpy.errors import relative
from jetpy.kernel.pages import Page, PageTree
from jetpy.project.loader import Project

# the order of keys in a page.yaml the studio creates (DESIGN.md's order)
PAGE_KEYS = tuple(schema.PAGE)
# what a content is first: the module (or the static output), then how it is called
CONTENT_KEYS = (
    "module",
    "output",
    *(key for key in schema.CONTENT if key not in ("module", "output")),
)
_DEFAULTS = {
    "order": 0,
    "active": True,
    "http_headers": {},
    "parameters": {},
    "meta_tags": [],
    "contents": [],
}


class StudioError(WriteError):
    """An edit the studio cannot make as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class PageRef:
    """A page by base, locale and relative path ('' is the homepage)."""

    base: str
    locale: str
    path: str = ""

    def child(self, fragment: str) -> PageRef:
        return PageRef(self.base, self.locale, f"{self.path}/{fragment}".strip("/"))

    @property
    def parent(self) -> PageRef | None:
        if not self.path:
            return None
        return PageRef(self.base, self.locale, self.path.rpartition("/")[0])

    @property
    def fragment(self) -> str:
        return self.path.rpartition("/")[2]


class PageEditor:
    """Edits of one project's page trees (a new editor per loaded project)."""

    def __init__(self, project: Project, validate: Validator | None = None) -> None:
        self.project = project
        self.app_dir = project.app_dir
        self.validate = validate

    # reading -------------------------------------------------------------------------
    def tree(self, base: str, locale: str) -> PageTree:
        tree = self.project.trees.get((base, locale))
        if tree is None:
            raise StudioError(f"there is no page tree for base `{base}` and locale `{locale}`")
        return tree

    def page(self, ref: PageRef) -> Page:
        page = self.tree(ref.base, ref.locale).by_path.get(ref.path)
        if page is None:
            raise StudioError(
                f"base `{ref.base}`, locale `{ref.locale}` has no page at `{ref.path or '/'}`; "
                "it may have been moved or deleted: reload the tree"
            )
        return page

    def children(self, ref: PageRef) -> list[Page]:
        """Every child page (inactive ones too) in menu order."""
        page = self.page(ref)
        return sorted(page.all_children, key=lambda child: (child.order, child.id))

    def subtree(self, ref: PageRef) -> list[Page]:
        """The page and all pages under it, parents first."""
        found = [self.page(ref)]
        for page in found:
            found.extend(sorted(page.all_children, key=lambda child: child.relative_path))
        return found

    def folder(self, ref: PageRef) -> Path:
        """The page's folder relative to application/ (pages of the application only)."""
        base = self.project.bases[ref.base]
        folder = base.pages_dir(ref.locale) / ref.path if ref.path else base.pages_dir(ref.locale)
        return folder.relative_to(self.app_dir)

    def _own(self, page: Page, doing: str) -> None:
        if page.module is not None:
            raise StudioError(
                f"page `{page.id}` is brought by module `{page.module}`: it cannot be {doing} "
                f"here; change {relative(page.file, self.project.root)} in the module instead"
            )

    # creating and changing -----------------------------------------------------------
    def create(self, parent: PageRef, fragment: str, values: Mapping[str, Any]) -> PageRef:
        """A new page under `parent` (its folder is `fragment`), last among its siblings."""
        self.page(parent)
        check_name(fragment, "URL fragment")
        ref = parent.child(fragment)
        if ref.path in self.tree(ref.base, ref.locale).by_path:
            raise StudioError(f"`{ref.path}` exists already in this locale; choose another name")
        data = _page_data(values)
        if "order" not in data:
            siblings = self.children(parent)
            data["order"] = (max((p.order for p in siblings), default=0)) + 1
        changes = Changes(self.app_dir)
        changes.write_yaml(self.folder(ref) / "page.yaml", _ordered(data))
        changes.commit(self.validate)
        return ref

    def update(self, ref: PageRef, values: Mapping[str, Any]) -> None:
        """Set page properties; a value of None (or the default) removes the key."""
        page = self.page(ref)
        changes = Changes(self.app_dir)
        data = changes.read(page.file)
        for key, value in values.items():
            if key not in PAGE_KEYS:
                raise StudioError(f"a page has no property `{key}`; use one of {PAGE_KEYS}")
            if key == "contents":
                raise StudioError("contents change through set_contents()")
            if value is None or (key in _DEFAULTS and value == _DEFAULTS[key]):
                data.pop(key, None)
            else:
                data[key] = value
        changes.write_yaml(page.file, data)
        changes.commit(self.validate)

    def set_contents(self, ref: PageRef, contents: Sequence[Mapping[str, Any]]) -> None:
        """Replace the page's contents (after adding, removing or dragging one).

        Each item is a content as in page.yaml; an item with `"index": n` is the page's
        n-th content as it is now, so its comments and layout in the file are kept.
        """
        page = self.page(ref)
        changes = Changes(self.app_dir)
        data = changes.read(page.file)
        existing = list(data.get("contents") or [])
        new: list[Any] = []
        for number, item in enumerate(contents):
            values = {key: value for key, value in item.items() if key != "index"}
            unknown = [key for key in values if key not in CONTENT_KEYS]
            if unknown:
                raise StudioError(f"contents[{number}] has no property `{unknown[0]}`")
            index = item.get("index")
            kept = existing[index] if isinstance(index, int) and 0 <= index < len(existing) else {}
            entry = kept if kept else {}
            for key in CONTENT_KEYS:
                if key not in values:
                    continue
                value = values[key]
                default = schema.CONTENT[key].default
                if value is None or value == ({} if key == "parameters" else default):
                    entry.pop(key, None)
                else:
                    entry[key] = value
            new.append(entry if kept else _ordered(entry, CONTENT_KEYS))
        if new:
            data["contents"] = new
        else:
            data.pop("contents", None)
        changes.write_yaml(page.file, data)
        changes.commit(self.validate)

    # moving --------------------------------------------------------------------------
    def rename(self, ref: PageRef, fragment: str) -> PageRef:
        """Give the page another folder name (its URL fragment); its subtree goes along."""
        parent = ref.parent
        if parent is None:
            raise StudioError("the homepage has no folder of its own to rename")
        return self.move(ref, parent, None, fragment)

    def move(
        self, ref: PageRef, parent: PageRef, index: int | None, fragment: str | None = None
    ) -> PageRef:
        """Move the page (with its subtree) under `parent` at sibling position `index`.

        `index` None keeps its order. Siblings are renumbered 1, 2, 3 … only where
        their `order` has to change, so a reorder touches as few files as it can.
        """
        page = self.page(ref)
        self._own(page, "moved")
        self.page(parent)
        if ref.parent is None:
            raise StudioError("the homepage cannot be moved")
        if (parent.base, parent.locale) != (ref.base, ref.locale):
            raise StudioError("a page moves within its base and locale; copy it to another locale")
        if parent.path == ref.path or parent.path.startswith(ref.path + "/"):
            raise StudioError(f"`{ref.path}` cannot be moved under itself")
        target = parent.child(check_name(fragment or ref.fragment, "URL fragment"))
        if target != ref and target.path in self.tree(ref.base, ref.locale).by_path:
            raise StudioError(f"`{target.path}` exists already; choose another name")
        changes = Changes(self.app_dir)
        if target != ref:
            changes.move(self.folder(ref), self.folder(target))
        if index is not None:
            siblings = [p for p in self.children(parent) if p is not page]
            siblings.insert(max(0, min(index, len(siblings))), page)
            for number, sibling in enumerate(siblings, start=1):
                if sibling.order == number:
                    continue
                self._own(sibling, "renumbered")
                sibling_ref = (
                    target
                    if sibling is page
                    else PageRef(ref.base, ref.locale, sibling.relative_path)
                )
                file = self.folder(sibling_ref) / "page.yaml"
                # a moved page is read where it is now and written where it goes
                data = changes.read(self.folder(ref) / "page.yaml" if sibling is page else file)
                data["order"] = number
                changes.write_yaml(file, data)
        changes.commit(self.validate)
        return target

    def copy(
        self, ref: PageRef, locale: str, parent_path: str, fragment: str | None = None
    ) -> PageRef:
        """Copy the page with its subtree into another locale under `parent_path`."""
        page = self.page(ref)
        self._own(page, "copied")
        if ref.parent is None:
            raise StudioError("the homepage exists in every locale; copy its pages instead")
        parent = PageRef(ref.base, locale, parent_path)
        self.page(parent)
        target = parent.child(check_name(fragment or ref.fragment, "URL fragment"))
        if target.path in self.tree(ref.base, locale).by_path:
            raise StudioError(f"`{target.path}` exists already in {locale}; choose another name")
        changes = Changes(self.app_dir)
        changes.copy(self.folder(ref), self.folder(target))
        changes.commit(self.validate)
        return target

    def delete(self, ref: PageRef) -> list[str]:
        """Delete the page and its subtree; returns the paths that went."""
        page = self.page(ref)
        self._own(page, "deleted")
        if ref.parent is None:
            raise StudioError("the homepage cannot be deleted; delete the locale instead")
        going = [p.relative_path for p in self.subtree(ref)]
        changes = Changes(self.app_dir)
        changes.delete(self.folder(ref))
        changes.commit(self.validate)
        return going


def _page_data(values: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in values.items():
        if key not in PAGE_KEYS:
            raise StudioError(f"a page has no property `{key}`; use one of {', '.join(PAGE_KEYS)}")
        if value is not None and not (key in _DEFAULTS and value == _DEFAULTS[key]):
            data[key] = value
    return data


def _ordered(data: Mapping[str, Any], keys: Sequence[str] = PAGE_KEYS) -> dict[str, Any]:
    return {key: data[key] for key in keys if key in data}
