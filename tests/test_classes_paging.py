"""Paging: one page of an ordered query, and what a pager needs to draw itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session

from application.classes.content import Article
from application.classes.paging import PageOf, page_of

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("total", "per_page", "pages"),
    [
        (0, 10, 1),
        (1, 10, 1),
        (9, 10, 1),
        (10, 10, 1),
        (11, 10, 2),
        (20, 10, 2),
        (21, 10, 3),
        (5, 1, 5),
    ],
)
def test_pages(total: int, per_page: int, pages: int) -> None:
    assert PageOf([], 1, per_page, total).pages == pages


@pytest.mark.parametrize(
    ("page", "out_of_range", "has_previous", "has_next"),
    [
        (-1, True, False, False),
        (0, True, False, False),
        (1, False, False, True),
        (2, False, True, True),
        (3, False, True, False),
        (4, True, False, False),
    ],
)
def test_pager_edges(page: int, out_of_range: bool, has_previous: bool, has_next: bool) -> None:
    result = PageOf[int]([], page, 10, 25)  # three pages: 10, 10, 5
    assert (result.out_of_range, result.has_previous, result.has_next) == (
        out_of_range,
        has_previous,
        has_next,
    )


def test_page_one_of_nothing_is_in_range_and_empty() -> None:
    empty = PageOf[int]([], 1, 10, 0)
    assert not empty.out_of_range
    assert (empty.has_previous, empty.has_next, empty.pages) == (False, False, 1)
    assert PageOf[int]([], 2, 10, 0).out_of_range


def test_per_page_must_be_positive(db_session: Session) -> None:
    with pytest.raises(ValueError, match="per_page must be 1 or more, not 0"):
        PageOf([], 1, 0, 5)
    with pytest.raises(ValueError, match="per_page must be 1 or more, not -3"):
        page_of(db_session, select(Article.id).order_by(Article.id), 1, -3, lambda row: row[0])


def add_articles(session: Session, count: int) -> list[int]:
    """`count` articles a day apart; their ids, oldest first."""
    articles = [Article(published_at=START + timedelta(days=n)) for n in range(count)]
    session.add_all(articles)
    session.flush()
    return [article.id for article in articles]


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session's engine runs inside the block."""
    run: list[str] = []

    def record(*args: Any) -> None:
        run.append(args[2])

    engine = session.get_bind()
    assert isinstance(engine, sqlalchemy.Engine)
    sqlalchemy.event.listen(engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        sqlalchemy.event.remove(engine, "before_cursor_execute", record)


NEWEST_FIRST = select(Article).order_by(Article.published_at.desc(), Article.id.desc())


@pytest.mark.parametrize(
    ("page", "expected"),
    [(1, slice(0, 10)), (2, slice(10, 20)), (3, slice(20, 23))],
)
def test_page_of_gives_the_rows_of_the_page(
    db_session: Session, page: int, expected: slice
) -> None:
    newest_first = add_articles(db_session, 23)[::-1]
    result = page_of(db_session, NEWEST_FIRST, page, 10, lambda row: row[0].id)
    assert list(result.items) == newest_first[expected]
    assert (result.page, result.per_page, result.total, result.pages) == (page, 10, 23, 3)
    assert not result.out_of_range


@pytest.mark.parametrize("page", [0, -1, 4, 10**12])
def test_a_page_out_of_range_runs_only_the_count(db_session: Session, page: int) -> None:
    add_articles(db_session, 23)
    with statements(db_session) as run:
        result = page_of(db_session, NEWEST_FIRST, page, 10, lambda row: row[0])
    assert result.out_of_range and list(result.items) == []
    assert result.total == 23
    assert len(run) == 1 and "count" in run[0].lower()


def test_page_one_of_an_empty_query(db_session: Session) -> None:
    result = page_of(db_session, NEWEST_FIRST, 1, 10, lambda row: row[0])
    assert (list(result.items), result.total, result.pages, result.out_of_range) == (
        [],
        0,
        1,
        False,
    )


def test_the_count_ignores_the_order_and_respects_the_filter(db_session: Session) -> None:
    ids = add_articles(db_session, 7)
    statement = select(Article.id).where(Article.id > ids[1]).order_by(Article.id.desc())
    result = page_of(db_session, statement, 2, 3, lambda row: row[0] * 10)
    assert result.total == 5
    assert list(result.items) == [ids[3] * 10, ids[2] * 10]
