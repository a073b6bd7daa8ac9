"""What the example site's search finds: published articles and products with texts.

Each class is a `search.SearchSource`; `SOURCES` lists them for the search module, the seed
and `jetpy search rebuild`. Another kind of item joins by a class like these added to it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from application.classes import content
from application.classes.catalog import (
    Category,
    CategoryText,
    Product,
    ProductText,
    descendant_ids,
)
from application.classes.content import Article, ArticleLocalization
from application.classes.rich_text import to_plain
from application.classes.search import Document, SearchSource


class Articles:
    """Articles that are not drafts, in each locale they are written in; a scheduled one is
    indexed with its publication time and found from then on."""

    kind = "article"
    entity = "Article"
    browser = "content.articles.browser"

    def documents(self, session: Session, ids: Collection[int] | None) -> Iterator[Document]:
        statement = (
            select(ArticleLocalization)
            .join(ArticleLocalization.article)
            .options(contains_eager(ArticleLocalization.article))
            .where(Article.draft.is_(False))
            .order_by(Article.id, ArticleLocalization.locale)
        )
        if ids is not None:
            statement = statement.where(Article.id.in_(ids))
        for text in session.scalars(statement):
            body = " ".join(part for part in (text.annotation, to_plain(text.text)) if part)
            yield Document(
                self.kind, text.article_id, text.locale, text.title, body, text.published_at
            )

    def live(self, session: Session, locale: str, ids: Collection[int]) -> dict[int, Any]:
        """The published articles among `ids`: rows with the `slug` the browser's detail URL
        takes (its url_creator accepts anything with a slug)."""
        statement = (
            select(ArticleLocalization.article_id, ArticleLocalization.slug)
            .join(ArticleLocalization.article)
            .where(
                ArticleLocalization.locale == locale,
                Article.id.in_(ids),
                Article.draft.is_(False),
                Article.published_at <= content.utcnow(),
            )
        )
        return {row.article_id: row for row in session.execute(statement)}


class Products:
    """Products, in each locale they have texts in (a product without them is not shown).

    A product is found by its name, description and code, and by the names of its category
    and of those above it ("phone" finds the smartphones in Phones), so a category renamed or
    moved indexes the products in it and below it again (`in_categories()`).
    """

    kind = "product"
    entity = "Product"
    browser = "catalog.products.browser"

    def documents(self, session: Session, ids: Collection[int] | None) -> Iterator[Document]:
        statement = (
            select(ProductText, Product.code, Product.category_id)
            .join(Product, Product.id == ProductText.product_id)
            .order_by(ProductText.product_id, ProductText.locale)
        )
        if ids is not None:
            statement = statement.where(ProductText.product_id.in_(ids))
        trails = _CategoryTrails(session)
        for text, code, category_id in session.execute(statement):
            parts = (to_plain(text.description), code, trails.names(category_id, text.locale))
            body = " · ".join(part for part in parts if part)  # as the snippets show it
            yield Document(self.kind, text.product_id, text.locale, text.name, body)

    def in_categories(self, session: Session, category_id: int) -> list[int]:
        """The products in the category `category_id` and in every category below it."""
        category = session.get(Category, category_id)
        if category is None:
            return []
        below = descendant_ids(session, category)
        statement = select(Product.id).where(Product.category_id.in_(below))
        return list(session.scalars(statement.order_by(Product.id)))

    def live(self, session: Session, locale: str, ids: Collection[int]) -> dict[int, Any]:
        """The slugs of the products among `ids` with texts in `locale`."""
        statement = select(ProductText.product_id, ProductText.slug).where(
            ProductText.locale == locale, ProductText.product_id.in_(ids)
        )
        return {product_id: slug for product_id, slug in session.execute(statement)}


_TRAIL = " \u203a "  # a right-pointing angle quote between a category and the one below


class _CategoryTrails:
    """The names of a category and of those above it, top first, in a locale: the whole
    tree read once (a catalog has hundreds of categories, not millions)."""

    def __init__(self, session: Session) -> None:
        self.parents: dict[int, int | None] = {
            category_id: parent_id
            for category_id, parent_id in session.execute(select(Category.id, Category.parent_id))
        }
        self.texts: dict[tuple[int, str], str] = {
            (category_id, locale): name
            for category_id, locale, name in session.execute(
                select(CategoryText.category_id, CategoryText.locale, CategoryText.name)
            )
        }

    def names(self, category_id: int | None, locale: str) -> str:
        trail: list[str] = []
        seen: set[int] = set()
        while category_id is not None and category_id not in seen:  # a cycle ends it
            seen.add(category_id)
            name = self.texts.get((category_id, locale))
            if name:
                trail.append(name)
            category_id = self.parents.get(category_id)
        return _TRAIL.join(reversed(trail))


PRODUCTS = Products()
SOURCES: tuple[SearchSource, ...] = (Articles(), PRODUCTS)
