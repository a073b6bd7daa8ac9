"""Module controllers and their micro-routers."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from werkzeug.exceptions import Forbidden

from jetpy.errors import JetpyError
from jetpy.kernel import csrf, flash
from jetpy.kernel.alternates import refine as refine_alternates
from jetpy.modules.i18n import Formats, Translator, formats_for

if TYPE_CHECKING:
    from sqlalchemy.orm import Session as DbSession
    from werkzeug.wrappers import Request

    from jetpy.app import Application
    from jetpy.kernel.bases import Base, Locale
    from jetpy.kernel.context import RequestContext
    from jetpy.kernel.head import Head
    from jetpy.kernel.navigation import Breadcrumb
    from jetpy.kernel.pages import Content, Page
    from jetpy.kernel.sessions import Session
    from jetpy.modules.discovery import Module


class Controller:
    """Base class of module controllers; actions are methods named `<action>_action`."""

    # True: unsafe requests to it need no CSRF token (e.g. an API with its own credentials)
    csrf_exempt: bool = False
    # True: it answers OPTIONS, TRACE … itself; else its page does (jetpy.kernel.stages)
    own_methods: bool = False
    # output cache (jetpy.cache): True/False decides for the content; None: page.yaml's
    # `cacheable` does. Set it, and `cache_context`, in resolve() or get_router().
    cacheable: bool | None = None
    cache_context: str = ""  # what else the output depends on (part of the cache key)
    cache_tags: tuple[str, ...] = ()  # what the output shows: `article:8`, see tag()
    cache_until: float | None = None  # when the output changes by itself (a timestamp)
    # set by the request flow when resolve() asked for the session: what it chose may be the
    # visitor's, so the output is neither looked up nor kept (jetpy.kernel.stages.resolve)
    visitor_in_resolve: bool = False

    def __init__(self, ctx: RequestContext, module: Module, content: Content) -> None:
        self.ctx = ctx
        self.module = module
        self.content = content
        # what the controller sees; final once the page is matched (plain attributes,
        # since actions and views read them many times per request)
        self.app: Application = ctx.app
        self.request: Request = ctx.request
        self.base: Base = ctx.base
        self.locale: Locale = ctx.locale
        self.page: Page = ctx.page
        self.url_path: str = ctx.url_path  # the leftover path: decoded segments joined by /
        self.output: list[str] = []
        self._router: ControllerRouter | bool | None = False

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The content's parameters from page.yaml (or from `module()` when embedded)."""
        return self.content.parameters

    @property
    def head(self) -> Head:
        return self.ctx.head

    @property
    def breadcrumb(self) -> Breadcrumb:
        return self.ctx.breadcrumb

    @property
    def alternates(self) -> dict[str, str | None]:
        """Locale name → URL of what this page shows there (jetpy.kernel.alternates)."""
        return self.ctx.alternates

    def set_alternates(self, url_for: Callable[[Page], str | None]) -> None:
        """Say where the claimed item is in the other locales: `url_for(page)` gets the page
        with this page's id in each of them and returns the item's URL, or None where the
        item is missing (the locale switch then goes to that page, hreflang leaves it out).
        """
        refine_alternates(self.ctx, url_for)

    @property
    def db(self) -> DbSession:
        """The request's database session: committed unless the response is an error."""
        return self.app.db.request_session

    @property
    def session(self) -> Session:
        """The visitor's session in this base (jetpy.kernel.sessions); saved when changed."""
        return self.ctx.session

    # translations and formats ------------------------------------------------------
    @property
    def translator(self) -> Translator:
        """Translates with this module's dictionary for the locale, then the common one."""
        return self.app.translations.translator(self.locale.name, self.module.name)

    def _(self, phrase: str, /, **values: Any) -> str:
        """`phrase` translated for the request's locale, placeholders filled with `values`."""
        return self.translator(phrase, **values)

    @property
    def formats(self) -> Formats:
        """Numbers, dates and money in the request's locale: `self.formats.money(p, "CZK")`."""
        return formats_for(self.locale.name)

    # resolving -----------------------------------------------------------------
    def get_router(self) -> ControllerRouter | None:
        """Override to give the controller a micro-router."""
        return None

    @property
    def router(self) -> ControllerRouter | None:
        """The router from `get_router()`, built once per controller."""
        if self._router is False:
            self._router = self.get_router()
            if self._router is not None:
                self.ctx.routed.append(self)  # its actions hold our methods: ctx.close()
        return self._router  # type: ignore[return-value]

    def resolve(self) -> bool | str:
        """Which action runs: True for the page's action, False for none, or a name."""
        router = self.router
        if router is None:
            return True
        return router.resolve()

    def set_used_path(self, path: str) -> None:
        """Claim the start of the leftover path (or all of it) as handled by this controller."""
        self.ctx.claim(path)

    def check_csrf(self) -> None:
        """Refuse (400) a POST whose CSRF token is missing or wrong (see jetpy.kernel.csrf)."""
        csrf.check(self.ctx)

    def tag(self, *tags: str) -> None:
        """Say what the output shows (`article:8`, `category:3`): a change to it purges it."""
        self.cache_tags = (*self.cache_tags, *tags)

    def expires_at(self, when: dt.datetime | float | None) -> None:
        """The output changes by itself at `when` (a publication time): not cached past it.

        The earliest of several calls wins; None is ignored. Naive datetimes are UTC.
        """
        if when is None:
            return
        if isinstance(when, dt.datetime):
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            when = when.timestamp()
        if self.cache_until is None or when < self.cache_until:
            self.cache_until = when

    def flash(self, message: str, category: str = "success") -> None:
        """Show `message` on the next page rendered for this visitor (after a redirect)."""
        flash.add(self.ctx, message, category)

    # output ----------------------------------------------------------------------
    def render(self, view: str, **context: Any) -> None:
        """Render `views/<view>` of this module into the content's position."""
        self.output.append(self._view_html(view, context))

    def render_view(self, view: str, **context: Any) -> str:
        """Render `views/<view>` of this module and return the HTML."""
        return self._view_html(view, context)

    def _view_html(self, view: str, context: dict[str, Any]) -> str:
        # the keyword arguments as they came (a dict of their own): not unpacked again
        ctx = self.ctx
        app = ctx.app
        templates = app.templates
        module = self.module.name
        template = templates.module_view(ctx.base, module, view)
        # `controller` and `_` (self.translator, without the property's frame), unless the
        # action passed its own
        if "_" not in context:
            context["_"] = app.translations.translator(ctx.locale.name, module)
        context.setdefault("controller", self)
        shared = ctx.template_vars or templates.shared_vars(ctx)
        return templates.render(template, shared, context)

    def embed(
        self, module: str, action: str = "default", controller: str = "Main", **parameters: Any
    ) -> Markup:
        """Run another module's action and return its output, e.g. a widget in a view."""
        from jetpy.kernel.stages import embed

        return embed(self.ctx, module, action, controller, **parameters)


