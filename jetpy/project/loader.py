"""Loading a project: config, modules, bases and page trees, with the compiled-map cache."""

from __future__ import annotations

import contextlib
import difflib
import functools
import gc
import logging
import marshal
import os
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from jetpy.definitions import schema
from jetpy.definitions.config import Config, load_config
from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import Problem, relative
from jetpy.kernel.bases import Base, Locale, LocaleUrl
from jetpy.kernel.pages import HOMEPAGE_ID, Page, PageTree, read_definition
from jetpy.kernel.security import security_headers
from jetpy.modules.discovery import Module, discover, resolve_callable, use_project_imports
from jetpy.modules.events import Listeners, load_listeners
from jetpy.modules.i18n import Translations, load_translations
from jetpy.modules.menus import MenuSets, load_menus
from jetpy.modules.states import apply_states, read_states, state_file
from jetpy.queue import queue_problems

if TYPE_CHECKING:
    from jetpy.auth import AuthProvider

log = logging.getLogger("jetpy")

_LOCALE_NAME = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
_LOCALE_FOLDER = re.compile(r"^[a-z]{2,3}_[A-Z]{2}$")  # in a module's pages/<base>/
TreeKey = tuple[str, str]


@dataclass
class Project:
    """Everything read from a project's application/ folder."""

    root: Path
    app_dir: Path
    config: Config = field(default_factory=Config)
    modules: dict[str, Module] = field(default_factory=dict)
    bases: dict[str, Base] = field(default_factory=dict)
    trees: dict[TreeKey, PageTree] = field(default_factory=dict)
    translations: Translations = field(default_factory=Translations)
    listeners: Listeners = field(default_factory=dict)  # event name → handlers, in order
    menus: MenuSets = field(default_factory=MenuSets)
    problems: list[Problem] = field(default_factory=list)
    from_cache: bool = False

    @property
    def cache_file(self) -> Path:
        return self.app_dir / "data" / "cache" / "pages.marshal"


