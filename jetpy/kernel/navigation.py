"""Navigation for templates: the breadcrumb and menus of the page tree."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jetpy.kernel.pages import Page


@dataclass(frozen=True)
class Crumb:
    """One step of the breadcrumb; the last one is where the visitor is."""

    title: str
    url: str | None = None
    page: Page | None = None


class Breadcrumb:
    """From the homepage to the current page; modules may add steps of their own."""

    def __init__(self, page: Page) -> None:
        self.items = list(page.crumbs)

    def add(self, title: str, url: str | None = None) -> None:
        """Append a step below the page, e.g. the article being shown."""
        self.items.append(Crumb(title, url))

    def __iter__(self) -> Iterator[Crumb]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def current(self) -> Crumb:
        return self.items[-1]
