"""Articles of the example site: an `Article` with one `ArticleLocalization` per locale.

Times are UTC. `published_at` is a timezone-aware datetime in Python and is stored as a naive
UTC timestamp, so that SQLite (which keeps no time zone) and PostgreSQL store the same value
and compare it the same way. An article is shown in a locale when it has a localization for
that locale, is not a draft and its `published_at` has come.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from operator import itemgetter
from typing import Any

from markupsafe import Markup
from sqlalchemy import (
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.orm import (
    Mapped,
    Session,
    attribute_keyed_dict,
    contains_eager,
    mapped_column,
    relationship,
    validates,
)
from sqlalchemy.types import TypeDecorator

from application.classes.media import MediaItem
from application.classes.model import Model
from application.classes.old_slugs import keep_old_slugs
from application.classes.paging import PageOf, page_of
from application.classes.rich_text import as_markup, clean_html
from application.classes.slugs import check_slug


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in Python, a naive UTC timestamp in the database."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(
                f"{value!r} has no time zone; pass an aware datetime, "
                "e.g. datetime(2026, 11, 2, 9, 0, tzinfo=UTC)"
            )
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class Article(Model):
    """An article, whatever the locale: when it is published and its localizations."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # a draft is never shown, whatever its published_at
    draft: Mapped[bool] = mapped_column(default=False)
    # the cover image, from the media library (an item in use is not deleted there)
    cover_id: Mapped[int | None] = mapped_column(ForeignKey("media_items.id"), index=True)
    cover: Mapped[MediaItem | None] = relationship(lazy="joined")
    localizations: Mapped[dict[str, ArticleLocalization]] = relationship(
        collection_class=attribute_keyed_dict("locale"),
        back_populates="article",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def localize(
        self, locale: str, *, title: str, slug: str, annotation: str = "", text: str = ""
    ) -> ArticleLocalization:
        """Add the article's text in `locale`, or change the one it has."""
        localization = self.localizations.get(locale)
        if localization is None:
            localization = self.localizations[locale] = ArticleLocalization(locale=locale)
        localization.title = title
        localization.slug = slug
        localization.annotation = annotation
        localization.text = text
        return localization

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.published_at:%Y-%m-%d %H:%M}>"


class ArticleLocalization(Model):
    """An article in one locale; its slug is unique among the articles of that locale."""

    __tablename__ = "article_localization"
    __table_args__ = (UniqueConstraint("locale", "slug"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200))
    annotation: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    article: Mapped[Article] = relationship(back_populates="localizations")

    def __init__(self, **values: Any) -> None:
        # the locale first: it is the key under which `article=` files this row
        if "locale" in values:
            self.locale = values.pop("locale")
        super().__init__(**values)

    @validates("slug")
    def _check_slug(self, key: str, slug: str) -> str:
        return check_slug(slug)

    @validates("title")
    def _check_title(self, key: str, title: str) -> str:
        if not title or not title.strip():
            raise ValueError("an article needs a title; give it a non-empty one")
        return title

    @validates("text")
    def _clean_text(self, key: str, text: str | None) -> str:
        return clean_html(text)  # rich text: cleaned whoever writes it

    @property
    def text_html(self) -> Markup:
        """The text as markup for templates (cleaned when stored)."""
        return as_markup(self.text)

    @property
    def published_at(self) -> datetime:
        """When the article is published (the same in every locale)."""
        return self.article.published_at

    def __repr__(self) -> str:
        return f"<ArticleLocalization {self.locale} {self.slug!r}>"


# queries: each returns localizations with their article loaded by the same statement ----------
# The statements are built once (with bind parameters for the locale, the time and the slug or
# id): building one and its options cost more than running it on a page of the public site.
# A single article brings its cover's alternative texts and its other localizations (its page
# links them as alternates) in the same statement (collections joined in: a row per text and
# localization, made unique), not in two more; the latest articles (titles and links) come
# without their covers.


@cache
def _statement(shape: str) -> Select[Any]:
    """The published localizations of `:locale` at `:now`, newest first (ties broken by id,
    for stable pages); `one`: of `:slug`, `id`: of article `:id`, `latest`: the `:count`
    newest."""
    article = contains_eager(ArticleLocalization.article)
    cover = article.joinedload(Article.cover).joinedload(MediaItem.texts)
    statement = (
        select(ArticleLocalization)
        .join(ArticleLocalization.article)
        .where(
            ArticleLocalization.locale == bindparam("locale"),
            Article.draft.is_(False),
            Article.published_at <= bindparam("now"),
        )
        .order_by(Article.published_at.desc(), Article.id.desc())
    )
    if shape == "list":  # paged: the covers' texts by one more statement (selectin)
        return statement.options(article)
    if shape == "latest":  # a cover asked for anyway is loaded then
        count = bindparam("count", type_=Integer)
        return statement.options(article.lazyload(Article.cover)).limit(count)
    statement = statement.options(cover, article.joinedload(Article.localizations))
    if shape == "one":
        return statement.where(ArticleLocalization.slug == bindparam("slug"))
    return statement.where(Article.id == bindparam("id"))


def published_statement(locale: str, now: datetime | None = None) -> Select[Any]:
    """The published articles of `locale`, newest first (ties broken by id, for stable pages)."""
    return _statement("list").params(locale=locale, now=now or utcnow())


def published(
    session: Session, locale: str, *, now: datetime | None = None
) -> Sequence[ArticleLocalization]:
    """Every published article of `locale`, newest first."""
    return session.scalars(published_statement(locale, now)).all()


def latest(
    session: Session, locale: str, count: int, *, now: datetime | None = None
) -> Sequence[ArticleLocalization]:
    """The `count` newest published articles of `locale`."""
    if count < 1:
        return []
    values = {"locale": locale, "now": now or utcnow(), "count": count}
    return session.scalars(_statement("latest"), values).all()


def published_page(
    session: Session, locale: str, page: int, per_page: int, *, now: datetime | None = None
) -> PageOf[ArticleLocalization]:
    """Page `page` (from 1) of the published articles of `locale`; see `PageOf.out_of_range`."""
    return page_of(session, published_statement(locale, now), page, per_page, itemgetter(0))


def by_slug(
    session: Session, locale: str, slug: str, *, now: datetime | None = None
) -> ArticleLocalization | None:
    """The published article of `locale` with `slug`, or None."""
    values = {"locale": locale, "now": now or utcnow(), "slug": slug}
    return session.scalars(_statement("one"), values).unique().one_or_none()


def by_id(
    session: Session, locale: str, article_id: int, *, now: datetime | None = None
) -> ArticleLocalization | None:
    """The published article `article_id` in `locale`, or None."""
    values = {"locale": locale, "now": now or utcnow(), "id": article_id}
    return session.scalars(_statement("id"), values).unique().one_or_none()


def next_publication(session: Session, *, now: datetime | None = None) -> datetime | None:
    """When the next scheduled article comes out (any locale), or None: until then, lists
    and widgets of published articles stay as they are (their cache entries expire then)."""
    statement = select(func.min(Article.published_at)).where(
        Article.published_at > (now or utcnow()), Article.draft.is_(False)
    )
    return session.scalar(statement)


keep_old_slugs("article", ArticleLocalization, "article_id")  # the old URL answers 301
