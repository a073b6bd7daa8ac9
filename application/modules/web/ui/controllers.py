"""Navigation blocks of the web base, embedded by its layouts."""

from __future__ import annotations

from jetpy import Controller, JetpyError


class Main(Controller):
    """`module("web.ui", action=...)` in a layout renders one of these."""

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
        links = []
        for locale in self.base.locales.values():
            if not locale.active:
                continue
            try:
                target = self.app.page(self.page.id, base=self.base.id, locale=locale.name)
            except JetpyError:
                target = self.app.trees[(self.base.id, locale.name)].homepage
            links.append((locale, target.url(), locale is self.locale))
        self.render("locale_switch.html", links=links)
