"""Slugs: made from any title, checked before they are stored."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from application.classes.slugs import check_slug, choose_slug, free_slug, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Pages and modules", "pages-and-modules"),
        ("Žluťoučký kůň úpěl ďábelské ódy", "zlutoucky-kun-upel-dabelske-ody"),
        ("Straße, Ærø & Łódź", "strasse-aero-lodz"),
        (
            "  --Micro-routers: instead of a route table!--  ",
            "micro-routers-instead-of-a-route-table",
        ),
        ("Jetpy 2.0 (beta)", "jetpy-2-0-beta"),
        ("a___b   c", "a-b-c"),
        ("\uff26\uff35\uff2c\uff2c width", "full-width"),  # fullwidth letters
        ("日本語", ""),
        ("", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@pytest.mark.parametrize("slug", ["a", "pages-and-modules", "2026", "x1-y2-z3"])
def test_check_slug_accepts_slugs(slug: str) -> None:
    assert check_slug(slug) == slug


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [
        ("Pages-and-modules", "pages-and-modules"),
        ("pages--and-modules", "pages-and-modules"),
        ("-pages", "pages"),
        ("pages-", "pages"),
        ("stránky", "stranky"),
        ("with space", "with-space"),
        ("trailing-newline\n", "trailing-newline"),
        ("a.html", "a-html"),
    ],
)
def test_check_slug_refuses_and_suggests(slug: str, suggestion: str) -> None:
    with pytest.raises(ValueError, match="is not a slug") as error:
        check_slug(slug)
    assert f"did you mean {suggestion!r}?" in str(error.value)


@pytest.mark.parametrize("slug", ["", "---", "日本語", None, 12])
def test_check_slug_without_a_suggestion(slug: object) -> None:
    with pytest.raises(ValueError, match="is not a slug") as error:
        check_slug(slug)  # type: ignore[arg-type]
    assert "did you mean" not in str(error.value)


def test_slugify_makes_what_check_slug_accepts() -> None:
    for text in ("Báze a jazykové mutace", "Cache výstupu: časté chyby", "Menu v praxi"):
        assert check_slug(slugify(text)) == slugify(text)


def test_free_slug_numbers_a_taken_slug_within_its_scope(db_session: Session) -> None:
    from application.classes.content import ArticleLocalization
    from tests.test_classes_content import add

    first = add(db_session, "news", 1)
    add(db_session, "news-2", 2, locales=("en_US",))
    add(db_session, "newsletter", 3, locales=("en_US",))  # starts alike, is another slug
    column = ArticleLocalization.slug
    english = ArticleLocalization.locale == "en_US"
    assert free_slug(db_session, column, "news", english) == "news-3"
    assert free_slug(db_session, column, "news", ArticleLocalization.locale == "cs_CZ") == "news-2"
    assert free_slug(db_session, column, "fresh", english) == "fresh"
    assert free_slug(db_session, column, "--", english) == ""
    # the article itself may keep its slug
    mine = ArticleLocalization.article_id != first.id
    assert free_slug(db_session, column, "news", english, mine) == "news"


def test_choose_slug_makes_one_from_the_title_or_checks_the_typed_one(
    db_session: Session,
) -> None:
    from application.classes.content import ArticleLocalization
    from tests.test_classes_content import add

    first = add(db_session, "news", 1, locales=("en_US",))
    column = ArticleLocalization.slug
    english = ArticleLocalization.locale == "en_US"
    assert choose_slug(db_session, column, "News!", "", english).slug == "news-2"
    assert choose_slug(db_session, column, "Other", " own-slug ", english).slug == "own-slug"
    taken = choose_slug(db_session, column, "Other", "news", english)
    assert (taken.slug, taken.suggestion) == ("", "news-2") and "%(slug)s" in taken.problem
    bad = choose_slug(db_session, column, "Other", "Bad Slug", english)
    assert (bad.slug, bad.suggestion) == ("", "bad-slug") and bad.problem
    assert choose_slug(db_session, column, "!!!", "", english).problem
    # the article itself may keep its slug; a long title gives a slug with room for `-2`
    mine = ArticleLocalization.article_id != first.id
    assert choose_slug(db_session, column, "x", "news", english, mine).slug == "news"
    assert len(choose_slug(db_session, column, "a" * 300, "", english).slug) == 190
