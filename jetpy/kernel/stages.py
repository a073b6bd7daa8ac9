"""The stages of a request, each a plain function with one job (README: request flow)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import quote

from markupsafe import Markup
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    InternalServerError,
    MethodNotAllowed,
    NotFound,
    RequestURITooLarge,
    ServiceUnavailable,
)
from werkzeug.security import safe_join
from werkzeug.utils import send_file
from werkzeug.wrappers import Response

from jetpy.kernel import alternates, csrf
from jetpy.kernel.context import RequestContext
from jetpy.kernel.errorpages import PageResponse
from jetpy.kernel.head import PLACEHOLDER
from jetpy.kernel.pages import Content
from jetpy.kernel.templates import NO_LAYOUT

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from jetpy.app import Application
    from jetpy.kernel.controller import Controller

log = logging.getLogger("jetpy")

MAX_PATH_LENGTH = 2048
_FORBIDDEN_CHARS = frozenset(chr(code) for code in [*range(32), 127])
FILE_METHODS = ("GET", "HEAD", "OPTIONS")  # what a file (public/, direct files) answers
PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")  # what a page of modules answers
# left to the page's controllers (forms may be sent with PUT, PATCH or DELETE too)
_CONTROLLER_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


def finish(response: Response) -> NoReturn:
    """End the request early with `response` (a redirect, a file)."""
    raise HTTPException(response=response)


def redirect(location: str, code: int = 301) -> NoReturn:
    response = Response(
        f"Moved to {location}",
        code,
        {"Location": location},
        content_type="text/plain; charset=utf-8",
    )
    finish(response)


def decode_path(request: Request) -> str:
    """The request path as text; hostile paths are refused with a clear 4xx."""
    raw = request.environ.get("PATH_INFO", "") or "/"
    if len(raw) > MAX_PATH_LENGTH:
        raise RequestURITooLarge(
            f"The URL path is {len(raw)} characters long; at most {MAX_PATH_LENGTH} are accepted."
        )
    try:
        path = raw.encode("latin-1").decode("utf-8")
    except UnicodeError:
        raise BadRequest("The URL path is not valid UTF-8; percent-encode UTF-8 bytes.") from None
    if not _FORBIDDEN_CHARS.isdisjoint(path):
        raise BadRequest("The URL path contains a control character (such as %00).")
    if "/." in path:
        for segment in path.split("/"):
            if segment in (".", ".."):
                raise BadRequest(
                    "The URL path contains a `.` or `..` segment; write the path without it."
                )
    return path if path.startswith("/") else "/" + path


def check_method(request: Request, allowed: tuple[str, ...]) -> None:
    """OPTIONS → 204 with `Allow`; a method not `allowed` (TRACE …) → 405 with `Allow`."""
    method = request.method
    if method == "OPTIONS":
        finish(Response(status=204, headers={"Allow": ", ".join(allowed)}))
    if method not in allowed:
        raise MethodNotAllowed(
            list(allowed), f"{method} is not answered here; use {', '.join(allowed)}."
        )


def file_in(folder: Path, name: str) -> Path | None:
    """The file `name` below `folder`, None when there is none (or the name cannot be one)."""
    path = safe_join(str(folder), name)
    if path is None:
        return None
    try:
        return Path(path) if Path(path).is_file() else None
    except OSError:  # e.g. a name longer than the file system allows: no such file
        return None


def query_suffix(request: Request) -> str:
    query = request.environ.get("QUERY_STRING", "")
    return "?" + query if query else ""


# 1. base and locale ------------------------------------------------------------
# the environ key of the base the request was found to be in (Application.secure() reads it)
BASE_KEY = "jetpy.base"


def match_locale(app: Application, request: Request) -> RequestContext:
    """Find the base and locale by host and path; redirect aliases to the canonical URL."""
    path = decode_path(request)
    ctx = RequestContext(app, request, path)
    found = app.url_map.match(lambda: request.host, path)
    if found is None:
        locale = app.url_map.default
        if locale is None:
            raise NotFound()
        ctx.base, ctx.locale = locale.base, locale
        request.environ[BASE_KEY] = locale.base
        ctx.rest = path.strip("/")
        return ctx
    locale, canonical, rest = found
    ctx.base, ctx.locale = locale.base, locale
    request.environ[BASE_KEY] = locale.base
    # without empty segments; the common case, no `//`, has them only at the ends
    ctx.rest = rest.strip("/") if "//" not in rest else "/".join(filter(None, rest.split("/")))
    if not canonical:
        target = locale.canonical
        location = quote(target.path + rest, safe="/%")
        if target.host:
            location = f"{ctx.scheme}://{target.host}{location}"
        redirect(location + query_suffix(request))
    return ctx


# 2. base initializer -------------------------------------------------------------
def initialize(ctx: RequestContext) -> None:
    """Run the base's initializer, which may set auth, template globals and more."""
    ctx.auth = ctx.base.auth
    if ctx.base.setup is not None:
        ctx.base.setup(ctx)


