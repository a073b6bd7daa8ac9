"""Jinja2 environments: one per base, holding its layouts, views and every module's views."""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PrefixLoader,
    Template,
    TemplateNotFound,
)
from markupsafe import Markup

from jetpy.kernel import csrf, flash
from jetpy.kernel.head import PLACEHOLDER
from jetpy.modules import i18n

if TYPE_CHECKING:
    from jetpy.kernel.bases import Base
    from jetpy.kernel.context import RequestContext
    from jetpy.modules.discovery import Module

PUBLIC_URL = "/public/"
# jetpy's own assets (the admin design system's admin.css and admin.js), served as
# /public/jetpy/<name> unless the project's public/jetpy/ has a file of that name
JETPY_STATIC = Path(__file__).parents[1] / "web" / "static"
JETPY_PREFIX = "jetpy/"


def static_file(public_dir: Path, name: str) -> Path:
    """Where public file `name` is: the project's public/, or jetpy's own for `jetpy/…`."""
    own = public_dir / name
    if name.startswith(JETPY_PREFIX) and not own.is_file():
        return JETPY_STATIC / name[len(JETPY_PREFIX) :]
    return own


JETPY_VIEWS = Path(__file__).parents[1] / "web" / "views"  # default views shipped with jetpy
# `layout: none` (a JSON API base): no HTML; each page answers with a module's response
NO_LAYOUT = "none"


def layout_name(name: str) -> str:
    """The template name of layout `name` (layouts/<name>.html)."""
    return f"layouts/{name}.html"


