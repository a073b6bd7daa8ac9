"""Error pages: the base's `<code>.html` for the locale, or a plain page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import escape
from werkzeug.datastructures import Headers
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from jetpy.kernel.envelope import error_envelope

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from jetpy.app import Application
    from jetpy.kernel.bases import Base
    from jetpy.kernel.context import RequestContext

log = logging.getLogger("jetpy")


HTML = "text/html; charset=utf-8"
_STATUS_LINES: dict[int, str] = {}  # status code → line, as werkzeug writes it


class PageResponse(Response):
    """A page jetpy rendered itself: its headers are final and its body is in memory.

    werkzeug's Response checks every header and parses the status as it is made, which on a
    page costs as much as rendering a view; here the headers stay a WSGI list, and become
    werkzeug `Headers` only when something asks for `headers` (a cookie to set, a test).
    """

    def __init__(
        self, html: str, status: int, headers: Mapping[str, str], content_type: str = HTML
    ) -> None:
        # what Response.__init__ sets, but `headers` (test_errorpages.py compares them)
        body = html.encode()
        self.response = [body]
        line = _STATUS_LINES.get(status)
        if line is None:
            self.status = status  # werkzeug writes the status line ("404 NOT FOUND")
            _STATUS_LINES[status] = self.status
        else:  # what the `status` setter would set, without parsing it again
            self._status, self._status_code = line, status
        self.direct_passthrough = False
        self._on_close: list[Callable[[], Any]] = []
        listed: list[tuple[str, str]] = []
        if headers:  # from page.yaml: werkzeug refuses a value with a line break
            checked = Headers(headers)
            checked.remove("Content-Type")
            checked.remove("Content-Length")
            listed = checked.to_wsgi_list()
        listed += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        self._wsgi_headers = listed

    def has_header(self, name: str) -> bool:
        """Whether the page already has header `name` (without making `headers`)."""
        if "headers" in self.__dict__:
            return name in self.headers
        lowered = name.lower()
        for key, _ in self._wsgi_headers:  # noqa: SIM110 (any() makes a generator per call)
            if key.lower() == lowered:
                return True
        return False

    def add_header(self, name: str, value: str) -> None:
        """Add a header (to the WSGI list while `headers` has not been made)."""
        if "headers" in self.__dict__:
            self.headers.add(name, value)
        else:
            self._wsgi_headers.append((name, value))

    def __getattr__(self, name: str) -> Any:
        if name == "headers":  # made on first use, an ordinary attribute from then on
            headers = self.headers = Headers(self._wsgi_headers)
            return headers
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def add_headers(
        self, headers: Sequence[tuple[str, str]], forced: Sequence[tuple[str, str]] = ()
    ) -> None:
        """Add those of `headers` the response lacks, and `forced` in place of what it has."""
        made: Headers | None = self.__dict__.get("headers")
        if made is not None:
            for name, value in headers:
                if name not in made:
                    made.add(name, value)
            for name, value in forced:
                made.set(name, value)
            return
        listed = self._wsgi_headers
        if forced:
            dropped = {name.lower() for name, _ in forced}
            listed[:] = [pair for pair in listed if pair[0].lower() not in dropped]
        if len(listed) > 2:  # the page's own headers are there too, before type and length
            present = {name.lower() for name, _ in listed}
            listed.extend(pair for pair in headers if pair[0].lower() not in present)
        else:  # only Content-Type and Content-Length: the common case, nothing to compare
            listed.extend(headers)
        listed.extend(forced)

    def wsgi_headers(self) -> list[tuple[str, str]]:
        """The headers as `start_response()` takes them."""
        headers: Headers | None = self.__dict__.get("headers")
        return self._wsgi_headers if headers is None else headers.to_wsgi_list()


# the default Content-Security-Policy allows this inline style by its hash (kernel/security.py)
PLAIN_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;
padding:0 1rem;color:#222}h1{font-weight:600}p{color:#555}"""
_PLAIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{code} {name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{style}</style></head>
<body><h1>{code} {name}</h1><p>{description}</p></body></html>
"""


def error_response(
    app: Application,
    ctx: RequestContext | None,
    error: HTTPException,
    request: Request | None = None,
) -> Response:
    """Answer `error` with the base's error page for the locale, else a plain one.

    A base with `errors: json` (an API) answers with the JSON error envelope instead, also
    for a path refused before its base was known (`request` tells where it was going).
    """
    code = error.code or 500
    if code == 404 and ctx is not None and ctx.not_found is not None:
        answer = instead_of_404(ctx, ctx.not_found)
        if answer is not None:
            return answer
    name = error.name
    description = error.description or ""
    html = None
    base = getattr(ctx, "base", None) if ctx is not None else None
    locale = getattr(ctx, "locale", None) if ctx is not None else None
    if base is None and request is not None:
        base = base_of(app, request)
    if base is not None and base.errors == "json":
        response = error_envelope(error)
        headers = {**base.http_headers, **(locale.http_headers if locale is not None else {})}
        for header, value in headers.items():  # e.g. CORS: a browser reads no error without
            response.headers.setdefault(header, value)
        return response
    if ctx is not None and base is not None and locale is not None:
        template = app.templates.error_page(base, locale.name, code)
        if template is not None:
            translate = app.translations.translator(locale.name)
            description_lang = "en"  # werkzeug's descriptions and most of jetpy's are English
            phrase = getattr(error, "phrase", None)  # e.g. jetpy.kernel.request.InputRefused
            if isinstance(phrase, str):
                description = translate(phrase, **getattr(error, "values", {}))
                description_lang = locale.language
            try:
                html = template.render(
                    code=code,
                    name=name,
                    description=description,
                    description_lang=description_lang,
                    base=base,
                    locale=locale,
                    request=ctx.request,
                    homepage=app.trees[(base.id, locale.name)].homepage,
                    _=translate,
                )
            except Exception:
                log.exception(
                    "error page %s of base %s, locale %s failed", code, base.id, locale.name
                )
    if html is None:
        html = _PLAIN.format(
            code=code, name=escape(name), description=escape(description), style=PLAIN_STYLE
        )
    headers = {}
    if code == 405 and error.response is None:
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
    return PageResponse(html, code, headers, content_type="text/html; charset=utf-8")


def instead_of_404(
    ctx: RequestContext, handler: Callable[[RequestContext], Response | None]
) -> Response | None:
    """What the base's `ctx.not_found` answers instead of a 404 (a redirect), or None.

    What the request did before its 404 is rolled back first; what the handler does is
    committed when it answers below 400 (e.g. a redirect's hit count). A failing handler is
    logged and the 404 page is shown.
    """
    db = ctx.app.db
    try:
        db.rollback_request()
        answer = handler(ctx)
        if answer is not None and answer.status_code < 400:
            db.commit_request()
        return answer
    except Exception:
        log.exception("the not_found handler of base %s failed; answering 404", ctx.base.id)
        db.rollback_request()
        return None


def base_of(app: Application, request: Request) -> Base | None:
    """The base a raw (perhaps hostile) request path points into, by its URL prefix."""
    path = request.environ.get("PATH_INFO", "")[:2048] or "/"
    found = app.url_map.match(lambda: request.host, path)
    locale = found[0] if found is not None else app.url_map.default
    return locale.base if locale is not None else None