def load_project(root: Path, use_cache: bool = True, own_imports: bool = True) -> Project:
    """Read the whole project; problems are collected in `project.problems`.

    `own_imports=False` reads the definitions of `root` but imports module code (`application…`)
    from the project this process already uses: the studio checks a staging copy of its project
    that way, in process, without importing every module a second time.
    """
    root = root.resolve()
    project = Project(root=root, app_dir=root / "application")
    problems = project.problems
    if not project.app_dir.is_dir():
        problems.append(
            Problem(
                str(root),
                "",
                "has no `application/` folder",
                "run jetpy in a project folder, or create one with the README",
            )
        )
        return project
    if own_imports:
        use_project_imports(root)
    project.config = load_config(project.app_dir, root, problems)
    project.modules = discover(project.app_dir, root, problems)
    states = read_states(project.app_dir, root, problems)
    apply_states(project.modules, states, project.app_dir, root, problems)
    project.listeners = load_listeners(project.modules, root, problems)
    problems.extend(queue_problems(project))  # queues not declared (config `queue.mode`)
    project.bases = load_bases(project, problems)
    project.translations = load_translations(
        project.app_dir, project.modules, project.bases, root, problems
    )
    project.menus = load_menus(project.app_dir, project.modules, root, problems)
    with _no_collections():
        cached = _read_cache(project) if use_cache and project.config.map_cache else None
        if cached is not None:
            project.trees = _trees_from_cache(project, cached)
            project.from_cache = True
    if cached is None:
        brought = module_page_folders(project, problems)
        for base in project.bases.values():
            for locale in base.locales.values():
                key = (base.id, locale.name)
                tree = scan_tree(base, locale, root, problems, brought.get(key, ()))
                if tree is not None:
                    project.trees[key] = tree
    return project


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """Pause the cyclic garbage collector while the cache makes its many lasting objects at
    once: it would walk them again and again and find nothing to free (a fifth of the warm
    start of a site of 100,000 pages)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_bases(project: Project, problems: list[Problem]) -> dict[str, Base]:
    """Read every bases/<id>/base.yaml."""
    bases: dict[str, Base] = {}
    bases_dir = project.app_dir / "bases"
    files = sorted(bases_dir.glob("*/base.yaml")) if bases_dir.is_dir() else []
    if not files:
        problems.append(
            Problem(
                relative(bases_dir, project.root),
                "",
                "no base is defined",
                "add bases/web/base.yaml with at least one locale",
            )
        )
    owners: dict[tuple[str | None, str], str] = {}
    for file in files:
        shown = relative(file, project.root)
        data, found = load_yaml(file, shown)
        problems.extend(found)
        if data is None:
            continue
        values = schema.validate(data, schema.BASE, shown, problems=problems)
        locales = values.pop("locales") or {}
        auth_factory = values.pop("auth")
        security = schema.validate(
            values.pop("security_headers") or {},
            schema.SECURITY_HEADERS,
            shown,
            "security_headers.",
            problems,
        )
        values["security"] = security_headers(security, values["errors"] == "json", shown, problems)
        base = Base(id=file.parent.name, dir=file.parent, auth_factory=auth_factory, **values)
        base.name = base.name or base.id
        for name, options in locales.items():
            if options is None:
                continue
            key = f"locales.{name}"
            if not _LOCALE_NAME.match(name):
                problems.append(
                    Problem(
                        shown,
                        key,
                        f"`{name}` is not a locale name",
                        "write language_TERRITORY, e.g. en_US or cs_CZ",
                    )
                )
            urls = [LocaleUrl.parse(text) for text in options.pop("urls") or []]
            if not urls:
                problems.append(
                    Problem(
                        shown,
                        f"{key}.urls",
                        "no URL given",
                        "list at least one URL, e.g. `urls: [/]`",
                    )
                )
                continue
            for url in urls:
                owner = owners.setdefault((url.host, url.path), f"{shown} [{key}]")
                if owner != f"{shown} [{key}]":
                    problems.append(
                        Problem(
                            shown,
                            f"{key}.urls",
                            f"URL `{url}` is used by {owner} too",
                            "give each locale its own URLs",
                        )
                    )
            base.locales[name] = Locale(name=name, base=base, urls=urls, **options)
        if not base.locales:
            problems.append(
                Problem(
                    shown,
                    "locales",
                    "the base has no locale",
                    "add one, e.g. `locales: {en_US: {urls: [/]}}`",
                )
            )
            continue
        for index, name in enumerate(base.direct_files):
            if not name or "/" in name or "\\" in name or name.startswith("."):
                problems.append(
                    Problem(
                        shown,
                        f"direct_files[{index}]",
                        f"`{name}` is not a plain file name",
                        "list file names that lie in pages/<locale>/",
                    )
                )
        if base.initializer:
            base.setup = resolve_callable(
                base.initializer, project.root, shown, "initializer", problems
            )
        if auth_factory:
            base.auth = make_auth_provider(auth_factory, project.root, shown, problems)
        bases[base.id] = base
    defaults = [base.id for base in bases.values() if base.default]
    if len(defaults) > 1:
        problems.append(
            Problem(
                "application/bases",
                "default",
                f"{len(defaults)} bases say `default: true`: {', '.join(defaults)}",
                "keep `default: true` in one",
            )
        )
    return bases


_AUTH_METHODS = ("page_access", "module_action_allowed", "can_see_page")


def make_auth_provider(
    reference: str, root: Path, shown: str, problems: list[Problem]
) -> AuthProvider | None:
    """The provider base.yaml's `auth:` names: its factory called once, without arguments."""
    factory = resolve_callable(reference, root, shown, "auth", problems)
    if factory is None:
        return None
    try:
        provider = factory()
    except Exception as exc:
        problems.append(
            Problem(
                shown,
                "auth",
                f"`{reference}()` failed: {type(exc).__name__}: {exc}",
                "name a class or function that makes the provider without arguments",
            )
        )
        return None
    missing = [name for name in _AUTH_METHODS if not callable(getattr(provider, name, None))]
    if missing:
        problems.append(
            Problem(
                shown,
                "auth",
                f"`{reference}()` made a {type(provider).__name__}, which lacks "
                + ", ".join(f"`{name}()`" for name in missing),
                "subclass jetpy.auth.SessionAuth, or define the methods of jetpy.auth.AuthProvider",
            )
        )
        return None
    return provider  # type: ignore[no-any-return]


