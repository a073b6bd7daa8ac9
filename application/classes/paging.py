"""One page of a query's results, with what a pager needs to draw itself.

Public lists are paged the same way (articles, catalog categories): the first page has the
list's own URL, the next ones a leftover path `page-N` (`PAGE_PATH`); `page-1` answers 301 to
the list's URL and a page past the last one 404. `pager()` picks the numbers a pager shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")
# nine digits are more pages than any list has; longer numbers are not looked at (404)
PAGE_PATH = re.compile(r"page-([1-9][0-9]{0,8})")


def claim_list_page(controller: Any) -> bool:
    """A list's resolver: the list's own URL (page 1) or `page-N` below it, which it claims
    (`set_used_path`) and keeps in `controller.list_page`; anything else is not the list's."""
    if not controller.url_path:
        return True
    found = PAGE_PATH.fullmatch(controller.url_path)
    if found is None:
        return False
    controller.list_page = int(found[1])
    controller.set_used_path(controller.url_path)
    return True


@dataclass(frozen=True)
class PageOf(Generic[T]):
    """Page `page` (from 1) of `total` items, `per_page` a page.

    A page past the last one (or below 1) has no items and is `out_of_range`: a list page
    answers 404 for it. Page 1 of an empty list is in range, it is simply empty.
    """

    items: Sequence[T]
    page: int
    per_page: int
    total: int

    def __post_init__(self) -> None:
        if self.per_page < 1:
            raise ValueError(f"per_page must be 1 or more, not {self.per_page!r}")

    @property
    def pages(self) -> int:
        """The number of pages; 1 for an empty list, so that page 1 always exists."""
        return max(1, -(-self.total // self.per_page))

    @property
    def out_of_range(self) -> bool:
        return not 1 <= self.page <= self.pages

    @property
    def has_previous(self) -> bool:
        return 1 < self.page <= self.pages

    @property
    def has_next(self) -> bool:
        return 1 <= self.page < self.pages


def page_of(
    session: Session,
    statement: Select[Any],
    page: int,
    per_page: int,
    item: Callable[[Any], T],
) -> PageOf[T]:
    """Run `statement` for one page: a count, then the page's rows (none when out of range).

    `statement` must be ordered, or pages overlap; `item` turns a result row into an item.
    """
    if per_page < 1:  # before the count query, not after it
        raise ValueError(f"per_page must be 1 or more, not {per_page!r}")
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    result = PageOf[T]([], page, per_page, total or 0)
    if result.out_of_range:
        return result
    rows = session.execute(statement.limit(per_page).offset((page - 1) * per_page))
    return PageOf([item(row) for row in rows], page, per_page, result.total)


def page_of_items(items: Sequence[T], page: int, per_page: int) -> PageOf[T]:
    """Page `page` of a list already in memory (e.g. filtered and sorted in Python)."""
    result = PageOf[T]([], page, per_page, len(items))
    if result.out_of_range:
        return result
    start = (page - 1) * per_page
    return PageOf(items[start : start + per_page], page, per_page, len(items))


def pager(current: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: first, last and `around` each side; None is a gap."""
    shown = {1, pages, *range(current - around, current + around + 1)}
    numbers: list[int | None] = []
    previous = 0
    for number in sorted(n for n in shown if 1 <= n <= pages):
        if number - previous == 2:  # a gap of one page: show its number, not an ellipsis
            numbers.append(previous + 1)
        elif number - previous > 2 and previous:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers
