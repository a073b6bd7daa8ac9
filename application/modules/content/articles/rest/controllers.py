"""Articles in the REST API: `/rest/articles/` (en_US) and `/rest/cs/articles/` (cs_CZ).

Reads show what the public site shows in the URL's locale: published articles that have a
localization in it (an API user who may edit articles sees drafts and scheduled ones too).
A list item is the article in that locale; one article (GET, and what POST and PUT take and
answer) holds every localization::

    {"id": 7, "published": "2026-10-26T09:00:00Z", "draft": false,
     "localizations": {"en_US": {"title": "…", "slug": "…", "annotation": "…", "text": "…"}}}

PUT replaces the article: locales left out of `localizations` are removed; `published`
left out stays as it was (for POST: now). A slug left out is made from the title (and made
unique in its locale with `-2`, `-3` …); a slug given must be free in its locale.
"""

from __future__ import annotations

from datetime import UTC
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.sql import ColumnElement

from application.classes import content
from application.classes.content import Article, ArticleLocalization
from application.classes.paging import page_of
from application.classes.slugs import check_slug, free_slug, slugify
from jetpy import ApiError, RestController
from jetpy.data.changes import CREATE, DELETE, UPDATE, snapshot
from jetpy.rest import Body

TITLE_LENGTH = 200  # the columns' length
ANNOTATION_LENGTH = 2_000
TEXT_LENGTH = 200_000


class Main(RestController):
    """GET list and one, POST, PUT, DELETE of articles."""

    sort_keys = ("title", "published")
    default_sort = "-published"

    # reads ------------------------------------------------------------------------------
    def get_list(self) -> Any:
        columns: dict[str, Any] = {
            "title": ArticleLocalization.title,
            "published": Article.published_at,
        }
        order: list[ColumnElement[Any]] = [
            columns[key.name].desc() if key.descending else columns[key.name].asc()
            for key in self.query.sort
        ]
        statement = content.published_statement(self.locale.name).order_by(None)
        statement = statement.order_by(*order, Article.id.desc())
        found = page_of(
            self.db, statement, self.query.page, self.query.items_per_page, itemgetter(0)
        )
        return self.list_response([self.summary(item) for item in found.items], found.total)

    def get_one(self, id: int) -> Any:
        article = self.db.get(Article, id)
        if article is None or not (self.is_public(article) or self.authorize_write("put")):
            raise ApiError(404, f"There is no article {id} in {self.locale.name}.")
        return self.full(article)

    def is_public(self, article: Article) -> bool:
        return (
            self.locale.name in article.localizations
            and not article.draft
            and article.published_at <= content.utcnow()
        )

    def summary(self, item: ArticleLocalization) -> dict[str, Any]:
        """A list item: the article in the URL's locale."""
        return {
            "id": item.article_id,
            "locale": item.locale,
            "title": item.title,
            "slug": item.slug,
            "annotation": item.annotation,
            "published": item.published_at.astimezone(UTC),
            "url": self.item_url(item.article_id),
        }

    def full(self, article: Article) -> dict[str, Any]:
        """The whole article: what GET answers and what POST and PUT take."""
        order = {name: index for index, name in enumerate(self.base.locales)}
        locales = sorted(article.localizations, key=lambda name: (order.get(name, 99), name))
        return {
            "id": article.id,
            "published": article.published_at.astimezone(UTC),
            "draft": article.draft,
            "url": self.item_url(article.id),
            "localizations": {
                locale: {
                    "title": text.title,
                    "slug": text.slug,
                    "annotation": text.annotation,
                    "text": text.text,
                }
                for locale in locales
                for text in [article.localizations[locale]]
            },
        }

    # writes -----------------------------------------------------------------------------
    def post(self) -> Any:
        article = Article(published_at=content.utcnow().replace(microsecond=0))
        self.fill(article)
        self.db.add(article)
        self.flush()
        self.record_change(CREATE, article, None, self.label(article))
        return self.created(self.full(article), article.id)

    def put(self, id: int) -> Any:
        article = self.article(id)
        before = snapshot(article)
        self.fill(article)
        self.flush()
        self.record_change(UPDATE, article, before, self.label(article))
        return self.full(article)

    def delete(self, id: int) -> None:
        article = self.article(id)
        before, label = snapshot(article), self.label(article)
        self.db.delete(article)
        self.flush()
        self.record_change(DELETE, article, before, label)

    def label(self, article: Article) -> str:
        """How the audit log names the article: its title in the URL's locale, else another."""
        texts = article.localizations
        found = texts.get(self.locale.name) or next(iter(texts.values()), None)
        return found.title if found is not None else f"#{article.id}"

    def article(self, id: int) -> Article:
        """Any article, drafts included (writers see them all)."""
        article = self.db.get(Article, id)
        if article is None:
            raise ApiError(404, f"There is no article {id}.")
        return article

    def fill(self, article: Article) -> None:
        """Check the body and put it into `article`; 400 lists every wrong field."""
        body = self.body()
        body.ignore("id", "url")
        published = body.datetime("published")
        draft = body.boolean("draft")
        texts = self.read_localizations(body, article.id)
        body.check()
        if published is not None:
            article.published_at = published
        article.draft = draft
        for locale in set(article.localizations) - set(texts):
            del article.localizations[locale]
        for locale, values in texts.items():
            article.localize(locale, **values)

    def read_localizations(self, body: Body, article_id: int | None) -> dict[str, dict[str, str]]:
        localizations = body.object("localizations", required=True)
        if localizations is None:
            return {}
        locales = list(self.base.locales)
        if not localizations.names():
            body.error(
                "localizations", f"give the texts of one locale or more: {', '.join(locales)}"
            )
        texts: dict[str, dict[str, str]] = {}
        for locale in localizations.names():
            if locale not in locales:
                localizations.error(locale, f"not a locale of this API; use {', '.join(locales)}")
                continue
            fields = localizations.object(locale, required=True)
            if fields is None:
                continue
            title = fields.text("title", required=True, max_length=TITLE_LENGTH)
            slug = fields.text("slug", max_length=TITLE_LENGTH)
            annotation = fields.text("annotation", max_length=ANNOTATION_LENGTH) or ""
            text = fields.text("text", max_length=TEXT_LENGTH) or ""
            if slug:
                slug = self.given_slug(fields, locale, slug, article_id)
            elif title:
                others = [ArticleLocalization.locale == locale]
                if article_id is not None:
                    others.append(ArticleLocalization.article_id != article_id)
                wanted = slugify(title)[: TITLE_LENGTH - 4]  # room for a -2 … suffix
                slug = free_slug(self.db, ArticleLocalization.slug, wanted, *others)
                if not slug:
                    fields.error("slug", "cannot be made from the title; give one")
            if title and slug:
                texts[locale] = {
                    "title": title,
                    "slug": slug,
                    "annotation": annotation,
                    "text": text,
                }
        return texts

    def given_slug(self, fields: Body, locale: str, slug: str, article_id: int | None) -> str:
        try:
            check_slug(slug)
        except ValueError as exc:
            fields.error("slug", str(exc))
            return ""
        owner = self.db.scalar(
            select(ArticleLocalization.article_id).where(
                ArticleLocalization.locale == locale, ArticleLocalization.slug == slug
            )
        )
        if owner is not None and owner != article_id:
            fields.error("slug", f"already used by article {owner} in {locale}")
            return ""
        return slug
