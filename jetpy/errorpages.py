"""Error pages: the base's `<code>.html` for the locale, or a plain page."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from markupsafe import escape
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from jetpy.app import Application
    from jetpy.context import RequestContext

log = logging.getLogger("jetpy")


class PageResponse(Response):
    """A page jetpy rendered itself: its headers are final and its body is in memory."""


_PLAIN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{code} {name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;
color:#222}}h1{{font-weight:600}}p{{color:#555}}</style></head>
<body><h1>{code} {name}</h1><p>{description}</p></body></html>
"""


def error_response(app: Application, ctx: RequestContext | None, error: HTTPException) -> Response:
    """Answer `error` with the base's error page for the locale, else a plain one."""
    code = error.code or 500
    name = error.name
    description = error.description or ""
    html = None
    base = getattr(ctx, "base", None) if ctx is not None else None
    locale = getattr(ctx, "locale", None) if ctx is not None else None
    if ctx is not None and base is not None and locale is not None:
        template = app.templates.error_page(base, locale.name, code)
        if template is not None:
            try:
                html = template.render(
                    code=code,
                    name=name,
                    description=description,
                    base=base,
                    locale=locale,
                    request=ctx.request,
                    homepage=app.trees[(base.id, locale.name)].homepage,
                    _=app.translations.translator(locale.name),
                )
            except Exception:
                log.exception(
                    "error page %s of base %s, locale %s failed", code, base.id, locale.name
                )
    if html is None:
        html = _PLAIN.format(code=code, name=escape(name), description=escape(description))
    headers = {}
    if code == 405 and error.response is None:
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
    return PageResponse(html, code, headers, content_type="text/html; charset=utf-8")
