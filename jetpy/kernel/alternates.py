"""The same page in the other locales of its base: for the locale switch and hreflang links.

`ctx.alternates` maps each active locale of the base to the URL of what the request shows,
in that locale, or None where it has no equivalent:
- the request's own locale: the page's URL with the used leftover path (no query string);
- another locale, on a page without a used leftover path: the page with the same id there
  (None when that locale lacks it or it is inactive);
- another locale, when a controller claimed a leftover path (an article, a product): None,
  since the page's URL there names the list, not the item, until the controller says where
  the item is with `self.set_alternates(url_for)` (jetpy.kernel.controller).
It is made on first use, after the controllers resolved; actions refine it before the layout
renders. The head lists every known alternate as `<link rel="alternate" hreflang>` plus
`x-default` (the base's first locale) when at least two are known, and the request's own
URL as `<link rel="canonical">`. The
locale switch links to the alternate, else to the page in that locale, else to its homepage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jetpy.kernel.bases import Locale
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.pages import Page


def defaults(ctx: RequestContext) -> dict[str, str | None]:
    """The alternates of the request before any controller refined them."""
    page, used = ctx.page, ctx.used_path
    found: dict[str, str | None] = {}
    for name, locale in ctx.base.locales.items():
        if not locale.active:
            continue
        if locale is ctx.locale:
            found[name] = page.url(*used.split("/")) if used else page.url()
        elif used:
            found[name] = None
        else:
            twin = same_page(ctx, locale)
            found[name] = None if twin is None else twin.url()
    return found


def same_page(ctx: RequestContext, locale: Locale) -> Page | None:
    """The page with the request's page id in `locale`, if it is there and active."""
    page = ctx.app.trees[(ctx.base.id, locale.name)].by_id.get(ctx.page.id)
    return page if page is not None and page.is_active else None


def refine(ctx: RequestContext, url_for: Callable[[Page], str | None]) -> None:
    """Ask `url_for(page)` for the other locales: `page` is the request's page there."""
    alternates = ctx.alternates
    for name, locale in ctx.base.locales.items():
        if name not in alternates or locale is ctx.locale:
            continue
        twin = same_page(ctx, locale)
        alternates[name] = None if twin is None else url_for(twin)


def switch_links(ctx: RequestContext, keep_query: bool = False) -> list[tuple[Locale, str, bool]]:
    """(locale, URL, is the request's locale) for each active locale, for a locale switch.

    `keep_query` carries the query string along (an admin page names its item there).
    """
    alternates = ctx.alternates
    query = ctx.request.environ.get("QUERY_STRING", "") if keep_query else ""
    links = []
    for name, url in alternates.items():
        locale = ctx.base.locales[name]
        if url is None:
            twin = same_page(ctx, locale)
            if twin is None:
                twin = ctx.app.trees[(ctx.base.id, name)].homepage
            url = twin.url()
        links.append((locale, f"{url}?{query}" if query else url, locale is ctx.locale))
    return links


def hreflang_links(ctx: RequestContext) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of every known alternate and x-default; none unless two are
    known (a page in one locale has nothing to pair with)."""
    locales = ctx.base.locales
    if len(locales) < 2:
        return []
    alternates = ctx.alternates
    known = [(name, url) for name, url in alternates.items() if url is not None]
    if len(known) < 2:
        return []  # the page alone: no pair to announce
    scheme = ctx.scheme
    origin = f"{scheme}://{ctx.app.url_map.host_of(ctx.request)}"
    links = [(name.replace("_", "-"), absolute(url, origin, scheme)) for name, url in known]
    first = alternates.get(next(iter(locales)))
    if first is not None:
        links.append(("x-default", absolute(first, origin, scheme)))
    return links


def canonical_link(ctx: RequestContext) -> str:
    """The absolute URL of what the request shows, without its query string: the page's URL
    with the used leftover path, or the one an action set (`set_alternates`)."""
    made = ctx._alternates
    used = ctx.used_path
    if made is not None:
        own = made.get(ctx.locale.name)
    elif not ctx.locale.active:  # as defaults() has it, without the other locales' entries
        own = None  # (a page in one locale, the common case, needs none)
    else:
        own = ctx.page.url(*used.split("/")) if used else ctx.page.url()
    if own is None:
        return ""
    scheme = ctx.scheme
    return absolute(own, f"{scheme}://{ctx.app.url_map.host_of(ctx.request)}", scheme)


def absolute(url: str, origin: str, scheme: str) -> str:
    """`url` (a path, or `//host/path` for a locale with a host of its own) made absolute."""
    return f"{scheme}:{url}" if url.startswith("//") else origin + url
