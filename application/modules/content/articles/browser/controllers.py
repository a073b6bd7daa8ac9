"""List and detail of articles; the micro-router reads the leftover path."""

from __future__ import annotations

from application.classes.content import Article
from jetpy import Controller, ControllerRouter


class Main(Controller):
    """`/articles/` lists, `/articles/<slug>.html` shows one article."""

    article: Article

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action(
            "list", resolver=lambda: self.url_path == "", url_creator=lambda: self.page.url()
        )
        router.add_action(
            "detail",
            resolver=self.resolve_detail,
            url_creator=lambda article: self.page.url(article.slug + ".html"),
        )
        return router

    def resolve_detail(self) -> bool:
        if not self.url_path.endswith(".html"):
            return False
        article = Article.by_slug(self.url_path[: -len(".html")], self.locale.name)
        if article is None:
            return False
        self.article = article
        self.set_used_path(self.url_path)
        return True

    def list_action(self) -> None:
        self.render(
            "list.html",
            articles=Article.published_in(self.locale.name),
            detail=self.router.action("detail"),
        )  # type: ignore[union-attr]

    def detail_action(self) -> None:
        article = self.article
        self.head.title = article.title
        self.head.set_meta("description", article.annotation)
        self.breadcrumb.add(article.title)
        self.render("detail.html", article=article)


class Widgets(Controller):
    """Small blocks for other pages and layouts."""

    def latest_action(self) -> None:
        count = int(self.parameters.get("count", 3))
        articles = Article.published_in(self.locale.name)[:count]
        page = self.app.page(
            self.parameters.get("page", "articles"), base=self.base.id, locale=self.locale.name
        )
        self.render("latest.html", articles=articles, articles_page=page)