class RouterAction:
    """One action of a micro-router: when it runs, who may run it, how its URL is built."""

    def __init__(
        self,
        router: ControllerRouter,
        name: str,
        resolver: Callable[[], Any] | None = None,
        url_creator: Callable[..., str] | None = None,
        authorizer: Callable[[], bool] | None = None,
        acl_action: str | None = None,
    ) -> None:
        # the controller, not the router: the router holds its actions (no reference cycle)
        self.controller = router.controller
        self.name = name
        self.resolver = resolver
        self.url_creator = url_creator
        self.authorizer = authorizer
        self.acl_action = acl_action

    def authorized(self) -> bool:
        """Custom authorizer, else the module's ACL action through the base's auth provider."""
        if self.authorizer is not None:
            return bool(self.authorizer())
        if self.acl_action is None:
            return True
        controller = self.controller
        auth = controller.ctx.auth
        if auth is None:
            return False
        return auth.module_action_allowed(controller.ctx, controller.module.name, self.acl_action)

    def url(self, *args: Any, **kwargs: Any) -> str | None:
        """The URL of this action, or None when the current user may not run it."""
        if self.url_creator is None:
            raise JetpyError(
                f"action `{self.name}` of {type(self.controller).__name__} "
                "has no url_creator; pass url_creator= to add_action()"
            )
        if not self.authorized():
            return None
        return self.url_creator(*args, **kwargs)


class ControllerRouter:
    """Chooses a controller's action: the first action whose resolver is truthy wins."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self.actions: dict[str, RouterAction] = {}
        self.default_action: str | None = None

    def add_action(
        self,
        name: str,
        resolver: Callable[[], Any] | None = None,
        url_creator: Callable[..., str] | None = None,
        authorizer: Callable[[], bool] | None = None,
        acl_action: str | None = None,
    ) -> RouterAction:
        """Add an action; actions are tried in the order they were added."""
        if not callable(getattr(self.controller, f"{name}_action", None)):
            raise JetpyError(
                f"{type(self.controller).__name__} has no method `{name}_action` "
                f"for router action `{name}`; define it or correct the name"
            )
        action = RouterAction(self, name, resolver, url_creator, authorizer, acl_action)
        self.actions[name] = action
        return action

    def set_default_action(self, name: str) -> None:
        """The action that runs when no resolver matches."""
        self.action(name)
        self.default_action = name

    def action(self, name: str) -> RouterAction:
        """The action called `name`."""
        try:
            return self.actions[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self.actions), n=1)
            hint = f" Did you mean `{close[0]}`?" if close else ""
            raise JetpyError(
                f"{type(self.controller).__name__}'s router has no action `{name}`.{hint}"
            ) from None

    def resolve(self) -> bool | str:
        """The name of the action to run, or False when none matches.

        A matched action the current user may not run raises werkzeug's Forbidden.
        """
        for action in self.actions.values():
            if action.resolver is not None and action.resolver():
                if not action.authorized():
                    raise Forbidden()
                return action.name
        if self.default_action is not None:
            if not self.actions[self.default_action].authorized():
                raise Forbidden()
            return self.default_action
        return False
