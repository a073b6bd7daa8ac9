"""The sitemap: the page tree of the visitor's base and locale, nested and linked."""

from __future__ import annotations

from jetpy import Controller
from jetpy.kernel.pages import Page
from jetpy.modules.menus import page_visible


class Main(Controller):
    """Mounted by the page this module brings (pages/web/<locale>/<fragment>/page.yaml)."""

    def default_action(self) -> None:
        homepage = self.app.trees[(self.base.id, self.locale.name)].homepage
        self.render("sitemap.html", homepage=homepage, below=self.below)

    def below(self, page: Page) -> list[Page]:
        """The active children of `page` that menus would offer this visitor, in menu order."""
        return [child for child in page.children if page_visible(self.ctx, child)]
