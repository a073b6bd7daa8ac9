"""The main menu and the breadcrumb, embedded by the layout."""

from __future__ import annotations

from jetpy import Controller


class Main(Controller):
    """`module("web.ui", action=...)` in the layout renders one of these."""

    # they show only the page tree, the breadcrumb and the alternates (definitions and what the
    # page's contents set): a page cache may keep the page they are embedded in (jetpy.cache)
    cacheable = True

    def main_menu_action(self) -> None:
        current = self.page
        home = current.ancestors[0]
        items = [
            {
                "title": page.menu_title,
                "url": page.url(),
                "active": page is current or (not page.is_homepage and page.is_in_path_of(current)),
            }
            for page in [home, *home.children]
        ]
        self.render("main_menu.html", items=items)

    def breadcrumb_action(self) -> None:
        self.render("breadcrumb.html", crumbs=list(self.breadcrumb))
