"""List and detail of articles from the database; the micro-router reads the leftover path.

`/articles/` is the first page of the list and `/articles/page-2` the next ones. The first
page has one URL: `page-1` answers 301 to `/articles/`. A page past the last one answers 404,
and so does any other leftover path (`page-0`, `page-01`, `page-abc`). `/articles/<slug>.html`
shows one published article of the locale; a slug the article had before answers 301 to its
slug now; an unknown slug is a 404.
"""

from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from application.classes import content
from application.classes.content import ArticleLocalization
from application.classes.old_slugs import moved_to
from application.classes.paging import claim_list_page, pager
from application.classes.slugs import SLUG
from jetpy import Controller, ControllerRouter, JetpyError

PER_PAGE = 10
LATEST = 3


class Main(Controller):
    """`/articles/[page-N]` lists, `/articles/<slug>.html` shows one article.

    Other modules build article URLs with `router.action("detail").url(article)`, where
    `article` is anything with a `slug` (an `ArticleLocalization`).
    """

    article: ArticleLocalization
    list_page = 1
    moved_url = ""  # where an old slug's URL redirects to

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action("list", resolver=self.resolve_list, url_creator=self.list_url)
        router.add_action(
            "detail",
            resolver=self.resolve_detail,
            url_creator=lambda article: self.page.url(article.slug + ".html"),
        )
        router.add_action("moved", resolver=self.resolve_moved)
        return router

    def resolve_moved(self) -> bool:
        """An article's old slug (`application/classes/old_slugs.py`): 301 to its slug now."""
        slug = self.url_path.removesuffix(".html")
        if slug == self.url_path or not SLUG.fullmatch(slug):
            return False
        article_id = moved_to(self.db, "article", self.locale.name, slug)
        if article_id is None:
            return False
        now = content.by_id(self.db, self.locale.name, article_id)
        if now is None:
            return False
        self.moved_url = self.page.url(now.slug + ".html")
        self.set_used_path(self.url_path)
        return True

    def moved_action(self) -> Response:
        query = self.request.query_string.decode("latin-1")
        return redirect(self.moved_url + (f"?{query}" if query else ""), 301)

    def list_url(self, page: int = 1) -> str:
        """The URL of page `page` of the list; the first page has the page's own URL."""
        return self.page.url() if page == 1 else self.page.url(f"page-{page}")

    def resolve_list(self) -> bool:
        return claim_list_page(self)

    def resolve_detail(self) -> bool:
        slug = self.url_path.removesuffix(".html")
        if slug == self.url_path or not SLUG.fullmatch(slug):
            return False  # not an article's URL: no query
        article = content.by_slug(self.db, self.locale.name, slug)
        if article is None:
            return False
        self.article = article
        self.set_used_path(self.url_path)
        return True

    def list_action(self) -> Response | None:
        if self.url_path and self.list_page == 1:
            query = self.request.query_string.decode("latin-1")
            return redirect(self.list_url() + (f"?{query}" if query else ""), 301)
        per_page = _positive_int(self.parameters, "per_page", PER_PAGE, self)
        articles = content.published_page(self.db, self.locale.name, self.list_page, per_page)
        if articles.out_of_range:
            raise NotFound()
        _tag_list(self)
        if articles.page > 1:
            number = articles.page
            self.head.title = self._("%(title)s, page %(page)s", title=self.page.title, page=number)
            self.breadcrumb.add(self._("Page %(page)s", page=number))
        self.render(
            "list.html",
            articles=articles,
            pager=pager(articles.page, articles.pages),
            list_url=self.list_url,
            detail=self.router.action("detail"),  # type: ignore[union-attr]
        )
        return None

    def detail_action(self) -> None:
        article = self.article
        # cached until it changes (or the media it shows); unpublished by a later date: no
        self.tag(f"article:{article.article.id}", "mediaitem")
        self.head.title = article.title
        self.head.set_meta("description", article.annotation)
        self.breadcrumb.add(article.title)
        # the same article in the other locales (its localizations are published together)
        others = article.article.localizations
        self.set_alternates(
            lambda page: (
                page.url(other.slug + ".html")
                if (other := others.get(page.locale.name)) is not None
                else None
            )
        )
        self.render("detail.html", article=article)


class Widgets(Controller):
    """Small blocks for other pages and layouts."""

    def latest_action(self) -> None:
        """The newest articles (parameter `count`, 3 by default) linking to page `articles`."""
        count = _positive_int(self.parameters, "count", LATEST, self)
        articles = content.latest(self.db, self.locale.name, count)
        _tag_list(self)
        page = self.app.page(
            self.parameters.get("page", "articles"), base=self.base.id, locale=self.locale.name
        )
        self.render("latest.html", articles=articles, articles_page=page)


def _tag_list(controller: Controller) -> None:
    """A list shows any article and changes when the next scheduled one comes out."""
    controller.tag("article", "mediaitem")
    if controller.app.output_cache.enabled:  # one statement, only when something is kept
        controller.expires_at(content.next_publication(controller.db))


def _positive_int(parameters: Any, name: str, default: int, controller: Controller) -> int:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise JetpyError(
            f"parameter `{name}` of module content.articles.browser on page "
            f"`{controller.page.id}` is {value!r}; give it a whole number of 1 or more"
        )
    return value