# 3. page -----------------------------------------------------------------------------
def match_page(ctx: RequestContext) -> None:
    """Serve an allow-listed direct file, or find the page and the leftover path."""
    base, locale, rest = ctx.base, ctx.locale, ctx.rest
    if not base.active:
        raise ServiceUnavailable()
    if rest in base.direct_files:
        file = file_in(base.pages_dir(locale.name), rest)
        if file is not None:
            check_method(ctx.request, FILE_METHODS)
            finish(send_file(file, ctx.request.environ, max_age=3600))
    tree = ctx.app.trees[(base.id, locale.name)]
    ctx.page, ctx.url_path = tree.match(rest)


# 4. checks ------------------------------------------------------------------------
def check_page_method(ctx: RequestContext) -> None:
    """OPTIONS, TRACE … on a page are answered here, never with the page, unless one of its
    controllers answers every method itself (`Controller.own_methods`: a RestController)."""
    if ctx.request.method in _CONTROLLER_METHODS:
        return
    modules = ctx.app.modules
    for content in ctx.page.contents:
        module = modules.get(content.module or "")
        if module is not None and module.active:
            controller = module.controllers.get(content.controller)
            if getattr(controller, "own_methods", False):
                return
    check_method(ctx.request, PAGE_METHODS)


def check_access(ctx: RequestContext) -> None:
    """Inactive locale or page → 404; SSL → https; secret → the auth provider."""
    page = ctx.page
    if not ctx.locale.active or not page.is_active:
        raise NotFound()
    if page.ssl_required and ctx.scheme != "https":
        request = ctx.request
        location = f"https://{request.host}{quote(ctx.path, safe='/%')}{query_suffix(request)}"
        redirect(location)
    if not ctx.url_path and not ctx.path.endswith("/"):
        redirect(page.url() + query_suffix(ctx.request))
    if page.is_secret:
        if ctx.auth is None:
            raise Forbidden()
        verdict = ctx.auth.page_access(ctx, page)
        if isinstance(verdict, Response):
            finish(verdict)
        if not verdict:
            raise Forbidden()


# 5. resolve --------------------------------------------------------------------------
Resolved = list[tuple[Content, "Controller | None", str]]


def resolve(ctx: RequestContext) -> Resolved:
    """Build each content's controller and ask it which action runs."""
    resolved: Resolved = []
    modules = ctx.app.modules
    for content in ctx.page.contents:
        if content.module is None:
            resolved.append((content, None, ""))
            continue
        module = modules[content.module]
        if not module.active:
            continue  # an inactive module's content renders nothing (jetpy check warns)
        controller = module.controllers[content.controller](ctx, module, content)
        seen, ctx.visitor_seen = ctx.visitor_seen, False
        try:  # module code: an error is logged with module, controller and action
            outcome = controller.resolve()
        except HTTPException:
            raise
        except Exception:
            _failed(controller, "resolve")
        if ctx.visitor_seen:  # what it found there (a name, a role) may show in its output
            controller.visitor_in_resolve = True
        ctx.visitor_seen = ctx.visitor_seen or seen
        if outcome is False:
            continue
        action = content.action if outcome is True else str(outcome)
        resolved.append((content, controller, action))
    return resolved


# 6. leftover path -------------------------------------------------------------------
def check_leftover(ctx: RequestContext) -> None:
    """Unclaimed leftover path → 404, or 301 to what was used when the base says so."""
    if not ctx.unused_path:
        return
    if ctx.base.unused_path == "redirect":
        used = [part for part in ctx.used_path.split("/") if part]
        redirect(ctx.page.url(*used) + query_suffix(ctx.request))
    raise NotFound()


def check_csrf(ctx: RequestContext, resolved: Resolved) -> None:
    """An unsafe request without its session's CSRF token → 400 before any action runs."""
    if ctx.request.method not in csrf.SAFE_METHODS:
        csrf.protect(ctx, [controller for _, controller, _ in resolved if controller is not None])


