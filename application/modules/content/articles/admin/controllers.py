"""Articles in the admin base: a grid, and add/edit forms with the texts of every locale.

The page (`/admin/articles/`) is a `jetpy.web.crud.CrudController`: `?add`, `?view=ID`,
`?edit=ID`, `?delete=ID`. The locales are those of the public base `web`. A locale whose
title is left empty has no text (the article is not shown there); an empty slug is made from
the title and numbered (`-2`, `-3` …) when another article of the locale has it, while a slug
typed in that another article has is a field error. Times are entered and shown in UTC.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any, ClassVar

from sqlalchemy import Select, and_, select, update
from sqlalchemy.orm import Session
from wtforms import BooleanField, DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from application.classes.audit import HistoryActions
from application.classes.content import Article, ArticleLocalization, utcnow
from application.classes.media import check_image_fields, image_field_values
from application.classes.slugs import choose_slug
from jetpy.web.crud import CrudController
from jetpy.web.forms import Form, add_error
from jetpy.web.grid import Column, Filter, Grid, Operation

PUBLIC_BASE = "web"  # whose locales articles are written in
TEXT_FIELDS = ("title", "slug", "annotation", "text")
TIME_FORMAT = "%Y-%m-%dT%H:%M"


class ArticleForm(Form):
    """The fields every article has; `article_form()` adds those of each locale."""

    class Meta:
        id_prefix = "article-"

    published_at = DateTimeLocalField(
        "Published at (UTC)",
        [InputRequired("Enter when the article is published.")],
        format=TIME_FORMAT,
    )
    draft = BooleanField(
        "Draft (never shown)",
        description="Leave it unticked to show the article from the time above.",
    )
    cover = StringField(
        "Cover image", [Optional()], description="Shown in the list and above the article."
    )
    chosen_media: dict[str, list[Any]] | None = None  # the checked images, by field name
    locales: ClassVar[tuple[str, ...]] = ()
    check_texts: Callable[[], bool] | None = None  # the rules that need the database

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields' own validators, then the controller's checks of the texts."""
        valid = super().validate(extra_validators)
        return (self.check_texts() if self.check_texts is not None else True) and valid

    def localized(self, locale: str) -> dict[str, Any]:
        """The fields of `locale` by their short names (title, slug, annotation, text)."""
        return {name: self[f"{name}_{locale}"] for name in TEXT_FIELDS}


def article_form(locales: tuple[str, ...]) -> type[ArticleForm]:
    """The form class with title, slug, annotation and text fields for every locale."""
    fields: dict[str, Any] = {"locales": locales}
    for locale in locales:
        fields[f"title_{locale}"] = StringField("Title", [Optional(), Length(max=200)])
        fields[f"slug_{locale}"] = StringField(
            "Slug", [Optional(), Length(max=200)], description="Empty: made from the title."
        )
        fields[f"annotation_{locale}"] = TextAreaField("Annotation", [Optional()])
        fields[f"text_{locale}"] = TextAreaField("Text", [Optional()])
    return type("LocalizedArticleForm", (ArticleForm,), fields)


