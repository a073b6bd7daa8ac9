"""Menu sets: root menus in application/menus/<set>.yaml, with items that modules add.

```yaml
# application/menus/footer.yaml: the set `footer`, with one root menu `links`
links:
  label: {en_US: Links, cs_CZ: Odkazy}   # text (a phrase of the dictionaries) or per locale
  items:
    - {page: about, order: 10}            # label: the page's menu_title
    - {separator: true, order: 50}
    - {url: "#main", label: Back to top, icon: up, order: 60}
```
A module adds items in `<module>/menu_items/<set>.yaml`: `{links: [items]}`, or
`{links/tools: [items]}` to nest them below the item with id `tools`.

Items are ordered by `order`, then label. A page item is left out where its page is missing,
inactive, or hidden from the visitor: the auth provider's `can_see_page()` decides, and without
a provider secret pages are left out. Separators never lead, trail or double.
The definitions are read once at start; each base and locale's menu is built on first use and
kept, so a request only filters it for the visitor and marks the current page.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from jetpy.definitions import schema
from jetpy.definitions.schema import Field
from jetpy.definitions.yamlfile import load_yaml
from jetpy.errors import JetpyError, Problem, relative

if TYPE_CHECKING:
    from jetpy.kernel.bases import Locale
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.pages import Page, PageTree
    from jetpy.modules.discovery import Module

Text = str | dict[str, str]  # one text, or a text per locale

ITEM: schema.Schema = {
    "id": Field(str, example="tools"),
    "label": Field((str, dict), values=str, example="About us"),
    "icon": Field(str, ""),
    "page": Field(str, example="about"),
    "url": Field((str, dict), values=str, example="https://example.com/"),
    "order": Field(int, 0),
    "separator": Field(bool, False),
    "items": Field(list, list),  # nested items, validated like these
}

MENU: schema.Schema = {
    "label": Field((str, dict), values=str, example="Main menu"),
    "icon": Field(str, ""),
    "items": Field(list, list),
}


# definitions --------------------------------------------------------------------------
@dataclass(eq=False)
class ItemDefinition:
    """One item as its file says, before it is built for a base and locale."""

    file: str
    key: str
    module: str | None  # the module that added it; None for the application's
    id: str | None = None
    label: Text | None = None
    icon: str = ""
    page: str | None = None
    url: Text | None = None
    order: int = 0
    separator: bool = False
    items: list[ItemDefinition] = field(default_factory=list)


@dataclass(eq=False)
class MenuDefinition:
    """A root menu of a set, with the items of the application and of active modules."""

    id: str
    file: str
    label: Text | None = None
    icon: str = ""
    items: list[ItemDefinition] = field(default_factory=list)


# what templates get --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MenuItem:
    """An item of a built menu: a link, a heading of nested items, or a separator."""

    id: str | None
    label: str
    url: str | None
    icon: str = ""
    page: Page | None = None
    separator: bool = False
    items: tuple[MenuItem, ...] = ()
    order: int = 0
    is_active: bool = False  # the current page is its page or below it (see _for_request)
    is_current: bool = False  # the current page is its page


@dataclass(frozen=True, slots=True)
class Menu:
    """A root menu built for one request; iterating it gives its items."""

    id: str
    label: str
    icon: str
    items: tuple[MenuItem, ...]

    def __iter__(self) -> Iterator[MenuItem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class MenuSets:
    """Every menu set of the application, by set name and menu id."""

    def __init__(self, sets: dict[str, dict[str, MenuDefinition]] | None = None) -> None:
        self.sets = sets or {}
        self._built: dict[tuple[str, str, str, str], Menu] = {}

    def menu(self, ctx: RequestContext, set_name: str, menu_id: str) -> Menu:
        """Root menu `menu_id` of set `set_name` for this request's locale and visitor."""
        built = self._build(ctx, set_name, menu_id)
        items = _for_request(built.items, ctx, getattr(ctx, "page", None))
        return built if items is built.items else Menu(built.id, built.label, built.icon, items)

    def menus(self, ctx: RequestContext, set_name: str) -> list[Menu]:
        """Every root menu of set `set_name`, in the order of its file."""
        return [self.menu(ctx, set_name, menu_id) for menu_id in self._set(set_name)]

    @overload
    def resolve(self, ctx: RequestContext, set_name: str, menu_id: str) -> Menu: ...
    @overload
    def resolve(self, ctx: RequestContext, set_name: str, menu_id: None = None) -> list[Menu]: ...
    def resolve(
        self, ctx: RequestContext, set_name: str, menu_id: str | None = None
    ) -> Menu | list[Menu]:
        """`menu(set, menu_id=None)` of templates: one root menu, or all of the set."""
        if menu_id is None:
            return self.menus(ctx, set_name)
        return self.menu(ctx, set_name, menu_id)

    def _set(self, set_name: str) -> dict[str, MenuDefinition]:
        menus = self.sets.get(set_name)
        if menus is None:
            raise JetpyError(
                f"there is no menu set `{set_name}`{_did_you_mean(set_name, self.sets)}; "
                f"define it in application/menus/{set_name}.yaml"
            )
        return menus

    def _build(self, ctx: RequestContext, set_name: str, menu_id: str) -> Menu:
        key = (set_name, menu_id, ctx.base.id, ctx.locale.name)
        built = self._built.get(key)
        if built is None:
            menus = self._set(set_name)
            definition = menus.get(menu_id)
            if definition is None:
                raise JetpyError(
                    f"menu set `{set_name}` has no menu `{menu_id}`"
                    f"{_did_you_mean(menu_id, menus)}; its menus: {', '.join(menus) or 'none'}"
                )
            tree = ctx.app.trees[(ctx.base.id, ctx.locale.name)]
            translations = ctx.app.translations
            locale = ctx.locale

            def translate(module: str | None) -> Callable[[str], str]:
                return translations.translator(locale.name, module)

            label = _text(definition.label, locale, translate(None)) or definition.id
            items = _build_items(definition.items, tree, translate)
            built = self._built[key] = Menu(definition.id, label, definition.icon, items)
        return built


