"""The detail of an article at `<slug>.html` below the page, and the latest articles."""

from __future__ import annotations

from application.classes import articles
from jetpy import Controller, ControllerRouter


class Main(Controller):
    """Claims the leftover path `<slug>.html` and renders that article."""

    article: articles.Article

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action(
            "detail",
            resolver=self.resolve_detail,
            url_creator=lambda article: self.page.url(article.slug + ".html"),
        )
        return router

    def resolve_detail(self) -> bool:
        path = self.url_path
        if not path.endswith(".html"):
            return False
        article = articles.by_slug(path[: -len(".html")])
        if article is None:
            return False
        self.article = article
        self.set_used_path(path)
        return True

    def detail_action(self) -> None:
        article = self.article
        self.head.title = article.title
        self.head.set_meta("description", article.annotation)
        self.breadcrumb.add(article.title)
        page = self.page
        self.render("detail.html", article=article, back_url=page.url(), back_title=page.title)


class Widgets(Controller):
    """The newest articles, linked to their detail on the articles page."""

    def latest_action(self) -> None:
        page = self.app.page("articles", base=self.base.id, locale=self.locale.name)
        self.render(
            "latest.html",
            title=page.menu_title,
            url_prefix=page.url(),
            articles=articles.latest(int(self.parameters.get("count", 5))),
        )