class Main(HistoryActions, CrudController):
    """The articles grid and forms, and each article's history (`?history=ID`)."""

    model = Article
    add_title = "Add article"
    edit_title = "Edit article “%(item)s”"
    form_template = "content.articles.admin/form.html"
    view_template = "content.articles.admin/view.html"

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(self.app.bases[PUBLIC_BASE].locales)

    # the grid --------------------------------------------------------------------------
    def get_grid(self) -> Grid:
        own = ArticleLocalization
        statement: Select[Any] = select(Article).outerjoin(
            own, and_(own.article_id == Article.id, own.locale == self.locale.name)
        )
        _ = self._
        now = utcnow()
        states = {
            "published": and_(Article.draft.is_(False), Article.published_at <= now),
            "scheduled": and_(Article.draft.is_(False), Article.published_at > now),
            "draft": Article.draft.is_(True),
        }
        return Grid(
            statement,
            [
                Column("id", "ID"),
                Column(
                    "title",
                    _("Title"),
                    searchable=True,
                    expression=own.title,
                    value=self.title_of,
                ),
                Column(
                    "locales",
                    _("Locales"),
                    sortable=False,
                    value=lambda article: ", ".join(sorted(article.localizations)),
                ),
                Column(
                    "published_at",
                    _("Published at"),
                    expression=Article.published_at,
                    value=lambda article: f"{article.published_at:%Y-%m-%d %H:%M}",
                ),
                Column(
                    "draft",
                    _("Draft"),
                    expression=Article.draft,
                    value=lambda article: _("yes") if article.draft else _("no"),
                ),
            ],
            filters=[
                Filter(
                    "status",
                    _("State"),
                    [
                        ("published", _("Published")),
                        ("scheduled", _("Scheduled")),
                        ("draft", _("Draft")),
                    ],
                    where=states.__getitem__,
                ),
            ],
            operations=[
                Operation("publish", _("Publish"), self.set_draft(False), acl_action="edit"),
                Operation("unpublish", _("Make drafts"), self.set_draft(True), acl_action="edit"),
                Operation("delete", _("Delete"), delete_articles, acl_action="delete"),
            ],
            sort="-published_at",
            export_filename="articles",
            empty=_("No articles yet."),
        )

    def set_draft(self, draft: bool) -> Any:
        def run(session: Session, articles: list[Article]) -> None:
            ids = [article.id for article in articles]
            session.execute(update(Article).where(Article.id.in_(ids)).values(draft=draft))

        return run

    def title_of(self, item: Any) -> str:
        """The title in the admin's locale, else in the first locale the article has."""
        texts = item.localizations
        found = texts.get(self.locale.name) or next(iter(texts.values()), None)
        return found.title if found is not None else f"#{item.id}"

    def view_fields(self, item: Any) -> list[tuple[str, Any]]:
        _ = self._
        return [
            ("ID", item.id),
            (_("Published at"), f"{item.published_at:%Y-%m-%d %H:%M} UTC"),
            (_("Draft"), _("yes") if item.draft else _("no")),
        ]

    def public_url(self, text: ArticleLocalization) -> str | None:
        """Where the article is shown in `text`'s locale (when it is published)."""
        page = self.app.trees.get((PUBLIC_BASE, text.locale))
        found = page.by_id.get("articles") if page is not None else None
        return found.url(text.slug + ".html") if found is not None else None

    # the form ----------------------------------------------------------------------------
    def new_item(self) -> Article:
        # what an editor expects of "Add": published now, unless the draft box is ticked
        return Article(published_at=utcnow().replace(second=0, microsecond=0), draft=False)

    def saved_message(self, item: Any, adding: bool) -> str:
        """Whether the saved article is on the site: published, scheduled or a draft."""
        name, _ = self.title_of(item), self._
        if item.draft:
            if adding:
                return _("Article “%(item)s” added as a draft (not shown on the site).", item=name)
            return _("Article “%(item)s” saved as a draft (not shown on the site).", item=name)
        if item.published_at > utcnow():
            when = f"{item.published_at:%Y-%m-%d %H:%M} UTC"
            if adding:
                return _(
                    "Article “%(item)s” added; it goes on the site at %(when)s.",
                    item=name,
                    when=when,
                )
            return _(
                "Article “%(item)s” saved; it goes on the site at %(when)s.", item=name, when=when
            )
        if adding:
            return _("Article “%(item)s” added and published.", item=name)
        return _("Article “%(item)s” saved and published.", item=name)

    def render_crud(self, template: str, **values: Any) -> None:
        if "form" in values:  # the cover's image field (media_field.html)
            values["media"] = image_field_values(
                self, values["form"], [(values["form"].cover, False)]
            )
        super().render_crud(template, **values)

    def make_form(self, item: Any) -> ArticleForm:
        data: dict[str, Any] = {
            "published_at": item.published_at.astimezone(UTC).replace(tzinfo=None),
            "draft": item.draft,
            "cover": str(item.cover_id or ""),
        }
        for locale, text in item.localizations.items():
            for name in TEXT_FIELDS:
                data[f"{name}_{locale}"] = getattr(text, name)
        form = article_form(self.locales)(self, data=data)
        form.check_texts = lambda: (
            check_image_fields(self.db, form, [(form.cover, False)]) & self.check_texts(item, form)
        )
        return form

    def save(self, item: Any, form: Any) -> None:
        published = form.published_at.data
        item.published_at = published.replace(tzinfo=UTC)
        item.draft = form.draft.data
        covers = (form.chosen_media or {}).get("cover") or []
        item.cover = covers[0] if covers else None
        for locale in form.locales:
            fields = form.localized(locale)
            if not (fields["title"].data or "").strip():
                item.localizations.pop(locale, None)
                continue
            item.localize(
                locale,
                title=fields["title"].data.strip(),
                slug=fields["slug"].data,
                annotation=fields["annotation"].data or "",
                text=fields["text"].data or "",
            )
        self.db.add(item)
        self.db.flush()

    def check_texts(self, item: Any, form: Any) -> bool:
        """Check the texts of every locale and fill in missing slugs; False on an error."""
        valid = True
        titled = 0
        for locale in form.locales:
            fields = form.localized(locale)
            title, slug = fields["title"], fields["slug"]
            slug.data = (slug.data or "").strip()
            if not (title.data or "").strip():
                if any((fields[name].data or "").strip() for name in TEXT_FIELDS[1:]):
                    add_error(
                        title, form._("Give a title, or leave every field of this locale empty.")
                    )
                    valid = False
                continue
            titled += 1
            scope = [ArticleLocalization.locale == locale]
            if item.id is not None:
                scope.append(ArticleLocalization.article_id != item.id)
            choice = choose_slug(self.db, ArticleLocalization.slug, title.data, slug.data, *scope)
            if choice.problem:
                add_error(slug, form._(choice.problem, slug=choice.suggestion))
                valid = False
            else:
                slug.data = choice.slug
        if not titled:
            add_error(
                form[f"title_{form.locales[0]}"],
                form._("Give the article a title in at least one locale."),
            )
            valid = False
        return valid


def delete_articles(session: Session, articles: list[Article]) -> None:
    """Bulk delete: the articles and their texts."""
    for article in articles:
        session.delete(article)
    session.flush()