class Templates:
    """Compiled templates per base; a module's view is `<module.name>/<file>`."""

    def __init__(
        self, bases: list[Base], modules: dict[str, Module], debug: bool, public_dir: Path
    ) -> None:
        self.public_dir = public_dir
        self.debug = debug
        self._static_urls: dict[str, str] = {}
        self._views: dict[tuple[str, str, str], Template] = {}
        self._layouts: dict[tuple[str, str], Template] = {}
        # (base id, locale) → (the environment's globals as they were, the shared names
        # that do not change between requests); see shared_vars()
        self._shared: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
        self.environments = {base.id: self._environment(base, modules, debug) for base in bases}

    def _environment(self, base: Base, modules: dict[str, Module], debug: bool) -> Environment:
        prefixed: dict[str, Any] = {
            name: FileSystemLoader(module.views_dir) for name, module in modules.items()
        }
        prefixed["layouts"] = FileSystemLoader(base.layouts_dir)
        prefixed["pages"] = FileSystemLoader(base.dir / "pages")
        prefixed["jetpy"] = FileSystemLoader(JETPY_VIEWS)  # "jetpy/forms.html": never overridden
        # jetpy's own views (grid.html, forms.html …) come last: a base overrides one by
        # putting a file of the same name in its views/
        loader = ChoiceLoader(
            [
                PrefixLoader(prefixed),
                FileSystemLoader(base.views_dir),
                FileSystemLoader(JETPY_VIEWS),
            ]
        )
        environment = Environment(
            loader=loader,
            autoescape=True,
            auto_reload=debug,
            cache_size=-1,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.globals["static"] = self.static_url
        i18n.install(environment)  # format_number, format_date, format_money …
        return environment

    def static_url(self, path: str) -> str:
        """The URL of a file in public/, versioned by its modification time."""
        url = self._static_urls.get(path)
        if url is None or self.debug:
            name = path.lstrip("/")
            url = PUBLIC_URL + name
            # a missing file keeps its plain URL (and answers 404 when asked for)
            with contextlib.suppress(OSError):
                url += f"?v={static_file(self.public_dir, name).stat().st_mtime_ns // 1_000_000:x}"
            self._static_urls[path] = url
        return url

    def environment(self, base: Base) -> Environment:
        return self.environments[base.id]

    def module_view(self, base: Base, module: str, view: str) -> Template:
        key = (base.id, module, view)
        template = self._views.get(key)
        if template is None or self.debug:
            template = self.environments[base.id].get_template(f"{module}/{view}")
            self._views[key] = template
        return template

    @staticmethod
    def render(
        template: Template, shared: dict[str, Any], values: dict[str, Any] | None = None
    ) -> str:
        """Render with the request's `shared` names (globals included) and its own `values`.

        Template.render() would merge the environment's globals, the shared names and the
        values into a new dict on every call; on a page with five renders that is a fifth of
        the time. Here `shared` is the parent scope as it is (Jinja only reads it) and the
        values are the template's own variables, which Jinja looks up first.
        """
        environment = template.environment
        try:
            context = environment.context_class(environment, shared, template.name, template.blocks)
            if values:
                context.vars.update(values)
            return "".join(template.root_render_func(context))
        except Exception:
            return environment.handle_exception()

    def layout(self, base: Base, name: str) -> Template:
        key = (base.id, name)
        template = self._layouts.get(key)
        if template is None or self.debug:  # in debug, Jinja reloads a changed file
            template = self.environments[base.id].get_template(layout_name(name))
            self._layouts[key] = template
        return template

    def error_page(self, base: Base, locale: str, code: int) -> Template | None:
        try:
            return self.environments[base.id].get_template(f"pages/{locale}/{code}.html")
        except TemplateNotFound:
            return None

    def shared_vars(self, ctx: RequestContext) -> dict[str, Any]:
        """The names every view and layout of this request sees, made once; never change it."""
        shared = ctx.template_vars
        if shared is None:
            from jetpy.kernel.stages import embed

            app = ctx.app
            # a copy of the base and locale's names with a slot for each of the request's
            # own: a copy of the table as it is, whose slots are then filled in, instead of
            # a table grown name by name on every request
            shared = self._fixed_names(ctx).copy()
            shared["request"] = ctx.request
            shared["page"] = ctx.page
            shared["breadcrumb"] = ctx.breadcrumb
            shared["position"] = ctx.position
            shared["has_position"] = ctx.has_position
            shared["module"] = functools.partial(embed, ctx)  # module(name, action=…, …)
            shared["page_url"] = lambda page_id, *fragments, **query: app.page(
                page_id, base=ctx.base.id, locale=ctx.locale.name
            ).url(*fragments, **query)
            shared["get_page"] = lambda page_id: app.page(
                page_id, base=ctx.base.id, locale=ctx.locale.name
            )
            shared["csrf_token"] = lambda: csrf.token(ctx)  # for the hidden field of POST forms
            shared["flashes"] = lambda: flash.pop_all(ctx)  # the messages waiting, now shown
            # menu(set_name, menu_id=None): a root menu of a set, or all of them
            shared["menu"] = functools.partial(app.menus.resolve, ctx)
            if ctx.vars:
                shared.update(ctx.vars)
            ctx.template_vars = shared
        return shared

    def _fixed_names(self, ctx: RequestContext) -> dict[str, Any]:
        """The shared names of the request's base and locale that no request changes: the
        environment's globals (render() shares the dict with Jinja, so it carries them),
        `app`, `base`, `locale`, `head` and the common dictionary `_` (a module's views get
        their module's, see Controller.render_view), with a None for each name shared_vars()
        sets per request. Made again when the globals changed."""
        key = (ctx.base.id, ctx.locale.name)
        globals_ = self.environments[ctx.base.id].globals
        made = self._shared.get(key)
        if made is not None and made[0] == globals_:
            return made[1]
        fixed = {
            **globals_,
            "app": ctx.app,
            "base": ctx.base,
            "locale": ctx.locale,
            "head": _head_placeholder,
            "_": ctx.app.translations.translator(ctx.locale.name),
        }
        fixed.update(dict.fromkeys(_REQUEST_NAMES))
        self._shared[key] = (dict(globals_), fixed)
        return fixed


# the shared names shared_vars() sets for each request
_REQUEST_NAMES = (
    "request",
    "page",
    "breadcrumb",
    "position",
    "has_position",
    "module",
    "page_url",
    "get_page",
    "csrf_token",
    "flashes",
    "menu",
)


def _head_placeholder() -> Markup:
    """Where the head goes; filled in after the whole page rendered (see Head)."""
    return Markup(PLACEHOLDER)