def scan_tree(
    base: Base,
    locale: Locale,
    root: Path,
    problems: list[Problem],
    brought: Iterable[ModuleFolder] = (),
) -> PageTree | None:
    """Read every page.yaml of a base and locale, then the pages modules bring; validate each."""
    pages_dir = base.pages_dir(locale.name)
    home_file = pages_dir / "page.yaml"
    if not home_file.is_file():
        problems.append(
            Problem(
                relative(pages_dir, root),
                "",
                "has no homepage",
                f"create {relative(home_file, root)} (it may be empty)",
            )
        )
        return None
    homepage = Page(base, locale, "", HOMEPAGE_ID, home_file, None, root)
    homepage.definition = read_definition(home_file, HOMEPAGE_ID, root, problems)
    homepage.id = homepage.definition.id
    tree = PageTree(base, locale, homepage)
    tree.add(homepage)
    _scan_folder(tree, pages_dir, None, root, problems)
    for folder in brought:
        _scan_folder(tree, folder.path, folder.module, root, problems, folder.skip)
    return tree


def _scan_folder(
    tree: PageTree,
    top: Path,
    module: str | None,
    root: Path,
    problems: list[Problem],
    skip: Collection[str] = (),
) -> None:
    """Add the pages below `top` under the homepage; `skip` names top folders to leave out."""
    base, locale = tree.base, tree.locale
    pending: list[tuple[Path, Page]] = [(top, tree.homepage)]
    while pending:
        directory, parent = pending.pop()
        with os.scandir(directory) as entries:
            folders = sorted(
                entry.name
                for entry in entries
                if entry.is_dir() and not entry.name.startswith((".", "__"))
            )
        for name in folders:
            if name in skip and directory == top:
                continue
            folder = directory / name
            file = folder / "page.yaml"
            if not file.is_file():
                problems.append(
                    Problem(
                        relative(folder, root),
                        "",
                        "folder without page.yaml",
                        "add a page.yaml (pages nest by folders) or remove it",
                    )
                )
                continue
            path = f"{parent.relative_path}/{name}" if parent.relative_path else name
            owner = tree.by_path.get(path)
            if owner is not None:  # only module pages can meet an existing path
                problems.append(
                    Problem(
                        relative(file, root),
                        "",
                        f"module `{module}` brings page /{path}/ to base `{base.id}`, locale "
                        f"`{locale.name}`, which {relative(owner.file, root)} defines already",
                        "rename one of the two folders (the folder name is the URL fragment)",
                    )
                )
                continue
            definition = read_definition(file, name, root, problems, module)
            page = Page(base, locale, path, definition.id, file, parent, root, module)
            page.definition = definition
            twin = tree.by_id.get(page.id)
            if twin is not None:
                problems.append(
                    Problem(
                        relative(file, root),
                        "id",
                        f"page id `{page.id}` is also used by {relative(twin.file, root)}",
                        "give every page of a base and locale its own id",
                    )
                )
            tree.add(page)
            pending.append((folder, page))


# pages brought by modules ------------------------------------------------------
@dataclass(frozen=True)
class ModuleFolder:
    """A folder of a module's pages/ whose page folders join one tree under its homepage."""

    module: str
    path: Path
    skip: frozenset[str] = frozenset()  # the per-locale folders beside the pages


