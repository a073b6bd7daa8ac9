"""The request context: what the stages of one request learn and hand on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from jetpy.kernel import proxies
from jetpy.kernel.alternates import defaults as default_alternates
from jetpy.kernel.head import Head
from jetpy.kernel.navigation import Breadcrumb

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session as DbSession
    from werkzeug.wrappers import Request, Response

    from jetpy.app import Application
    from jetpy.auth import AuthProvider
    from jetpy.kernel.bases import Base, Locale
    from jetpy.kernel.controller import Controller
    from jetpy.kernel.pages import Content, Page
    from jetpy.kernel.sessions import Session


class RequestContext:
    """One request on its way through the stages; passed to controllers and templates."""

    base: Base
    locale: Locale
    page: Page
    # set by a base initializer: asked before a 404 page is rendered, it may answer instead
    # (a redirect); a class attribute, so requests that never 404 pay nothing for it
    not_found: Callable[[RequestContext], Response | None] | None = None
    # what most requests leave as it is: class attributes, set on the context when changed
    rest = ""  # the path below the locale URL
    url_path = ""  # the leftover below the page
    used_path = ""
    auth: AuthProvider | None = None  # the base's, unless the initializer sets one
    loaded_session: Session | None = None  # once something asked for ctx.session
    visitor_seen = False  # set when ctx.session is asked for (jetpy.cache)
    cached_page = True  # every content was cacheable and visitor-free (HTTP caching)
    page_until: float | None = None  # the earliest time a cached content changes
    _head: Head | None = None
    _breadcrumb: Breadcrumb | None = None
    _alternates: dict[str, str | None] | None = None
    # what refers back to this context: dropped by close()
    template_vars: dict[str, Any] | None = None  # made by Templates.shared_vars

    def __init__(self, app: Application, request: Request, path: str) -> None:
        self.app = app
        self.request = request
        self.path = path  # the decoded request path
        self.parts: dict[str, list[tuple[int, int, str]]] = {}
        self.vars: dict[str, Any] = {}  # extra template globals, e.g. from the initializer
        self.page_tags: set[str] = set()  # of the cached contents (the page cache keeps them)
        self.routed: list[Controller] = []  # controllers that built a router

    def close(self) -> None:
        """Drop the request's reference cycles once it is answered.

        The template helpers close over the context and a router's actions hold their
        controller's methods; left alone, every request's objects would wait for the garbage
        collector, which costs more than dropping them here. Both are made again if asked for.
        """
        self.template_vars = None
        for controller in self.routed:
            controller._router = False
        self.routed.clear()

    @property
    def head(self) -> Head:
        """Title, meta tags, CSS and JS of the page; made on first use."""
        head = self._head
        if head is None:
            head = self._head = Head(self.page.title, self.page.meta_tags)
            head.site_title = self.locale.title
        return head

    @property
    def db(self) -> DbSession:
        """The request's database session (committed unless the response is an error)."""
        return self.app.db.request_session

    @property
    def session(self) -> Session:
        """The visitor's session in this base (jetpy.kernel.sessions), read on first use."""
        self.visitor_seen = True  # what uses the session depends on the visitor: not cached
        session = self.loaded_session
        if session is None:
            session = self.loaded_session = self.app.sessions.load(self)
        return session

    @property
    def alternates(self) -> dict[str, str | None]:
        """Locale name → URL of this page's item there, or None (jetpy.kernel.alternates)."""
        found = self._alternates
        if found is None:
            found = self._alternates = default_alternates(self)
        return found

    @property
    def breadcrumb(self) -> Breadcrumb:
        """From the homepage to the page; modules may add steps. Made on first use."""
        breadcrumb = self._breadcrumb
        if breadcrumb is None:
            breadcrumb = self._breadcrumb = Breadcrumb(self.page)
        return breadcrumb

    def claim(self, path: str) -> None:
        """Mark `path` (the start of the leftover path) as used by a controller."""
        path = path.strip("/")
        leftover = self.url_path
        if path and not (leftover == path or leftover.startswith(path + "/")):
            raise ValueError(
                f"set_used_path({path!r}): the leftover path is {leftover!r}; "
                "a controller can only claim its start"
            )
        if len(path) > len(self.used_path):
            self.used_path = path

    @property
    def unused_path(self) -> str:
        return self.url_path[len(self.used_path) :].strip("/")

    def add_part(self, content: Content, html: str) -> None:
        """Send output to the content's position, ordered by the content's order."""
        self.parts.setdefault(content.position, []).append((content.order, content.index, html))

    def position(self, name: str) -> Markup:
        """Everything sent to position `name`, in order."""
        parts = self.parts.get(name)
        if not parts:
            return Markup("")
        if len(parts) == 1:
            return Markup(parts[0][2])
        return Markup("".join(html for _, _, html in sorted(parts, key=_part_order)))

    def has_position(self, name: str) -> bool:
        """Whether anything was sent to position `name` (layouts hide empty columns)."""
        return any(html for _, _, html in self.parts.get(name, ()))

    @property
    def scheme(self) -> str:
        """http or https, from the proxies' header only when the config trusts proxies."""
        return proxies.scheme(self.request, self.app.config.behind_proxy)

    @property
    def client_address(self) -> str:
        """The client's address, through the proxies the config trusts (jetpy.kernel.proxies)."""
        return proxies.client_address(self.request, self.app.config.behind_proxy)


def _part_order(part: tuple[int, int, str]) -> tuple[int, int]:
    return part[0], part[1]
