"""What the studio does to menu sets: root menus and their items, nested, per locale.

A menu set is `application/menus/<set>.yaml`: root menus by id, each with a label and items.
An item is addressed by its path of positions in `items` lists (`links/0/2`: the third item
under the first item of root menu `links`). Every change is one validated, all-or-nothing write
of that file, keeping its comments and layout (`jetpy.definitions.writer`). Items that modules
add (their `menu_items/<set>.yaml`) are shown by the studio but changed in their module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jetpy.definitions.writer import Changes, Validator, check_name
from jetpy.project.loader import Project
from jetpy.studio.edits import StudioError

ITEM_KEYS = ("id", "label", "page", "url", "icon", "order", "separator", "items")
# what a menu item may link to: no javascript:, data: or other schemes
_SAFE_URL = re.compile(r"^(?:/(?!/)|#|\?|https?://|mailto:|tel:)[^\s\x00-\x1f]*$", re.IGNORECASE)


def _urls(value: Any) -> list[str]:
    """The URL of an item: one text, or one per locale."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [str(text) for text in value.values()]
    return [str(value)]


class MenuEditor:
    """Edits of one project's menu sets."""

    def __init__(self, project: Project, validate: Validator | None = None) -> None:
        self.project = project
        self.app_dir = project.app_dir
        self.validate = validate

    def sets(self) -> list[str]:
        folder = self.app_dir / "menus"
        return sorted(path.stem for path in folder.glob("*.yaml")) if folder.is_dir() else []

    @staticmethod
    def file(menu_set: str) -> str:
        return f"menus/{check_name(menu_set, 'menu set')}.yaml"

    def read(self, menu_set: str) -> Any:
        return Changes(self.app_dir).read(self.file(menu_set))

    def create_set(self, menu_set: str, menu: str, labels: Mapping[str, str]) -> None:
        """A new menu set with one root menu."""
        file = self.file(menu_set)
        if (self.app_dir / file).exists():
            raise StudioError(f"menu set `{menu_set}` exists already")
        check_name(menu, "menu id")
        changes = Changes(self.app_dir)
        changes.write_yaml(file, {menu: {"label": _label(labels), "items": []}})
        changes.commit(self.validate)

    def add_menu(self, menu_set: str, menu: str, labels: Mapping[str, str]) -> None:
        """Another root menu in the set."""
        check_name(menu, "menu id")
        changes = Changes(self.app_dir)
        data = changes.read(self.file(menu_set))
        if menu in data:
            raise StudioError(f"menu set `{menu_set}` has a menu `{menu}` already")
        data[menu] = {"label": _label(labels), "items": []}
        changes.write_yaml(self.file(menu_set), data)
        changes.commit(self.validate)

    def save_item(self, menu_set: str, path: str, values: Mapping[str, Any], new: bool) -> str:
        """Change the item at `path`, or (`new`) add one as the last child of `path`.

        `values`: label (locale → text), page or url, icon, order, separator; a value of
        None or empty removes the key. Returns the item's path.
        """
        changes = Changes(self.app_dir)
        data = changes.read(self.file(menu_set))
        if new:
            siblings = _children(data, path, create=True)
            item: Any = {}
            siblings.append(item)
            where = f"{path}/{len(siblings) - 1}"
        else:
            item = _item(data, path)
            where = path
        for key, value in values.items():
            if key not in ITEM_KEYS or key == "items":
                raise StudioError(f"a menu item has no property `{key}`")
            if key == "label" and isinstance(value, Mapping):
                value = _label(value)
            if value in (None, "", {}, False) or (key == "order" and value == 0):
                item.pop(key, None)
            else:
                item[key] = value
        if not item.get("separator") and not item.get("page") and not item.get("url"):
            raise StudioError("a menu item needs a page or a URL (or is a separator)")
        if item.get("page") and item.get("url"):
            raise StudioError("a menu item has a page or a URL, not both")
        for url in _urls(item.get("url")):
            if not _SAFE_URL.match(url):
                raise StudioError(
                    f"`{url[:60]}` is not a link a menu may hold; write a path (/about/), an "
                    "#anchor, or an http(s):, mailto: or tel: address"
                )
        if new:
            ordered = {key: item[key] for key in ITEM_KEYS if key in item}
            siblings[-1] = ordered
        changes.write_yaml(self.file(menu_set), data)
        changes.commit(self.validate)
        return where

    def delete_item(self, menu_set: str, path: str) -> None:
        changes = Changes(self.app_dir)
        data = changes.read(self.file(menu_set))
        parent, index = _parent(data, path)
        del parent[index]
        changes.write_yaml(self.file(menu_set), data)
        changes.commit(self.validate)

    def move_item(self, menu_set: str, path: str, step: int) -> str:
        """Move an item up (-1) or down (+1) among its siblings; its `order` follows."""
        changes = Changes(self.app_dir)
        data = changes.read(self.file(menu_set))
        parent, index = _parent(data, path)
        target = index + step
        if not 0 <= target < len(parent):
            return path
        parent[index], parent[target] = parent[target], parent[index]
        for number, item in enumerate(parent):  # orders follow the list, 10 apart
            if isinstance(item, dict) and "order" in item:
                item["order"] = (number + 1) * 10
        changes.write_yaml(self.file(menu_set), data)
        changes.commit(self.validate)
        return path.rpartition("/")[0] + f"/{target}"


def _label(labels: Mapping[str, str]) -> Any:
    texts = {locale: text.strip() for locale, text in labels.items() if text and text.strip()}
    if len(set(texts.values())) == 1 and len(texts) == len(labels):
        return next(iter(texts.values()))  # the same in every locale: one text
    return texts


def _parts(path: str) -> tuple[str, list[int]]:
    menu, *rest = path.strip("/").split("/")
    try:
        return menu, [int(part) for part in rest]
    except ValueError:
        raise StudioError(f"`{path}` is not an item path like `main/0/2`") from None


def _children(data: Any, path: str, create: bool = False) -> Any:
    menu, positions = _parts(path)
    if menu not in data:
        raise StudioError(f"there is no menu `{menu}` in this set")
    node = data[menu]
    for position in positions:
        items = node.get("items") or []
        if not 0 <= position < len(items):
            raise StudioError(f"there is no item at `{path}`; reload the menu")
        node = items[position]
    if "items" not in node or node["items"] is None:
        if not create:
            return []
        node["items"] = []
    return node["items"]


def _parent(data: Any, path: str) -> tuple[Any, int]:
    head, _, last = path.rpartition("/")
    if not head:
        raise StudioError("a root menu is not an item; give an item path like `main/0`")
    siblings = _children(data, head)
    try:
        index = int(last)
    except ValueError:
        raise StudioError(f"`{path}` is not an item path like `main/0/2`") from None
    if not 0 <= index < len(siblings):
        raise StudioError(f"there is no item at `{path}`; reload the menu")
    return siblings, index


def _item(data: Any, path: str) -> Any:
    siblings, index = _parent(data, path)
    return siblings[index]