def module_page_folders(
    project: Project, problems: list[Problem]
) -> dict[TreeKey, list[ModuleFolder]]:
    """Where each active module's pages for each base and locale lie.

    `pages/<base>/<fragment>/` joins every locale of the base, `pages/<base>/<locale>/<fragment>/`
    only that locale.
    """
    folders: dict[TreeKey, list[ModuleFolder]] = {}
    root = project.root
    for module in sorted(project.modules.values(), key=lambda module: module.name):
        pages_dir = module.dir / "pages"
        if not module.active or not pages_dir.is_dir():
            continue
        for base_dir in sorted(_subfolders(pages_dir)):
            base = project.bases.get(base_dir.name)
            if base is None:
                close = difflib.get_close_matches(base_dir.name, list(project.bases), n=1)
                problems.append(
                    Problem(
                        relative(base_dir, root),
                        "",
                        f"module `{module.name}` brings pages to base `{base_dir.name}`, "
                        "which does not exist",
                        f"did you mean `{close[0]}`?"
                        if close
                        else "name the folder after a base: " + ", ".join(project.bases),
                    )
                )
                continue
            _refuse_homepage(module, base_dir, root, problems)
            locales = frozenset(base.locales)
            skip = set(locales)
            for locale_dir in sorted(_subfolders(base_dir)):
                name = locale_dir.name
                if name in locales:
                    _refuse_homepage(module, locale_dir, root, problems)
                    folders.setdefault((base.id, name), []).append(
                        ModuleFolder(module.name, locale_dir)
                    )
                elif _LOCALE_FOLDER.match(name):
                    skip.add(name)
                    problems.append(
                        Problem(
                            relative(locale_dir, root),
                            "",
                            f"base `{base.id}` has no locale `{name}`",
                            "name the folder after one of its locales: " + ", ".join(locales),
                        )
                    )
            for name in base.locales:
                folders.setdefault((base.id, name), []).append(
                    ModuleFolder(module.name, base_dir, frozenset(skip))
                )
    return folders


def _subfolders(directory: Path) -> list[Path]:
    return [
        entry
        for entry in directory.iterdir()
        if entry.is_dir() and not entry.name.startswith((".", "__"))
    ]


def _refuse_homepage(module: Module, directory: Path, root: Path, problems: list[Problem]) -> None:
    file = directory / "page.yaml"
    if file.is_file():
        problems.append(
            Problem(
                relative(file, root),
                "",
                f"module `{module.name}` cannot bring a homepage (only the application defines it)",
                "put the page into a folder: its name becomes the URL fragment",
            )
        )


