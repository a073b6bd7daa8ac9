"""Where a media item is used: products (main image, gallery) and articles (cover, text).

The media library refuses to delete an item in use and lists these places instead. An image
put into an article's text by the editor is found by its key in the text (its URL holds it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from application.classes.catalog.models import Product, ProductImage, ProductText
from application.classes.content import Article, ArticleLocalization
from application.classes.media import MediaItem


@dataclass(frozen=True)
class Usage:
    """One place that shows the item: `what` (product, article), its label, and how."""

    what: str
    id: int
    label: str
    role: str  # main image, gallery, cover, text


def usages(session: Session, item: MediaItem, locale: str) -> list[Usage]:
    """Every product and article that shows `item`, labelled in `locale` where it can be."""
    found: list[Usage] = []
    main = select(Product.id).where(Product.image_id == item.id)
    gallery = select(ProductImage.product_id).where(ProductImage.media_id == item.id)
    products = session.execute(
        select(Product.id, Product.code, Product.image_id, ProductText.name)
        .outerjoin(
            ProductText, (ProductText.product_id == Product.id) & (ProductText.locale == locale)
        )
        .where(or_(Product.id.in_(main), Product.id.in_(gallery)))
        .order_by(Product.code)
    )
    for id, code, image_id, name in products:
        role = "main image" if image_id == item.id else "gallery"
        found.append(Usage("product", id, f"{code} {name or ''}".strip(), role))
    in_text = select(ArticleLocalization.article_id).where(
        ArticleLocalization.text.contains(item.key, autoescape=True)
    )
    articles = session.scalars(
        select(Article)
        .where(or_(Article.cover_id == item.id, Article.id.in_(in_text)))
        .order_by(Article.id)
    )
    for article in articles:
        localization = article.localizations.get(locale) or next(
            iter(article.localizations.values()), None
        )
        label = localization.title if localization is not None else f"#{article.id}"
        role = "cover" if article.cover_id == item.id else "text"
        found.append(Usage("article", article.id, label, role))
    return found
