"""Navigation blocks of the web base, embedded by its layouts."""

from __future__ import annotations

from jetpy import Controller
from jetpy.kernel.alternates import switch_links


class Main(Controller):
    """`module("web.ui", action=...)` in a layout renders one of these."""

    # they show only the page tree, the breadcrumb and the alternates (definitions and what the
    # page's contents set): a page cache may keep the page they are embedded in (jetpy.cache)
    cacheable = True

    def main_menu_action(self) -> None:
        home = self.page.ancestors[0]
        # a page may keep out of the main menu (e.g. the sitemap, linked from the footer)
        shown = [page for page in home.children if page.parameters.get("main_menu", True)]
        self.render("main_menu.html", items=[home, *shown], current=self.page)

    def breadcrumb_action(self) -> None:
        self.render("breadcrumb.html", crumbs=list(self.breadcrumb))

    def submenu_action(self) -> None:
        section = self.page.ancestors[1] if len(self.page.ancestors) > 1 else None
        if section is not None and section.children:
            self.render("submenu.html", section=section, current=self.page)

    def locale_switch_action(self) -> None:
        """What the page shows in each locale: the same item, else the page, else home."""
        self.render("locale_switch.html", links=switch_links(self.ctx))