def begin_caching(ctx: RequestContext) -> None:
    """With an output cache, take its mark before the contents resolve (jetpy.cache).

    A controller reads what it shows in resolve() (an article by its slug), before its
    content's lookup: a change committed and purged in between must leave the output stale,
    so its entry is kept with the mark of this moment, not the lookup's later one.
    """
    cache = ctx.app.output_cache
    if cache.backend is not None and ctx.request.method in ("GET", "HEAD"):
        cache.begin()


# 7. dispatch ----------------------------------------------------------------------------
def dispatch(ctx: RequestContext, resolved: Resolved) -> Response | None:
    """Run each action; its output goes to its position. A returned response ends it.

    A cacheable content's output comes from the output cache when it is there (jetpy.cache).
    """
    cache = ctx.app.output_cache
    use_cache = cache.backend is not None and ctx.request.method in ("GET", "HEAD")
    if not use_cache:
        ctx.cached_page = False
    for content, controller, action in resolved:
        if controller is None:
            ctx.add_part(content, content.output or "")
            continue
        if use_cache and not controller.visitor_in_resolve:
            wanted = controller.cacheable
            if wanted or (wanted is None and content.cacheable):
                result = cached_action(ctx, content, controller, action)
                if result is not None:
                    return result
                continue
        ctx.cached_page = False
        result = run_action(controller, action)
        if result is not None:
            return result
        ctx.add_part(content, "".join(controller.output))
    return None


def cached_action(
    ctx: RequestContext, content: Content, controller: Controller, action: str
) -> Response | None:
    """Answer a cacheable content from the cache, or run it and keep its output.

    The key: scheme and host, base, locale, page, content, action, parameters, the used
    leftover path, the query string and the controller's cache context. Output that used the
    visitor's session (a signed-in user, a CSRF token, flash messages) is never kept. The
    host, because a base whose URLs name none answers whatever Host a visitor sends: output
    with an absolute URL made from it must not reach the visitors of another.
    """
    cache = ctx.app.output_cache
    scheme, host, _, query = _page_address(ctx)
    key = cache.key(
        (
            scheme,
            host,
            ctx.base.id,
            ctx.locale.name,
            ctx.page.id,
            content.module,
            content.controller,
            action,
            content.position,
            content.order,
            content.index,
            dict(content.parameters),
            ctx.used_path,
            query,
            controller.cache_context,
        )
    )
    entry = cache.lookup(key)
    if entry is not None:
        _page_keeps(ctx, entry["tags"], entry["until"])
        _replay(ctx, entry)
        ctx.add_part(content, entry["html"])
        return None
    before = _page_state(ctx)
    seen, ctx.visitor_seen = ctx.visitor_seen, False
    result = run_action(controller, action)
    if result is not None:
        return result
    html = "".join(controller.output)
    ctx.add_part(content, html)
    if ctx.visitor_seen:
        ctx.cached_page = False
    else:
        entry = {"html": html, **_effects(ctx, before)}
        tags = ("definitions", f"module:{content.module}", *controller.cache_tags)
        ttl = content.cache_ttl or None
        cache.store(key, entry, tags, ttl, controller.cache_until)
        _page_keeps(ctx, tags, controller.cache_until)
    ctx.visitor_seen = ctx.visitor_seen or seen
    return None


def _page_keeps(ctx: RequestContext, tags: Iterable[str], until: float | None) -> None:
    ctx.page_tags.update(tags)
    if until is not None and (ctx.page_until is None or until < ctx.page_until):
        ctx.page_until = until


def _page_address(ctx: RequestContext) -> tuple[str, str, str, str]:
    """Scheme, host, path and query string: what a page cache entry is kept under.

    The scheme too: a page kept for https must not answer plain http (which `ssl_required`
    redirects), and a page holds absolute links (canonical, alternates) in its scheme.
    """
    environ = ctx.request.environ
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return ctx.scheme, host, ctx.path, environ.get("QUERY_STRING", "")


def page_key(ctx: RequestContext) -> str:
    return ctx.app.output_cache.key(("page", *_page_address(ctx)))


# Pages this process rendered for a visitor without cookies and did not keep (a content that
# is not cacheable, the session read, a Cache-Control of page.yaml): their next request skips
# the page cache lookup (a key and a round trip to the backend) and renders. Never stale: a
# render that finds the page cacheable takes it off the list (nothing is kept without a lookup's
# mark), so its next request looks it up and keeps it. Bounded.
_UNKEPT_LIMIT = 10_000