def page_visible(ctx: RequestContext, page: Page) -> bool:
    """Whether menus offer `page` to this visitor: the auth provider says; none hides secrets."""
    auth = ctx.auth
    if auth is None:
        return not page.is_secret
    return auth.can_see_page(ctx, page)


# building ------------------------------------------------------------------------------
def _text(value: Text | None, locale: Locale, translate: Callable[[str], str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return value.get(locale.name, value.get(locale.language))
    return translate(value)


def _build_items(
    definitions: list[ItemDefinition],
    tree: PageTree,
    translate: Callable[[str | None], Callable[[str], str]],
) -> tuple[MenuItem, ...]:
    """The items for one base and locale: pages looked up, labels chosen, order applied."""
    built: list[MenuItem] = []
    locale = tree.locale
    for item in definitions:
        if item.separator:
            built.append(MenuItem(item.id, "", None, separator=True, order=item.order))
            continue
        page: Page | None = None
        url: str | None = None
        if item.page is not None:
            page = tree.by_id.get(item.page)
            if page is None or not page.is_active:
                continue  # not in this locale, or switched off
            url = page.url()
        elif item.url is not None:
            url = _text(item.url, locale, str)
            if url is None:
                continue  # no address for this locale: the item is not offered there
        children = _build_items(item.items, tree, translate)
        if url is None and not children:
            continue  # a heading with nothing below it
        label = _text(item.label, locale, translate(item.module))
        if label is None:
            if page is not None:
                label = page.menu_title
            elif isinstance(item.label, dict) and item.label:
                label = next(iter(item.label.values()))
            else:
                label = ""
        built.append(MenuItem(item.id, label, url, item.icon, page, False, children, item.order))
    built.sort(key=lambda item: (item.order, item.label))
    return _collapse(built)


def _collapse(items: list[MenuItem]) -> tuple[MenuItem, ...]:
    """Without leading, trailing or doubled separators."""
    kept: list[MenuItem] = []
    for item in items:
        if item.separator and (not kept or kept[-1].separator):
            continue
        kept.append(item)
    if kept and kept[-1].separator:
        kept.pop()
    return tuple(kept)


def _for_request(
    items: tuple[MenuItem, ...], ctx: RequestContext, current: Page | None
) -> tuple[MenuItem, ...]:
    """Leave out what the visitor may not see and mark the current page's path.

    The built items come back unchanged (not copied) when nothing differs for this request.
    `is_active` is true for the current page and the pages above it, except the homepage,
    which every page is below: it is active only on itself.
    """
    kept: list[MenuItem] = []
    changed = False
    path = current.ancestors if current is not None else ()
    for item in items:
        page = item.page
        if page is not None and not page_visible(ctx, page):
            changed = True
            continue
        children = _for_request(item.items, ctx, current) if item.items else item.items
        if item.url is None and not item.separator and not children:
            changed = True
            continue
        is_current = page is not None and page is current
        is_active = (
            is_current
            or (page is not None and page.parent is not None and page in path)
            or any(child.is_active for child in children)
        )
        if is_active or children is not item.items:
            item = MenuItem(  # not dataclasses.replace(): this is per request, 4 times faster
                item.id,
                item.label,
                item.url,
                item.icon,
                page,
                item.separator,
                children,
                item.order,
                is_active,
                is_current,
            )
            changed = True
        kept.append(item)
    return _collapse(kept) if changed else items


# loading ---------------------------------------------------------------------------------
def load_menus(
    app_dir: Path, modules: Mapping[str, Module], root: Path, problems: list[Problem]
) -> MenuSets:
    """Read application/menus/*.yaml and the menu_items/ of every active module."""
    sets: dict[str, dict[str, MenuDefinition]] = {}
    menus_dir = app_dir / "menus"
    for file in sorted(menus_dir.glob("*.yaml")) if menus_dir.is_dir() else []:
        shown = relative(file, root)
        data, found = load_yaml(file, shown)
        problems.extend(found)
        menus = sets[file.stem] = {}
        for menu_id, value in (data or {}).items():
            key = str(menu_id)
            if not isinstance(value, dict):
                problems.append(
                    Problem(
                        shown,
                        key,
                        f"a menu must be a mapping, found `{value!r}`",
                        f"write e.g. `{key}: {{label: Main menu, items: [{{page: about}}]}}`",
                    )
                )
                continue
            values = schema.validate(value, MENU, shown, f"{key}.", problems)
            items = _read_items(values["items"], shown, f"{key}.items", None, problems)
            menus[key] = MenuDefinition(key, shown, values["label"], values["icon"], items)
    _add_module_items(sets, modules, root, problems)
    return MenuSets(sets)


def _add_module_items(
    sets: dict[str, dict[str, MenuDefinition]],
    modules: Mapping[str, Module],
    root: Path,
    problems: list[Problem],
) -> None:
    # (menu id and item ids, items, file, key); nested targets after the items they name
    added: list[tuple[list[str], list[ItemDefinition], str, str, dict[str, MenuDefinition]]] = []
    for module in sorted(modules.values(), key=lambda module: module.name):
        folder = module.dir / "menu_items"
        if not module.active or not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.yaml")):
            shown = relative(file, root)
            data, found = load_yaml(file, shown)
            problems.extend(found)
            menus = sets.get(file.stem)
            for target, value in (data or {}).items():
                key = str(target)
                if not isinstance(value, list):
                    problems.append(
                        Problem(
                            shown,
                            key,
                            f"must be a list of items, found `{value!r}`",
                            f"write e.g. `{key}: [{{page: about, order: 10}}]`",
                        )
                    )
                    continue
                items = _read_items(value, shown, key, module.name, problems)
                if menus is not None:
                    added.append((key.split("/"), items, shown, key, menus))
            if menus is None:
                problems.append(
                    Problem(
                        shown,
                        "",
                        f"there is no menu set `{file.stem}`: these items are not shown",
                        f"create application/menus/{file.stem}.yaml, or rename the file "
                        f"after a set{_did_you_mean(file.stem, sets)}; sets: "
                        + (", ".join(sets) or "none"),
                        warning=True,
                    )
                )
    added.sort(key=lambda entry: len(entry[0]))
    for path, items, shown, key, menus in added:
        menu = menus.get(path[0])
        if menu is None:
            problems.append(
                Problem(
                    shown,
                    key,
                    f"the set has no menu `{path[0]}`: these items are not shown",
                    f"name one of its menus{_did_you_mean(path[0], menus)}: {', '.join(menus)}",
                    warning=True,
                )
            )
            continue
        siblings = menu.items
        for part in path[1:]:
            parent = next((item for item in siblings if item.id == part), None)
            if parent is None:
                problems.append(
                    Problem(
                        shown,
                        key,
                        f"menu `{path[0]}` has no item `{part}` here: these items are not shown",
                        "name the ids from the menu down, e.g. `main/tools`, "
                        "or give that item `id:`",
                        warning=True,
                    )
                )
                break
            siblings = parent.items
        else:
            for item in items:
                _add_unique(siblings, item, problems)


def _read_items(
    raw: list[Any], shown: str, key: str, module: str | None, problems: list[Problem]
) -> list[ItemDefinition]:
    items: list[ItemDefinition] = []
    for index, data in enumerate(raw):
        at = f"{key}[{index}]"
        if not isinstance(data, dict):
            problems.append(
                Problem(
                    shown,
                    at,
                    f"an item must be a mapping, found `{data!r}`",
                    "write e.g. `{page: about}`, `{url: /feed.xml, label: Feed}` "
                    "or `{separator: true}`",
                )
            )
            continue
        values = schema.validate(data, ITEM, shown, f"{at}.", problems)
        children = _read_items(values.pop("items"), shown, f"{at}.items", module, problems)
        item = ItemDefinition(shown, at, module, items=children, **values)
        item.id = item.id or item.page
        _check_item(item, problems)
        _add_unique(items, item, problems)
    return items


def _check_item(item: ItemDefinition, problems: list[Problem]) -> None:
    shown, at = item.file, item.key
    if item.separator:
        extra = [
            name
            for name, value in (
                ("label", item.label),
                ("page", item.page),
                ("url", item.url),
                ("items", item.items),
            )
            if value
        ]
        if extra:
            problems.append(
                Problem(
                    shown,
                    at,
                    f"a separator has no {', '.join(f'`{name}`' for name in extra)}",
                    "remove them, or remove `separator: true`",
                )
            )
        return
    if item.page is not None and item.url is not None:
        problems.append(
            Problem(shown, at, "an item links a page or a URL, not both", "keep `page` or `url`")
        )
    elif item.page is None and item.url is None and not item.items:
        problems.append(
            Problem(
                shown,
                at,
                "an item needs `page`, `url`, nested `items` or `separator: true`",
                "add `page: <page id>` or `url: <address>`",
            )
        )
    if item.page is None and item.label is None:
        problems.append(
            Problem(
                shown,
                f"{at}.label",
                "an item without `page` needs a label",
                "add e.g. `label: Back to top`",
            )
        )


def _add_unique(items: list[ItemDefinition], item: ItemDefinition, problems: list[Problem]) -> None:
    if item.id is not None:
        twin = next((other for other in items if other.id == item.id), None)
        if twin is not None:
            problems.append(
                Problem(
                    item.file,
                    f"{item.key}.id",
                    f"item id `{item.id}` is also used by {twin.file} [{twin.key}]",
                    "give one of them another `id:`",
                )
            )
            return
    items.append(item)


def _did_you_mean(name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


# cross-checks ------------------------------------------------------------------------
def menu_problems(menus: MenuSets, trees: Mapping[tuple[str, str], PageTree]) -> list[Problem]:
    """Warnings for page items whose page is in no base and locale (a typo, usually)."""
    known = {page_id for tree in trees.values() for page_id in tree.by_id}
    problems: list[Problem] = []
    pending = [
        item
        for definitions in menus.sets.values()
        for menu in definitions.values()
        for item in menu.items
    ]
    while pending:
        item = pending.pop()
        pending.extend(item.items)
        if item.page is not None and item.page not in known:
            close = difflib.get_close_matches(item.page, sorted(known), n=1)
            problems.append(
                Problem(
                    item.file,
                    f"{item.key}.page",
                    f"no base and locale has a page `{item.page}`: the item is never shown",
                    f"did you mean `{close[0]}`?" if close else "name the id of an existing page",
                    warning=True,
                )
            )
    problems.sort(key=lambda problem: (problem.file, problem.key))
    return problems
