"""The web base answers the redirects list for requests that would otherwise be a 404.

`setup` is the web base's initializer (base.yaml `initializer:`): it only hands the kernel
`answer` as `ctx.not_found`, which runs when the request ends in a 404 (an unknown path, an
unclaimed leftover path, a controller's NotFound) and never for a page that exists, so the
list costs nothing to the pages served. A 404 is never cached (jetpy.cache), so a redirect
saved in the admin answers at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.urls import iri_to_uri
from werkzeug.utils import redirect

from application.classes.redirects import location, redirect_for

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from jetpy.kernel.context import RequestContext

MODULE = "web.redirects"
METHODS = ("GET", "HEAD")  # a form sent to a gone address is not sent on elsewhere


def setup(ctx: RequestContext) -> None:
    """The web base's initializer: consult the redirects before a 404."""
    ctx.not_found = answer


def answer(ctx: RequestContext) -> Response | None:
    """The redirect of the request's path (its query string passed on), or None: the 404."""
    module = ctx.app.modules.get(MODULE)
    if module is None or not module.active or ctx.request.method not in METHODS:
        return None
    found = redirect_for(ctx.db, ctx.path)
    if found is None:
        return None
    query = ctx.request.query_string.decode("latin-1")
    return redirect(iri_to_uri(location(found, query)), found.status)