def _not_kept(ctx: RequestContext) -> None:
    if "HTTP_COOKIE" not in ctx.request.environ and ctx.app.output_cache.backend is not None:
        unkept = ctx.app.unkept_pages
        if len(unkept) >= _UNKEPT_LIMIT:
            unkept.clear()
        unkept.add(_page_address(ctx))


def cached_page(ctx: RequestContext) -> Response | None:
    """The whole page from the page cache, for a request without cookies (see http_caching)."""
    request = ctx.request
    environ = request.environ
    cache = ctx.app.output_cache
    # the environ, not request.cookies: parsing the header costs more than the answer here
    if cache.backend is None or request.method not in ("GET", "HEAD") or "HTTP_COOKIE" in environ:
        return None
    if _page_address(ctx) in ctx.app.unkept_pages:
        return None
    entry = cache.lookup(page_key(ctx))
    if entry is None:
        return None
    headers = [(name, value) for name, value in entry["headers"]]
    if "HTTP_IF_NONE_MATCH" in environ and request.if_none_match.contains(entry["etag"]):
        kept = [(name, value) for name, value in headers if name in _NOT_MODIFIED_HEADERS]
        return Response(status=304, headers=kept)
    response = PageResponse(entry["body"], 200, {})
    response._wsgi_headers = headers
    return response


_NOT_MODIFIED_HEADERS = frozenset({"ETag", "Cache-Control", "Vary"})


_PageState = tuple[
    "tuple[str, dict[tuple[str, str], str], list[str], list[str]] | None",
    "int | None",
    "dict[str, str | None] | None",
]


def _page_state(ctx: RequestContext) -> _PageState:
    head = ctx._head
    crumbs = ctx._breadcrumb
    alternates = ctx._alternates
    return (
        None if head is None else (head.title, dict(head.meta_tags), list(head.css), head.js[:]),
        None if crumbs is None else len(crumbs.items),
        None if alternates is None else dict(alternates),
    )


def _effects(ctx: RequestContext, before: _PageState) -> dict[str, Any]:
    """What an action did to the page around its output, to do again on a cache hit."""
    effects: dict[str, Any] = {}
    head, crumbs, alternates = ctx._head, ctx._breadcrumb, ctx._alternates
    if head is not None:
        title, meta, css, js = before[0] or (None, {}, [], [])
        if head.title != title:
            effects["title"] = head.title
        changed = [[*name, text] for name, text in head.meta_tags.items() if meta.get(name) != text]
        if changed:
            effects["meta"] = changed
        if head.css != css:
            effects["css"] = [url for url in head.css if url not in css]
        if head.js != js:
            effects["js"] = [url for url in head.js if url not in js]
    if crumbs is not None:
        start = before[1] if before[1] is not None else len(ctx.page.crumbs)
        added = [[crumb.title, crumb.url] for crumb in crumbs.items[start:]]
        if added:
            effects["crumbs"] = added
    if alternates is not None and alternates != before[2]:
        effects["alternates"] = alternates
    return effects


def _replay(ctx: RequestContext, entry: dict[str, Any]) -> None:
    if "title" in entry:
        ctx.head.title = entry["title"]
    for attribute, value, text in entry.get("meta", ()):
        ctx.head.set_meta(value, text, attribute)
    for url in entry.get("css", ()):
        ctx.head.add_css(url)
    for url in entry.get("js", ()):
        ctx.head.add_js(url)
    for title, url in entry.get("crumbs", ()):
        ctx.breadcrumb.add(title, url)
    if "alternates" in entry:
        ctx._alternates = dict(entry["alternates"])


def run_action(controller: Controller, action: str) -> Response | None:
    method = getattr(controller, action + "_action", None)
    if method is None:
        content = controller.content
        raise LookupError(
            f"{type(controller).__name__} of module {controller.module.name} "
            f"has no method `{action}_action` (asked for by page "
            f"{controller.page.id}, content {content.index})"
        )
    try:  # as for resolve(): an error is logged with module, controller and action
        result: Any = method()
    except HTTPException:
        raise
    except Exception:
        _failed(controller, action)
    if result is not None and not isinstance(result, Response):
        raise TypeError(
            f"{controller.module.name}:{type(controller).__name__}.{action}_action "
            f"returned {type(result).__name__}; return None or a Response"
        )
    return result


def _failed(controller: Controller, action: str) -> NoReturn:
    """Log the error being handled with module, controller and action; answer 500."""
    log.exception(
        "module %s, controller %s, action %s failed on %s",
        controller.module.name,
        type(controller).__name__,
        action,
        controller.request.path,
    )
    if controller.ctx.app.config.debug:
        raise  # the error being handled: called from an except block
    raise InternalServerError() from None


