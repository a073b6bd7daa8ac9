"""The client's address and scheme, through the reverse proxies the config trusts.

config.yaml `behind_proxy` is the number of reverse proxies in front of the application
(`true` is 1, `false` is 0, the default). Each proxy appends the address it got the request
from to `X-Forwarded-For`, so with N trusted proxies the last N entries were written by them
and the N-th from the end is what the outermost one saw: the client. Anything before it is
whatever the client sent and proves nothing. `X-Forwarded-Proto` is read the same way. With
0 trusted proxies both headers are ignored: the socket's peer is the client, and a client
cannot make itself look like another one by sending the headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from werkzeug.wrappers import Request


def forwarded(request: Request, header: str, trusted: int) -> str | None:
    """The entry of `header` that the outermost of `trusted` proxies wrote, or None.

    None also when the header has fewer entries than there are trusted proxies: the request
    did not come through all of them, so none of its entries can be trusted.
    """
    if trusted <= 0:
        return None
    value = request.headers.get(header)
    if not value:
        return None
    entries = value.split(",")
    if len(entries) < trusted:
        return None
    return entries[-trusted].strip() or None


def client_address(request: Request, trusted: int) -> str:
    """The client's address: from `X-Forwarded-For` through `trusted` proxies, else the peer."""
    if trusted <= 0:  # the common case, asked on every request: no call for nothing
        return request.remote_addr or "unknown"
    return forwarded(request, "X-Forwarded-For", trusted) or request.remote_addr or "unknown"


def scheme(request: Request, trusted: int) -> str:
    """http or https: from `X-Forwarded-Proto` through `trusted` proxies, else the server's."""
    if trusted <= 0:
        return request.scheme
    proto = forwarded(request, "X-Forwarded-Proto", trusted)
    if proto is not None and proto.lower() in ("http", "https"):
        return proto.lower()
    return request.scheme
