"""Demo articles: about fifty in both locales, the same every time, a few not shown yet."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session

from application.classes import content
from application.classes.content import Article, ArticleLocalization
from application.classes.demo_content import LOCALES, demo_articles, seed_articles
from application.classes.slugs import check_slug

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def test_fifty_articles_in_both_locales_with_unique_readable_slugs() -> None:
    articles = demo_articles()
    assert len(articles) == 50
    for locale in LOCALES:
        texts = [article.texts[locale] for article in articles]
        assert len({text.slug for text in texts}) == 50
        assert len({text.title for text in texts}) == 50
        for text in texts:
            check_slug(text.slug)
            assert text.title and text.annotation and len(text.text) > len(text.annotation)
    czech = {article.texts["cs_CZ"].title for article in articles}
    assert "Stránkování krok za krokem" in czech and "Překlady v praxi" in czech


def test_the_hand_written_articles_come_first_and_are_the_newest_shown() -> None:
    articles = demo_articles(5)
    assert [a.texts["en_US"].slug for a in articles[:3]] == [
        "bases-and-locales",
        "micro-routers",
        "pages-and-modules",
    ]
    shown = [a for a in demo_articles() if not a.draft and a.published_at <= NOW]
    assert max(a.published_at for a in shown[3:]) < min(a.published_at for a in shown[:3])


def test_a_few_are_scheduled_and_one_is_a_draft() -> None:
    articles = demo_articles()
    assert sum(a.published_at > datetime(2029, 1, 1, tzinfo=UTC) for a in articles) == 3
    assert sum(a.draft for a in articles) == 1


def test_the_same_every_time() -> None:
    assert demo_articles() == demo_articles()


@pytest.mark.parametrize("count", [-1, 52])
def test_count_is_checked(count: int) -> None:
    with pytest.raises(ValueError, match="there are 51 demo articles; ask for 0 to 51"):
        demo_articles(count)


def test_seed_articles_stores_them_once(db_session: Session) -> None:
    seed_articles(db_session)
    seed_articles(db_session)  # there are articles already: nothing more
    db_session.commit()
    count = sqlalchemy.func.count()
    assert db_session.scalar(select(count).select_from(Article)) == 50
    assert db_session.scalar(select(count).select_from(ArticleLocalization)) == 100
    for locale in LOCALES:
        assert len(content.published(db_session, locale, now=NOW)) == 46
    first = content.published_page(db_session, "cs_CZ", 1, 10, now=NOW)
    assert first.items[0].title == "Báze a jazykové mutace" and first.pages == 5
    article = content.by_slug(db_session, "en_US", "micro-routers", now=NOW)
    assert article is not None and "There is no global route table." in article.text


def test_seed_a_small_set(db_session: Session) -> None:
    seed_articles(db_session, count=5)
    assert db_session.scalar(select(sqlalchemy.func.count()).select_from(Article)) == 5
