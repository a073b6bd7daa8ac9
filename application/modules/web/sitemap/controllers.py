"""The sitemap: the page tree of the visitor's base and locale, nested and linked; and
`/sitemap.xml` for search engines (controller `Xml`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from application.classes.catalog import ProductText
from application.classes.content import Article, ArticleLocalization, utcnow
from jetpy import Controller, ControllerRouter
from jetpy.kernel.alternates import absolute
from jetpy.kernel.pages import Page, PageTree
from jetpy.modules.menus import page_visible


class Main(Controller):
    """Mounted by the page this module brings (pages/web/<locale>/<fragment>/page.yaml)."""

    def default_action(self) -> None:
        homepage = self.app.trees[(self.base.id, self.locale.name)].homepage
        self.render("sitemap.html", homepage=homepage, below=self.below)

    def below(self, page: Page) -> list[Page]:
        """The active children of `page` that menus would offer this visitor, in menu order."""
        return [child for child in page.children if page_visible(self.ctx, child)]


class Xml(Controller):
    """`/sitemap.xml` of a base and locale, and `/robots.txt` naming the sitemaps (mounted on
    the homepage, which leaves both over).

    Every public page of the locale's tree, published article and translated product, each
    with `xhtml:link rel="alternate" hreflang` to the same page, article or product in the
    base's other active locales (and `x-default`, the base's first locale), as search
    engines read them.
    """

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action("sitemap", resolver=lambda: self._claim("sitemap.xml"))
        router.add_action("robots", resolver=lambda: self._claim("robots.txt"))
        return router

    def _claim(self, name: str) -> bool:
        if self.url_path != name:
            return False
        self.set_used_path(name)
        return True

    def robots_action(self) -> Response:
        """robots.txt: everything may be crawled; the sitemaps of the base's locales."""
        origin = f"{self.ctx.scheme}://{self.request.host}"
        lines = ["User-agent: *", "Allow: /", ""]
        for name, locale in self.base.locales.items():
            if locale.active:
                homepage = self.app.trees[(self.base.id, name)].homepage
                url = absolute(homepage.url("sitemap.xml"), origin, self.ctx.scheme)
                lines.append(f"Sitemap: {url}")
        return Response("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")

    def sitemap_action(self) -> Response:
        origin = f"{self.ctx.scheme}://{self.request.host}"
        locales = [name for name, locale in self.base.locales.items() if locale.active]
        trees = {name: self.app.trees[(self.base.id, name)] for name in locales}
        entries: list[dict[str, str]] = []
        for page in trees[self.locale.name]:
            if not page.is_active or page.is_secret:
                continue
            twins = {name: trees[name].by_id.get(page.id) for name in locales}
            entries.append(
                {
                    name: twin.url()
                    for name, twin in twins.items()
                    if twin is not None and twin.is_active and not twin.is_secret
                }
            )
        entries += self._items(trees, locales, "content.articles.browser", article_slugs)
        entries += self._items(trees, locales, "catalog.products.browser", product_slugs)
        xml = render_sitemap(entries, self.locale.name, locales, origin, self.ctx.scheme)
        return Response(xml, content_type="application/xml; charset=utf-8")

    def _items(
        self,
        trees: Mapping[str, PageTree],
        locales: list[str],
        module: str,
        slugs: Callable[[Session], Iterable[Mapping[str, str]]],
    ) -> list[dict[str, str]]:
        """The items of the page that mounts `module` (`<slug>.html` below it), per locale."""
        pages = {name: mounting(trees[name], module) for name in locales}
        if pages[self.locale.name] is None or not self.app.modules[module].active:
            return []
        found = []
        for by_locale in slugs(self.db):
            if self.locale.name not in by_locale:
                continue
            found.append(
                {
                    name: page.url(slug + ".html")
                    for name, slug in by_locale.items()
                    if (page := pages.get(name)) is not None
                }
            )
        return found


def mounting(tree: PageTree, module: str) -> Page | None:
    """The first public page of `tree` whose main controller comes from `module`."""
    for page in tree:
        if page.is_active and not page.is_secret:
            for content in page.contents:
                if content.module == module and content.controller == "Main":
                    return page
    return None


def article_slugs(session: Session) -> Iterator[dict[str, str]]:
    """{locale: slug} of each published article, in the locales it is published in."""
    by_article: dict[int, dict[str, str]] = {}
    for localization in session.scalars(
        select(ArticleLocalization)
        .join(ArticleLocalization.article)
        .where(Article.draft.is_(False), Article.published_at <= utcnow())
        .order_by(Article.id)
    ):
        by_article.setdefault(localization.article_id, {})[localization.locale] = localization.slug
    yield from by_article.values()


def product_slugs(session: Session) -> Iterator[dict[str, str]]:
    """{locale: slug} of each product with texts."""
    by_product: dict[int, dict[str, str]] = {}
    for text in session.scalars(select(ProductText).order_by(ProductText.product_id)):
        by_product.setdefault(text.product_id, {})[text.locale] = text.slug
    yield from by_product.values()


def render_sitemap(
    entries: Iterable[Mapping[str, str]],
    locale: str,
    locales: list[str],
    origin: str,
    scheme: str,
) -> str:
    """The sitemap XML of `entries` ({locale: URL path}) for `locale`'s URLs."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for entry in entries:
        own = entry.get(locale)
        if own is None:
            continue
        lines.append(f"<url><loc>{escape(absolute(own, origin, scheme))}</loc>")
        if len(entry) > 1:
            for name in locales:
                if name in entry:
                    lines.append(_alternate(name.replace("_", "-"), entry[name], origin, scheme))
            if locales[0] in entry:
                lines.append(_alternate("x-default", entry[locales[0]], origin, scheme))
        lines.append("</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def _alternate(hreflang: str, url: str, origin: str, scheme: str) -> str:
    href = escape(absolute(url, origin, scheme))
    return f'  <xhtml:link rel="alternate" hreflang="{hreflang}" href="{href}"/>'
