"""The site search's results page: `/search/?q=…` (`/cs/hledani/?q=…`), paged like the
articles list (`/search/page-2?q=…`; `page-1` answers 301 to the page's URL, a page past
the last one 404; the query string stays on every page).

- What is found: every source of `application/classes/search_sources.py` whose browser module
  is activated and mounted on its page in this locale (page ids: the sources' `page`, or the
  content parameter `pages: {article: articles, product: products}`); each result links to
  the item's URL as that browser's own micro-router builds it.
- A query that finds nothing is corrected word by word against the locale's vocabulary; when
  the correction finds something, its results are shown at once ("Showing results for …",
  with a link to search the words as typed) — a visitor who mistyped gets answers without a
  second click, and nothing is shown that they did not ask for when their words match.
- Not cacheable: the query is free text, so every visitor's typing would be an entry of the
  output cache (files and Redis keep them until their TTL); a search costs a few statements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from application.classes import search
from application.classes.paging import PageOf, claim_list_page, pager
from application.classes.search import Found, SearchSource
from application.classes.search_sources import SOURCES
from application.classes.search_text import MAX_QUERY, Query, highlight, parse_query, snippet
from jetpy import Controller, ControllerRouter, JetpyError
from jetpy.kernel.context import RequestContext

PER_PAGE = 10


@dataclass(frozen=True)
class Hit:
    """One result as the view shows it."""

    kind: str
    label: str  # the kind, translated
    url: str
    title: Markup
    snippet: Markup


class Main(Controller):
    """The search form and its results."""

    cacheable = False  # free-text keys would flood the output cache (see above)
    list_page = 1

    def get_router(self) -> ControllerRouter:
        router = ControllerRouter(self)
        router.add_action("results", resolver=self.resolve_results, url_creator=self.results_url)
        return router

    def results_url(self, query: str = "", page: int = 1) -> str:
        """The URL of page `page` of the results of `query`."""
        fragments = () if page == 1 else (f"page-{page}",)
        return self.page.url(*fragments, q=query) if query else self.page.url(*fragments)

    def resolve_results(self) -> bool:
        return claim_list_page(self)

    def results_action(self) -> Response | None:
        typed = parse_query(self.request.args.get("q"))
        if self.url_path and self.list_page == 1:
            return redirect(self.results_url(typed.text), 301)
        links = self.detail_links()
        query, corrected = typed, ""
        found = search.search(self.db, self.locale.name, query, links, self.list_page, PER_PAGE)
        if not found.total and query.searchable and self.list_page == 1:
            suggestion = search.correction(self.db, self.locale.name, query)
            if suggestion is not None:
                better = parse_query(suggestion)
                page = search.search(self.db, self.locale.name, better, links, 1, PER_PAGE)
                if page.total:
                    query, corrected, found = better, suggestion, page
        if found.out_of_range:
            raise NotFound()
        if typed.text:
            self.head.title = self._("Search: %(query)s", query=typed.text)
        if found.page > 1:
            self.head.title = self._(
                "%(title)s, page %(page)s", title=self.head.title, page=found.page
            )
            self.breadcrumb.add(self._("Page %(page)s", page=found.page))
        if typed.text:  # result lists are no pages to index (the bare form is, in the sitemap)
            self.head.set_meta("robots", "noindex, follow")
        self.render(
            "results.html",
            typed=typed,
            query=query,
            corrected=corrected,
            found=found,
            hits=self.hits(found, query, links),
            pager=pager(found.page, found.pages),
            results_url=self.results_url,
            max_query=MAX_QUERY,
        )
        return None

    def hits(self, found: PageOf[Found], query: Query, links: dict[str, Link]) -> list[Hit]:
        """The results of the page with their URLs and highlighted texts (stale ones left out)."""
        terms = search.highlight_terms(self.db, self.locale.name, query) if found.items else ()
        live: dict[str, dict[int, Any]] = {}
        for kind, link in links.items():
            ids = [each.item_id for each in found.items if each.kind == kind]
            live[kind] = link.source.live(self.db, self.locale.name, ids) if ids else {}
        hits = []
        for each in found.items:
            item = live[each.kind].get(each.item_id)
            url = links[each.kind].url(item) if item is not None else None
            if url is None:
                continue
            label = self._(links[each.kind].source.kind.capitalize())
            hits.append(
                Hit(each.kind, label, url, highlight(each.title, terms), snippet(each.body, terms))
            )
        return hits

    def detail_links(self) -> dict[str, Link]:
        """Kind → how its items' URLs are made in this locale (kinds without a page left out)."""
        pages = self.parameters.get("pages", {})
        if not isinstance(pages, dict):
            raise JetpyError(
                f"parameter `pages` of module web.search on page `{self.page.id}` is "
                f"{pages!r}; give it a mapping of kind to page id, e.g. {{article: articles}}"
            )
        links = {}
        for source in SOURCES:
            link = Link.of(self, source, str(pages.get(source.kind, source.kind + "s")))
            if link is not None:
                links[source.kind] = link
        return links


@dataclass(frozen=True)
class Link:
    """The detail URLs of a source's items: its browser's micro-router on its page."""

    source: SearchSource
    url: Callable[[Any], str | None]

    @classmethod
    def of(cls, controller: Controller, source: SearchSource, page_id: str) -> Link | None:
        """None when the browser is not activated or the page does not mount it here."""
        module = controller.app.modules.get(source.browser)
        if module is None or not module.active:
            return None
        page = controller.app.trees[(controller.base.id, controller.locale.name)].by_id.get(page_id)
        if page is None or not page.is_active or page.is_secret:
            return None  # a secret page's items are not shown to whoever searches
        content = next(
            (c for c in page.contents if c.module == source.browser and c.controller == "Main"),
            None,
        )
        if content is None:
            return None
        # the browser's controller as a request for its page would make it
        ctx = RequestContext(controller.app, controller.request, page.url())
        ctx.base, ctx.locale, ctx.page, ctx.auth = page.base, page.locale, page, controller.ctx.auth
        browser = module.controllers[content.controller](ctx, module, content)
        router = browser.router
        if router is None or "detail" not in router.actions:
            return None
        return cls(source, router.actions["detail"].url)
