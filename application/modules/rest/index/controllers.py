"""The homepage of the REST base: what the API offers in this locale, as JSON."""

from __future__ import annotations

from typing import Any

from jetpy import RestController
from jetpy.kernel.pages import Page


class Main(RestController):
    """GET lists each endpoint (a page below the homepage mounting a RestController)."""

    def get_list(self) -> dict[str, Any]:
        return {
            "name": self.locale.title or self.base.name,
            "locale": self.locale.name,
            "endpoints": [
                endpoint for page in self.page.children if (endpoint := self.endpoint(page))
            ],
            "locales": {
                name: self.app.page(self.page.id, base=self.base.id, locale=name).url()
                for name, locale in self.base.locales.items()
                if locale.active
            },
        }

    def endpoint(self, page: Page) -> dict[str, Any] | None:
        """What the page's first active RestController offers; None when it mounts none."""
        for content in page.contents:
            module = self.app.modules.get(content.module or "")
            if module is None or not module.active:
                continue
            controller = module.controllers.get(content.controller)
            if controller is None or not issubclass(controller, RestController):
                continue
            return {
                "id": page.id,
                "title": page.title,
                "url": page.url(),
                "item_url": page.url() + "{id}",
                "collection_methods": controller.allowed_methods(item=False),
                "item_methods": controller.allowed_methods(item=True),
                "sort": list(controller.sort_keys),
                "default_sort": controller.default_sort,
                "max_items_per_page": controller.max_items_per_page,
            }
        return None