def embed(
    ctx: RequestContext,
    name: str,
    /,
    action: str = "default",
    controller: str = "Main",
    **parameters: Any,
) -> Markup:
    """Run a module action for a layout or another module and return its output.

    Templates call it as `module(name, action=…, controller=…, **parameters)`: the request's
    `module` name is this function with the context bound (functools.partial, no frame of
    its own); `ctx` and `name` are positional-only, so a parameter may be called `name`.
    """
    module = ctx.app.modules[name]
    if not module.active:
        return Markup("")
    if parameters:
        content = Content(name, controller, action, "", parameters=parameters)
    else:  # layouts embed the same parameterless actions on every request
        key = (name, controller, action)
        shared = ctx.app.embedded_contents
        content = shared.get(key) or shared.setdefault(key, Content(*key, ""))
    controller_class = module.controllers[controller]
    made = controller_class(ctx, module, content)
    if made.cacheable is not True:  # says it shows only definitions and the page
        ctx.cached_page = False
    if run_action(made, action) is not None:
        raise TypeError(
            f"embedded action {name}:{controller}.{action} returned a "
            "response; embedded actions can only render"
        )
    return Markup("".join(made.output))


# 8 + 9. layout and response -------------------------------------------------------------
def render_page(ctx: RequestContext) -> Response:
    """Render the layout with its positions, fill in the head, answer with the headers."""
    page = ctx.page
    if page.layout == NO_LAYOUT:
        # a JSON base: its modules answer with responses; none did (inactive, not resolved)
        raise NotFound()
    templates = ctx.app.templates
    html = templates.render(templates.layout(ctx.base, page.layout), templates.shared_vars(ctx))
    head = ctx.head
    head.alternates = alternates.hreflang_links(ctx)
    head.canonical = alternates.canonical_link(ctx)
    html = html.replace(PLACEHOLDER, head.render(), 1)
    response = PageResponse(html, 200, page.http_headers, content_type="text/html; charset=utf-8")
    return http_caching(ctx, response)


def http_caching(ctx: RequestContext, response: PageResponse) -> Response:
    """ETag, 304 and Cache-Control of a rendered page (a Cache-Control in page.yaml wins).

    A page made only of cacheable contents, none of which (nor the layout) asked for the
    session, is the same for every visitor: public for `cache.http_max_age` seconds, with an
    ETag. A page that read the session is `private, no-store`. Both vary with the Cookie
    header (a signed-in visitor's session cookie changes what a layout shows).
    """
    if response.has_header("Cache-Control"):
        _not_kept(ctx)
        return response
    if ctx.loaded_session is not None:
        response.add_header("Cache-Control", "private, no-store")
        response.add_header("Vary", "Cookie")
        _not_kept(ctx)
        return response
    if not ctx.cached_page:
        _not_kept(ctx)
        return response
    body: bytes = response.response[0]  # type: ignore[index]
    tag = hashlib.blake2b(body, digest_size=16).hexdigest()
    etag = f'"{tag}"'
    headers = [
        ("ETag", etag),
        ("Cache-Control", f"public, max-age={ctx.app.config.cache_http_max_age}"),
        ("Vary", "Cookie"),
    ]
    if ctx.request.if_none_match.contains(tag):  # or `*`
        return Response(status=304, headers=headers)
    for name, value in headers:
        response.add_header(name, value)
    cache = ctx.app.output_cache
    if "HTTP_COOKIE" not in ctx.request.environ and not ctx.page.is_secret:  # cached_page()
        entry = {"body": body.decode(), "headers": response.wsgi_headers(), "etag": tag}
        tags = {"definitions", *ctx.page_tags}
        cache.store(page_key(ctx), entry, tags, until=ctx.page_until)
        ctx.app.unkept_pages.discard(_page_address(ctx))
    return response


def static_output(ctx: RequestContext) -> Response | None:
    """A page with `output` or `output_file` answers with it, without layout or modules."""
    definition = ctx.page.definition
    if definition.output is not None:
        body: str | bytes = definition.output
    elif definition.output_file is not None:
        body = (ctx.page.file.parent / definition.output_file).read_bytes()
    else:
        return None
    if ctx.url_path:
        raise NotFound()
    headers = ctx.page.http_headers
    # a Content-Type among the page's headers wins (e.g. static JSON in an API base)
    given = any(name.lower() == "content-type" for name in headers)
    content_type = None if given else "text/html; charset=utf-8"
    return Response(body, 200, headers, content_type=content_type)
