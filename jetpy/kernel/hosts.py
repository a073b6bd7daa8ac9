"""The Host headers a site answers: config.yaml `trusted_hosts`.

A base whose URLs name no host answers whatever Host header a request carries, and jetpy
makes absolute URLs from it (canonical and hreflang links, sitemap.xml, links in mails). A
proxy passing only the site's names prevents a forged host; `trusted_hosts` does the same in
jetpy itself, as Django's ALLOWED_HOSTS and Flask's TRUSTED_HOSTS do: any other host gets a
400 before a page is looked for. Names are compared without the port and in lower case; a name
starting with a dot also stands for every subdomain. Empty (the default): every host.

The health endpoint is exempt: load balancers probe it by address.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from werkzeug.exceptions import BadRequest
from werkzeug.sansio.utils import host_is_trusted

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

log = logging.getLogger(__name__)


def check_host(request: Request, trusted: tuple[str, ...]) -> None:
    """A request to a host `trusted` does not name → 400 (the log says how to allow it)."""
    host = request.host.lower()
    name, colon, port = host.partition(":")
    if host_is_trusted(name.rstrip(".") + colon + port, trusted):  # `example.com.` is the same
        return
    log.warning(
        "refused a request for host %r: not in config.yaml trusted_hosts (%s); add it there "
        "if the site should answer it",
        host,
        ", ".join(trusted),
    )
    raise BadRequest("This site does not answer requests for that host name.")
