"""Pages: the tree of a base and locale, definitions loaded lazily from page.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from jetpy.definitions import schema
from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import JetpyError, Problem, relative
from jetpy.kernel.navigation import Crumb

if TYPE_CHECKING:
    from jetpy.kernel.bases import Base, Locale

HOMEPAGE_ID = "_homepage_"
# what quote() leaves as it is, and the `/` between fragments
_UNRESERVED_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")


@dataclass(frozen=True)
class Content:
    """One item of a page: a module action (or static output) sent to a position."""

    module: str | None
    controller: str = "Main"
    action: str = "default"
    position: str = "main"
    order: int = 0
    parameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    output: str | None = None
    index: int = 0
    cacheable: bool = False  # its output may be kept in the output cache (jetpy.cache)
    cache_ttl: int = 0  # seconds an entry lives; 0: config.yaml's `cache.ttl`


@dataclass(frozen=True)
class PageDefinition:
    """What page.yaml says, validated and with defaults filled in."""

    id: str
    title: str = ""
    menu_title: str | None = None
    breadcrumb_title: str | None = None
    order: int = 0
    active: bool = True
    secret: bool | None = None
    ssl_required: bool | None = None
    layout: str | None = None
    http_headers: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    meta_tags: list[dict[str, str]] = field(default_factory=list)
    contents: tuple[Content, ...] = ()
    output: str | None = None
    output_file: str | None = None


def read_definition(
    file: Path,
    default_id: str,
    root: Path,
    problems: list[Problem],
    default_module: str | None = None,
) -> PageDefinition:
    """Load and validate one page.yaml; problems are appended, never raised.

    `default_module` is the module that brought the page: its contents without `module:`
    (and without `output:`) run that module.
    """
    shown = relative(file, root)
    data, found = load_yaml(file, shown)
    problems.extend(found)
    if data is None:
        return PageDefinition(id=default_id)
    values = schema.validate(data, schema.PAGE, shown, problems=problems)
    contents = []
    for index, item in enumerate(values.pop("contents")):
        if item is None:
            continue
        key = f"contents[{index}]"
        if item["module"] is None and item["output"] is None and default_module is not None:
            item["module"] = default_module
        if item["module"] is None and item["output"] is None:
            problems.append(
                Problem(
                    shown,
                    key,
                    "a content needs `module` or `output`",
                    "add `module: <dotted.module.name>` or `output: <html>`",
                )
            )
            continue
        if item["module"] is not None and item["output"] is not None:
            problems.append(
                Problem(
                    shown,
                    key,
                    "a content has either `module` or `output`, not both",
                    "move the static output to its own content",
                )
            )
        # shared by every request of the page: read-only, so no request leaks into another
        item["parameters"] = MappingProxyType(item["parameters"] or {})
        contents.append(Content(index=index, **item))
    if values["output"] is not None and values["output_file"] is not None:
        problems.append(
            Problem(
                shown, "output_file", "`output` and `output_file` both given", "keep one of them"
            )
        )
    if (values["output"] is not None or values["output_file"] is not None) and contents:
        problems.append(
            Problem(
                shown,
                "contents",
                "a static-output page has no contents",
                "remove `contents` or the `output`",
            )
        )
    if values["output_file"] is not None:
        target = (file.parent / values["output_file"]).resolve()
        if not target.is_relative_to(file.parent.resolve()) or not target.is_file():
            problems.append(
                Problem(
                    shown,
                    "output_file",
                    f"`{values['output_file']}` is not a file in the page folder",
                    "put the file beside page.yaml and name it here",
                )
            )
    page_id = values.pop("id") or default_id
    return PageDefinition(id=page_id, contents=tuple(contents), **values)


class Page:
    """A page of a base and locale; its definition is read on first use."""

    def __init__(
        self,
        base: Base,
        locale: Locale,
        relative_path: str,
        id: str,
        file: Path | None,
        parent: Page | None,
        root: Path,
        module: str | None = None,
    ) -> None:
        self.base = base
        self.locale = locale
        self.relative_path = relative_path
        self.id = id
        # None: the page.yaml of its folder in the tree, made when first asked for (a warm
        # start of a large site would spend most of its time joining paths)
        self._file = file
        self.parent = parent
        self.all_children: list[Page] = []
        self.module = module  # the module that brought the page; None for the application's
        self._root = root

    # definition ------------------------------------------------------------
    definition: PageDefinition  # the page.yaml contents: read on first use, then kept

    def __getattr__(self, name: str) -> Any:
        # only reached while `definition` is not loaded yet; afterwards it is a plain
        # attribute, so the two dozen reads per request cost nothing
        if name != "definition":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        problems: list[Problem] = []
        default_id = self.fragment or HOMEPAGE_ID
        definition = read_definition(self.file, default_id, self._root, problems, self.module)
        if any(not problem.warning for problem in problems):
            raise JetpyError("\n".join(str(problem) for problem in problems))
        self.definition = definition
        return definition

    @property
    def file(self) -> Path:
        """The page.yaml the page is defined in."""
        file = self._file
        if file is None:
            folder = self.base.pages_dir(self.locale.name)
            file = self._file = folder / self.relative_path / "page.yaml"
        return file

    @property
    def fragment(self) -> str:
        """The URL fragment: the folder name ('' for the homepage)."""
        return self.relative_path.rsplit("/", 1)[-1]

    @property
    def title(self) -> str:
        return self.definition.title

    @property
    def menu_title(self) -> str:
        return self.definition.menu_title or self.definition.title

    @property
    def breadcrumb_title(self) -> str:
        return self.definition.breadcrumb_title or self.definition.title

    @property
    def order(self) -> int:
        return self.definition.order

    @property
    def parameters(self) -> dict[str, Any]:
        return self.definition.parameters

    @property
    def contents(self) -> tuple[Content, ...]:
        return self.definition.contents

    @property
    def is_homepage(self) -> bool:
        return self.parent is None

    # inherited values --------------------------------------------------------
    @cached_property
    def ancestors(self) -> tuple[Page, ...]:
        """From the homepage down to this page, itself included."""
        chain: list[Page] = []
        page: Page | None = self
        while page is not None:
            chain.append(page)
            page = page.parent
        return tuple(reversed(chain))

    @cached_property
    def is_active(self) -> bool:
        """Active itself and all its ancestors."""
        return all(page.definition.active for page in self.ancestors)

    @cached_property
    def is_secret(self) -> bool:
        """Secret by the base or by the nearest page that says so."""
        for page in reversed(self.ancestors):
            if page.definition.secret is not None:
                return page.definition.secret
        return self.base.secret

    @cached_property
    def ssl_required(self) -> bool:
        for page in reversed(self.ancestors):
            if page.definition.ssl_required is not None:
                return page.definition.ssl_required
        if self.locale.ssl_required is not None:
            return self.locale.ssl_required
        return self.base.ssl_required

    @cached_property
    def layout(self) -> str:
        for page in reversed(self.ancestors):
            if page.definition.layout:
                return page.definition.layout
        return self.base.layout

    @cached_property
    def http_headers(self) -> dict[str, str]:
        """Base, locale and ancestors' headers; the nearest page wins."""
        headers = dict(self.base.http_headers)
        headers.update(self.locale.http_headers)
        for page in self.ancestors:
            headers.update(page.definition.http_headers)
        return headers

    @cached_property
    def meta_tags(self) -> list[dict[str, str]]:
        """The locale's default meta tags, replaced or extended by the page's."""
        merged: dict[tuple[str, str], dict[str, str]] = {}
        for tag in [*self.locale.meta_tags, *self.definition.meta_tags]:
            merged[(tag["attribute"], tag["value"])] = tag
        return list(merged.values())

    # tree and URLs -----------------------------------------------------------
    @property
    def children(self) -> list[Page]:
        """Active child pages in menu order (a fresh list: callers may change it)."""
        return list(self._active_children)

    @cached_property
    def _active_children(self) -> tuple[Page, ...]:
        # the tree is complete before the first request and never changes afterwards
        return tuple(
            sorted(
                (page for page in self.all_children if page.definition.active),
                key=lambda page: (page.order, page.id),
            )
        )

    @property
    def siblings(self) -> list[Page]:
        """The parent's children (this page included); the homepage alone at the top."""
        return self.parent.children if self.parent is not None else [self]

    @cached_property
    def crumbs(self) -> tuple[Crumb, ...]:
        """The breadcrumb from the homepage to this page."""
        return tuple(Crumb(page.breadcrumb_title, page.url(), page) for page in self.ancestors)

    @cached_property
    def url_prefix(self) -> str:
        if not self.relative_path:
            return self.locale.url_prefix
        quoted = "/".join(quote(part, safe="") for part in self.relative_path.split("/"))
        return f"{self.locale.url_prefix}{quoted}/"

    def url(self, *fragments: str, **query: Any) -> str:
        """This page's URL, with fragments of leftover path and a query string appended."""
        url = self.url_prefix
        if fragments:
            try:
                tail = "/".join(fragments)
            except TypeError:  # a number among them
                tail = "/".join(map(str, fragments))
            # most slugs need no quoting: one look at them all, and a `/` only between them
            if _UNRESERVED_PATH.fullmatch(tail) is None or tail.count("/") != len(fragments) - 1:
                tail = "/".join(quote(str(part), safe="") for part in fragments)
            url += tail
        if query:
            query = {key: value for key, value in query.items() if value is not None}
            if query:
                url += "?" + urlencode(query, doseq=True)
        return url

    def is_in_path_of(self, other: Page) -> bool:
        """True when this page is `other` or one of its ancestors (for menu highlighting)."""
        return self in other.ancestors

    def __repr__(self) -> str:
        return f"<Page {self.base.id}/{self.locale.name}/{self.relative_path or '/'} {self.id}>"


class PageTree:
    """All pages of one base and locale, by relative path and by id."""

    def __init__(self, base: Base, locale: Locale, homepage: Page) -> None:
        self.base = base
        self.locale = locale
        self.homepage = homepage
        self.by_path: dict[str, Page] = {}
        self.by_id: dict[str, Page] = {}

    def add(self, page: Page) -> None:
        self.by_path[page.relative_path] = page
        self.by_id.setdefault(page.id, page)
        if page.parent is not None:
            page.parent.all_children.append(page)

    def match(self, path: str) -> tuple[Page, str]:
        """The deepest page whose path starts `path`, and the leftover: O(depth) lookups."""
        by_path = self.by_path
        prefix = path
        while prefix:
            page = by_path.get(prefix)
            if page is not None:
                return page, path[len(prefix) + 1 :]
            cut = prefix.rfind("/")
            prefix = prefix[:cut] if cut > 0 else ""
        return self.homepage, path

    def __iter__(self) -> Any:
        return iter(self.by_path.values())

    def __len__(self) -> int:
        return len(self.by_path)