# the compiled-map cache --------------------------------------------------------
# The cache holds the page trees (path, id, and a module page's file and module) and the stamps
# (modification time and size) of every folder and file the definitions come from. A warm
# start checks every stamp (one `stat` each: an added, removed or edited page.yaml is seen)
# and builds the trees from plain tuples, without reading or validating a page.yaml; pages
# read their definition when first used. Stamps and trees are stored as columns (parallel
# lists), which marshal reads and Python compares in bulk.
@dataclass
class Stamps:
    """(mtime, size) of every definition folder and file; `missing` must still be missing.

    Paths are relative to application/: shorter to store, and each `stat` walks fewer
    folders (relative to an open application/ where the system allows it), which is most of
    the time of a large site's warm start.
    """

    paths: list[str] = field(default_factory=list)
    values: list[tuple[int, int]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def add(self, path: str, stat: os.stat_result) -> None:
        self.paths.append(path)
        self.values.append((stat.st_mtime_ns, stat.st_size))

    def current(self, app_dir: Path) -> bool:
        """Whether every folder and file is as stamped (and the missing ones still missing)."""
        top = str(app_dir)
        if any(os.path.exists(os.path.join(top, path)) for path in self.missing):
            return False
        try:  # one stat a path; the comparison of the two lists runs in C
            if os.stat in os.supports_dir_fd:
                folder = os.open(top, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
                try:
                    stat = functools.partial(os.stat, dir_fd=folder)
                    now = [(found.st_mtime_ns, found.st_size) for found in map(stat, self.paths)]
                finally:
                    os.close(folder)
            else:
                paths = (os.path.join(top, path) for path in self.paths)
                now = [(found.st_mtime_ns, found.st_size) for found in map(os.stat, paths)]
        except OSError:  # removed since (or application/ itself)
            return False
        return now == self.values


def definition_stamps(project: Project) -> Stamps:
    """The stamps of every folder and file the definitions come from."""
    stamps = Stamps()
    app_dir = project.app_dir
    for top in (app_dir, app_dir / "config.yaml", state_file(app_dir)):
        path = os.path.relpath(top, app_dir)
        if top.exists():
            stamps.add(path, top.stat())
        else:
            stamps.missing.append(path)
    # menus/: not in the map, but a warm start skips the cross-checks of layouts' menu() calls
    cut = len(str(app_dir)) + 1  # os.walk's folders start with application/ and a separator
    for top in (app_dir / "bases", app_dir / "modules", app_dir / "classes", app_dir / "menus"):
        for directory, folders, files in os.walk(top):
            folders[:] = [name for name in folders if name != "__pycache__"]
            stamps.add(directory[cut:], os.stat(directory))
            for name in files:
                path = os.path.join(directory, name)
                stamps.add(path[cut:], os.stat(path))
    return stamps


def _cache_format() -> str:
    from jetpy import __version__

    return f"4:{__version__}"  # a new jetpy may read definitions differently


# one tree in the cache: the pages in tree order (parents first) as columns; a module page's
# file is relative to the project root, None for an application page (its folder's page.yaml)
CachedTree = tuple[list[str], list[str], list[str | None], list[str | None]]


def write_cache(project: Project) -> None:
    """Store the page maps for the next start; only ever called for a valid project."""
    root = project.root
    trees: dict[str, CachedTree] = {}
    for (base, locale), tree in project.trees.items():
        pages = list(tree)
        trees[f"{base}\x00{locale}"] = (
            [page.relative_path for page in pages],
            [page.id for page in pages],
            [None if page.module is None else relative(page.file, root) for page in pages],
            [page.module for page in pages],
        )
    target = project.cache_file
    try:
        # before the stamps: creating data/ changes the stamped application/ folder
        target.parent.mkdir(parents=True, exist_ok=True)
        stamps = definition_stamps(project)
        data = {
            "format": _cache_format(),
            "stamps": (stamps.paths, stamps.values, stamps.missing),
            "trees": trees,
        }
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps(data))
        os.replace(temporary, target)
    except OSError as exc:
        log.warning("cannot write the page map cache %s: %s", target, exc)


def _read_cache(project: Project) -> dict[str, CachedTree] | None:
    try:
        data = marshal.loads(project.cache_file.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("format") != _cache_format():
        return None
    paths, values, missing = data["stamps"]
    if not Stamps(paths, values, missing).current(project.app_dir):
        return None
    trees: dict[str, CachedTree] = data["trees"]
    return trees


def _trees_from_cache(project: Project, cached: dict[str, CachedTree]) -> dict[TreeKey, PageTree]:
    trees: dict[TreeKey, PageTree] = {}
    root = project.root
    for key, (paths, ids, module_files, modules) in cached.items():
        base_id, locale_name = key.split("\x00")
        base = project.bases[base_id]
        locale = base.locales[locale_name]
        homepage = Page(base, locale, paths[0], ids[0], None, None, root)
        tree = PageTree(base, locale, homepage)
        tree.add(homepage)
        # what PageTree.add does, inline: this loop runs once per page of the site
        by_path, by_id = tree.by_path, tree.by_id
        columns = zip(paths, ids, module_files, modules, strict=True)
        next(columns)  # the homepage, added above
        for path, page_id, module_file, module in columns:
            cut = path.rfind("/")
            parent = by_path[path[:cut]] if cut > 0 else homepage
            # an application page's file follows from its path (Page.file, when asked for)
            file = None if module_file is None else root / module_file
            page = Page(base, locale, path, page_id, file, parent, root, module)
            by_path[path] = page
            if page_id not in by_id:
                by_id[page_id] = page
            parent.all_children.append(page)
        trees[(base_id, locale_name)] = tree
    return trees
