"""Articles: localized rows, slugs unique per locale, and the queries of the public pages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from application.classes import content
from application.classes.content import Article, ArticleLocalization

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def add(
    session: Session,
    slug: str,
    days_ago: float,
    *,
    locales: tuple[str, ...] = ("en_US", "cs_CZ"),
    draft: bool = False,
) -> Article:
    """An article published `days_ago` days before NOW (negative: in the future)."""
    article = Article(published_at=NOW - timedelta(days=days_ago), draft=draft)
    for locale in locales:
        article.localize(
            locale,
            title=f"{slug} ({locale})",
            slug=slug,
            annotation=f"About {slug}",
            text=f"Text of {slug}",
        )
    session.add(article)
    session.flush()
    return article


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


def slugs(localizations: Any) -> list[str]:
    return [localization.slug for localization in localizations]


# the model --------------------------------------------------------------------------------
def test_localizations_are_keyed_by_locale_and_stored(db_session: Session) -> None:
    published_at = add(db_session, "pages", 1).published_at
    db_session.commit()
    db_session.expunge_all()
    loaded = db_session.scalars(select(Article)).one()
    assert sorted(loaded.localizations) == ["cs_CZ", "en_US"]
    czech = loaded.localizations["cs_CZ"]
    assert (czech.title, czech.slug, czech.annotation, czech.text) == (
        "pages (cs_CZ)",
        "pages",
        "About pages",
        "<p>Text of pages</p>",  # plain text is stored as HTML paragraphs
    )
    assert czech.article is loaded and czech.published_at == published_at


def test_localize_changes_the_localization_a_locale_has(db_session: Session) -> None:
    article = add(db_session, "pages", 1)
    article.localize("en_US", title="Pages, again", slug="pages-again")
    db_session.flush()
    db_session.expunge_all()
    titles = db_session.execute(
        select(ArticleLocalization.locale, ArticleLocalization.title, ArticleLocalization.slug)
    ).all()
    assert sorted(titles) == [
        ("cs_CZ", "pages (cs_CZ)", "pages"),
        ("en_US", "Pages, again", "pages-again"),
    ]


def test_published_at_is_aware_utc_whatever_zone_it_was_given_in(db_session: Session) -> None:
    prague_summer = timezone(timedelta(hours=2))
    add(db_session, "x", 0).published_at = datetime(2026, 6, 1, 11, 30, tzinfo=prague_summer)
    db_session.commit()
    db_session.expunge_all()
    stored = db_session.scalars(select(Article.published_at)).one()
    assert stored == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_a_naive_published_at_is_refused(db_session: Session) -> None:
    db_session.add(Article(published_at=datetime(2026, 6, 1, 9, 30)))
    with pytest.raises(StatementError, match="has no time zone; pass an aware datetime"):
        db_session.flush()


def test_a_slug_is_unique_per_locale(db_session: Session) -> None:
    add(db_session, "pages", 1, locales=("en_US",))
    add(db_session, "pages", 2, locales=("cs_CZ",))  # another locale may use it
    with pytest.raises(IntegrityError):
        add(db_session, "pages", 3, locales=("en_US",))


def test_an_article_has_one_localization_per_locale(db_session: Session) -> None:
    article = add(db_session, "pages", 1, locales=("en_US",))
    # through the ORM a second one for the locale takes the first one's place
    db_session.add(
        ArticleLocalization(article=article, locale="en_US", title="Again", slug="again")
    )
    db_session.flush()
    rows = db_session.execute(select(ArticleLocalization.locale, ArticleLocalization.slug)).all()
    assert rows == [("en_US", "again")]
    # and the database refuses two
    row = {"article_id": article.id, "locale": "en_US", "title": "Twice", "slug": "twice"}
    with pytest.raises(IntegrityError):
        db_session.execute(sqlalchemy.insert(ArticleLocalization), [row])


@pytest.mark.parametrize("slug", ["Pages", "two words", "stránky", "pages.html", ""])
def test_a_bad_slug_is_refused_with_a_suggestion(slug: str) -> None:
    with pytest.raises(ValueError, match="is not a slug"):
        ArticleLocalization(locale="en_US", title="Pages", slug=slug)


@pytest.mark.parametrize("title", ["", "   "])
def test_a_localization_needs_a_title(title: str) -> None:
    with pytest.raises(ValueError, match="needs a title"):
        ArticleLocalization(locale="en_US", title=title, slug="pages")


def test_deleting_an_article_deletes_its_localizations(db_session: Session) -> None:
    article = add(db_session, "pages", 1)
    db_session.delete(article)
    db_session.flush()
    assert db_session.scalar(select(sqlalchemy.func.count()).select_from(ArticleLocalization)) == 0


# the queries ------------------------------------------------------------------------------
def test_published_is_newest_first_and_only_what_is_published(db_session: Session) -> None:
    add(db_session, "older", 10)
    add(db_session, "newest", 0)  # published exactly now: shown
    add(db_session, "middle", 5)
    add(db_session, "tomorrow", -1)  # scheduled
    add(db_session, "a-second-later", -1 / 86400)
    add(db_session, "draft", 3, draft=True)
    add(db_session, "english-only", 4, locales=("en_US",))
    assert slugs(content.published(db_session, "cs_CZ", now=NOW)) == ["newest", "middle", "older"]
    assert slugs(content.published(db_session, "en_US", now=NOW)) == [
        "newest",
        "english-only",
        "middle",
        "older",
    ]
    assert slugs(content.published(db_session, "de_DE", now=NOW)) == []
    later = NOW + timedelta(days=2)
    assert slugs(content.published(db_session, "cs_CZ", now=later))[:2] == [
        "tomorrow",
        "a-second-later",
    ]


def test_published_defaults_to_the_current_time(db_session: Session) -> None:
    article = add(db_session, "now", 0)
    article.published_at = content.utcnow() - timedelta(seconds=5)
    add(db_session, "soon", 0).published_at = content.utcnow() + timedelta(hours=1)
    assert slugs(content.published(db_session, "en_US")) == ["now"]


def test_articles_published_at_the_same_time_keep_one_order(db_session: Session) -> None:
    first, second = add(db_session, "first", 1), add(db_session, "second", 1)
    assert first.id < second.id
    assert slugs(content.published(db_session, "en_US", now=NOW)) == ["second", "first"]


def test_by_slug_finds_a_published_article_of_the_locale(db_session: Session) -> None:
    add(db_session, "pages", 1, locales=("en_US",))
    add(db_session, "stranky", 1, locales=("cs_CZ",))
    add(db_session, "scheduled", -1)
    add(db_session, "draft", 1, draft=True)
    found = content.by_slug(db_session, "en_US", "pages", now=NOW)
    assert found is not None and (found.locale, found.title) == ("en_US", "pages (en_US)")
    assert content.by_slug(db_session, "cs_CZ", "pages", now=NOW) is None
    assert content.by_slug(db_session, "en_US", "stranky", now=NOW) is None
    assert content.by_slug(db_session, "en_US", "scheduled", now=NOW) is None
    assert content.by_slug(db_session, "en_US", "draft", now=NOW) is None
    assert content.by_slug(db_session, "en_US", "Not a slug!", now=NOW) is None


@pytest.mark.parametrize(
    ("count", "expected"), [(0, []), (-2, []), (2, ["a", "b"]), (9, ["a", "b", "c"])]
)
def test_latest(db_session: Session, count: int, expected: list[str]) -> None:
    for days, slug in enumerate(["a", "b", "c"]):
        add(db_session, slug, days)
    add(db_session, "future", -1)
    assert slugs(content.latest(db_session, "en_US", count, now=NOW)) == expected


@pytest.mark.parametrize(
    ("page", "expected", "has_previous", "has_next"),
    [
        (1, ["a-0", "a-1", "a-2"], False, True),
        (2, ["a-3", "a-4", "a-5"], True, True),
        (3, ["a-6"], True, False),
    ],
)
def test_published_page(
    db_session: Session, page: int, expected: list[str], has_previous: bool, has_next: bool
) -> None:
    for number in range(7):
        add(db_session, f"a-{number}", number)
    add(db_session, "future", -1)
    add(db_session, "draft", 0.5, draft=True)
    result = content.published_page(db_session, "cs_CZ", page, 3, now=NOW)
    assert slugs(result.items) == expected
    assert (result.total, result.pages, result.has_previous, result.has_next) == (
        7,
        3,
        has_previous,
        has_next,
    )


@pytest.mark.parametrize("page", [0, -1, 4, 1000])
def test_published_page_out_of_range(db_session: Session, page: int) -> None:
    for number in range(7):
        add(db_session, f"a-{number}", number)
    result = content.published_page(db_session, "en_US", page, 3, now=NOW)
    assert result.out_of_range and list(result.items) == []


def test_published_page_of_no_articles_is_an_empty_first_page(db_session: Session) -> None:
    result = content.published_page(db_session, "en_US", 1, 10, now=NOW)
    assert not result.out_of_range and list(result.items) == [] and result.pages == 1


@pytest.mark.parametrize("count", [2, 12])
def test_queries_load_the_article_with_its_localization(db_session: Session, count: int) -> None:
    for number in range(count):
        add(db_session, f"a-{number}", number)
    db_session.commit()
    db_session.expunge_all()  # nothing in the identity map: a lazy load would run SQL
    with statements(db_session) as run:
        page = content.published_page(db_session, "en_US", 1, 10, now=NOW)
        latest = content.latest(db_session, "en_US", 10, now=NOW)
        everything = content.published(db_session, "en_US", now=NOW)
        one = content.by_slug(db_session, "en_US", "a-1", now=NOW)
        assert one is not None
        dates = [a.published_at for a in [*page.items, *latest, *everything, one]]
    assert len(dates) == min(count, 10) * 2 + count + 1
    assert len(run) == 5  # count + page, latest, published, by slug: none per article
