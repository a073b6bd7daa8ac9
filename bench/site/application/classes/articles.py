"""Twenty articles in a Python list: the data every implementation of the benchmark reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

_TOPICS = [
    "pages",
    "modules",
    "layouts",
    "positions",
    "micro-routers",
    "bases",
    "locales",
    "menus",
    "breadcrumbs",
    "templates",
]


@dataclass(frozen=True)
class Article:
    """One published article; its slug is unique."""

    slug: str
    title: str
    annotation: str
    text: str
    published: date


def _article(number: int) -> Article:
    topic = _TOPICS[number % len(_TOPICS)]
    return Article(
        slug=f"{topic}-{number}",
        title=f"Notes on {topic}, part {number}",
        annotation=f"What a site builder should know about {topic} & friends (part {number}).",
        text=f"A page is a folder with a page.yaml; this text is about {topic}. " * 8,
        published=date(2026, 10, 1) + timedelta(days=number),
    )


ARTICLES = [_article(number) for number in range(1, 21)]
BY_SLUG = {article.slug: article for article in ARTICLES}
NEWEST_FIRST = sorted(ARTICLES, key=lambda article: article.published, reverse=True)


def by_slug(slug: str) -> Article | None:
    """The article with `slug`, or None."""
    return BY_SLUG.get(slug)


def latest(count: int) -> list[Article]:
    """The `count` newest articles."""
    return NEWEST_FIRST[:count]
