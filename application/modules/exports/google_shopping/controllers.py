"""The feed on a page of base web: the page's locale, its market's pricelist or `pricelist`.

The action answers with the feed itself (`application/rss+xml`), not with HTML for a
position. Content parameters:

- `pricelist`: the pricelist's code (default: the locale's market, see
  `application/classes/catalog/markets.py`). Never a query parameter: a page of the public
  site must not hand out a pricelist (a wholesale one, say) that nobody mounted;
- `base_url`: the scheme and host of the product links, e.g. `https://shop.example.com`
  (default: the request's). Set it when the site is reached under several hosts, so that a
  request with a forged Host header cannot put its host into a feed that caches keep.
"""

from __future__ import annotations

import logging
import tempfile

from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from application.modules.exports.google_shopping.feed import FeedError, feed_source, write_feed
from application.modules.exports.google_shopping.links import (
    channel,
    check_site_url,
    image_links,
    product_links,
)
from jetpy import Controller, JetpyError

log = logging.getLogger("jetpy")

IN_MEMORY = 8 * 1024 * 1024  # a bigger feed is spooled to a temporary file
MAX_AGE = 3600  # Google fetches a feed a few times a day at most


class Main(Controller):
    """Answers the page (no leftover path) with the Google Merchant feed of its locale."""

    def default_action(self) -> Response:
        locale = self.locale.name
        site = self._site()
        try:
            source = feed_source(self.db, locale, self._text("pricelist"))
        except FeedError as error:
            # no such pricelist (yet): there is no feed here, as for an empty catalog
            log.warning("google shopping feed on %s: %s", self.page, error)
            raise NotFound() from None
        try:
            links = product_links(self.app, locale, site)
            feed_channel = channel(self.app, locale, site)
        except FeedError as error:
            raise self._wrong(str(error)) from None
        # written in full before the response starts, so an error is a clean 500 rather
        # than a feed cut off under a 200 status; the response closes the file when sent
        body = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY)  # noqa: SIM115
        try:
            written = write_feed(
                body,  # type: ignore[arg-type]
                self.db,
                source,
                feed_channel,
                links,
                image_link=image_links(self.app, site),
            )
        except BaseException:
            body.close()
            raise
        for problem in written.skipped:
            log.warning("google shopping feed on %s: skipped product %s", self.page, problem)
        length = body.tell()
        body.seek(0)
        response = Response(
            wrap_file(self.request.environ, body),
            200,
            {**self.page.http_headers, "Cache-Control": f"public, max-age={MAX_AGE}"},
            content_type="application/rss+xml; charset=utf-8",
            direct_passthrough=True,
        )
        response.content_length = length
        return response

    def _site(self) -> str:
        """The scheme and host of the links: parameter `base_url`, else the request's."""
        configured = self._text("base_url")
        if configured is not None:
            try:
                return check_site_url(configured)
            except FeedError as error:
                raise self._wrong(f"parameter `base_url`: {error}") from None
        try:
            return check_site_url(f"{self.ctx.scheme}://{self.request.host}")
        except FeedError:
            raise BadRequest("The Host header is not a host name.") from None

    def _text(self, name: str) -> str | None:
        value = self.parameters.get(name)
        if value is not None and not isinstance(value, str):
            raise self._wrong(f"parameter `{name}` is {value!r}; give a text")
        return value

    def _wrong(self, problem: str) -> JetpyError:
        return JetpyError(
            f"the Google Shopping feed on page `{self.page.id}` ({self.locale.name}) cannot be "
            f"made: {problem}"
        )
