"""Absolute URLs for the feed: the shop's homepage and its product pages.

The product URL rule belongs to the products browser (`catalog.products.browser`), so the
feed asks that module's own micro-router for it: the router of the controller mounted on the
page with id `products`, made for that page as a request for it would make it. If the
browser changes its URLs, the feed follows without a change here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from werkzeug.test import EnvironBuilder

from application.classes.catalog import Offer
from application.classes.media import MediaItem
from application.modules.exports.google_shopping.feed import (
    BASE,
    BROWSER,
    PRODUCTS_PAGE,
    FeedError,
    ImageLink,
    ProductLink,
    web_locale,
)
from application.modules.exports.google_shopping.rss import Channel
from jetpy import JetpyError
from jetpy.kernel.context import RequestContext

if TYPE_CHECKING:
    from jetpy import Application, ControllerRouter

# a host name (labels of at most 63 characters, as IDNA and DNS require) or an IPv6 address
# in brackets, and a port
_HOST = re.compile(
    r"(?P<host>[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?",
    re.I,
)
MAX_HOST = 253  # characters of a DNS name
MAX_PORT = 65535


def check_site_url(url: str) -> str:
    """`https://shop.example.com` (scheme and host, no path); anything else is a FeedError."""
    parts = urlsplit(url.strip())
    host = _HOST.fullmatch(parts.netloc)
    if (
        parts.scheme not in ("http", "https")
        or host is None
        or len(host["host"]) > MAX_HOST
        or int(host["port"] or 0) > MAX_PORT
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise FeedError(
            f"{url!r} is not a site URL; give only the scheme and host the site is served "
            "at, e.g. https://shop.example.com"
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def absolute(url: str, site: str) -> str:
    """`url` as the application builds it (`/cs/…`, `//host/…`) made absolute on `site`."""
    if url.startswith("//"):  # the locale names its own host; keep the site's scheme
        return f"{urlsplit(site).scheme}:{url}"
    if url.startswith("/"):
        return site + url
    return url


def channel(app: Application, locale: str, site: str) -> Channel:
    """The shop's name, homepage and description in `locale`, from base web."""
    found = web_locale(app, locale)
    homepage = app.trees[(BASE, locale)].homepage
    description = next(
        (tag.get("content", "") for tag in found.meta_tags if tag.get("value") == "description"),
        "",
    )
    title = found.title or found.base.name or BASE
    return Channel(title, absolute(homepage.url(), site), description or title)


def product_links(app: Application, locale: str, site: str) -> ProductLink:
    """Absolute product URLs in `locale`, built by the products browser's router."""
    detail = browser_router(app, locale, site).action("detail")

    def link(offer: Offer) -> str:
        url = detail.url(offer.slug)
        if url is None:
            raise FeedError(
                f"module {BROWSER} gives no URL for product {offer.product.code}: "
                "its detail action is not allowed without a login"
            )
        return absolute(url, site)

    return link


def image_links(app: Application, site: str) -> ImageLink:
    """Absolute URLs of images of the media library (their originals, as Google wants)."""

    def link(image: MediaItem) -> str:
        return absolute(app.media.url(image), site)

    return link


def browser_router(app: Application, locale: str, site: str) -> ControllerRouter:
    """The micro-router of the products browser as mounted on page `products` of `locale`."""
    web_locale(app, locale)
    try:
        page = app.page(PRODUCTS_PAGE, base=BASE, locale=locale)
    except JetpyError as error:
        raise FeedError(
            f"{error}; the feed links to the product pages of module {BROWSER}, "
            f"which must be mounted on a page with id `{PRODUCTS_PAGE}`"
        ) from None
    module = app.modules.get(BROWSER)
    if module is None or not module.active:
        raise FeedError(
            f"module {BROWSER} is not activated, so products have no pages to link to; "
            f"run `jetpy modules install --activate {BROWSER}`"
        )
    content = next((c for c in page.contents if c.module == BROWSER), None)
    if content is None:
        raise FeedError(
            f"page `{PRODUCTS_PAGE}` of base {BASE}, locale {locale} does not mount "
            f"module {BROWSER}; add it to the page's contents"
        )
    url = urlsplit(absolute(page.url(), site))
    request = EnvironBuilder(url.path, f"{url.scheme}://{url.netloc}").get_request()
    ctx = RequestContext(app, request, request.path)
    ctx.base, ctx.locale, ctx.page = page.base, page.locale, page
    controller = module.controllers[content.controller](ctx, module, content)
    router = controller.router
    if router is None:
        raise FeedError(f"{BROWSER}:{content.controller} has no micro-router to build URLs")
    return router
