"""Security headers: what every response of a base carries, worked out once when it loads.

base.yaml `security_headers:` (every key optional):

    content_security_policy: ...  # text: the whole policy; a mapping {directive: sources}:
                                  # merged into the default ("" drops a directive);
                                  # "": no Content-Security-Policy header at all
    frame_options: DENY           # X-Frame-Options and the default policy's frame-ancestors;
                                  # SAMEORIGIN, or "" for neither
    referrer_policy: strict-origin-when-cross-origin
    hsts: max-age=31536000        # Strict-Transport-Security, on https requests only; "": none
    no_store: false               # true: Cache-Control: no-store on every response of the base

Every response passes `apply()` once, as the last step of `Application.respond()`: pages,
error pages, redirects, what actions return and files under /public/ (those get the headers of
the base their URL falls in). `X-Content-Type-Options: nosniff` goes on all of them. A header
the response set itself stays (a page's `Referrer-Policy: no-referrer`), except Cache-Control in
a base with `no_store`: nothing of such a base may be kept by a browser or a shared cache.

The default policy of an HTML base lets pages load scripts, styles and images from the site
itself only (images also as `data:` URLs): no inline script, no inline style, no plugins, no
framing. jetpy's own fallback pages (the plain error page, the default login page) keep their
inline <style> through its hash in the default `style-src`. A base with `errors: json` (an
API) answers no HTML, so its default policy allows nothing at all.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jetpy.errors import Problem
from jetpy.kernel.errorpages import PLAIN_STYLE, PageResponse
from jetpy.kernel.templates import JETPY_VIEWS

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

Pairs = tuple[tuple[str, str], ...]

NOSNIFF = ("X-Content-Type-Options", "nosniff")
HTML_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
API_POLICY = {"default-src": "'none'", "frame-ancestors": "'none'"}
FRAME_ANCESTORS = {"DENY": "'none'", "SAMEORIGIN": "'self'"}
_DIRECTIVE = re.compile(r"[a-z][a-z-]*")
_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)


@dataclass(frozen=True)
class SecurityHeaders:
    """The headers of one base: a list for http, one for https (with HSTS), made at load."""

    http: Pairs = (NOSNIFF,)
    https: Pairs = (NOSNIFF,)
    forced: Pairs = ()  # set whatever the response had (Cache-Control of `no_store`)

    def apply(self, response: Response, https: bool) -> None:
        """Add the headers the response lacks, and the forced ones in any case."""
        headers = self.https if https else self.http
        if type(response) is PageResponse:
            response.add_headers(headers, self.forced)
            return
        present = response.headers
        for name, value in headers:
            if name not in present:
                present.add(name, value)
        for name, value in self.forced:
            present.set(name, value)


NO_BASE = SecurityHeaders()  # for an application without any base: nosniff all the same


def security_headers(
    settings: Mapping[str, Any], api: bool, file: str, problems: list[Problem]
) -> SecurityHeaders:
    """The headers that base.yaml's validated `security_headers` settings ask for."""
    frame_options = settings["frame_options"]
    policy = _policy(settings["content_security_policy"], api, frame_options, file, problems)
    pairs: list[tuple[str, str]] = [NOSNIFF]
    if policy:
        pairs.append(("Content-Security-Policy", policy))
    if frame_options:
        pairs.append(("X-Frame-Options", frame_options))
    if settings["referrer_policy"]:
        pairs.append(("Referrer-Policy", settings["referrer_policy"]))
    hsts = _one_line(settings["hsts"])
    forced = (("Cache-Control", "no-store"),) if settings["no_store"] else ()
    secure = [*pairs, ("Strict-Transport-Security", hsts)] if hsts else pairs
    return SecurityHeaders(tuple(pairs), tuple(secure), forced)


def _policy(
    given: str | dict[str, str] | None,
    api: bool,
    frame_options: str,
    file: str,
    problems: list[Problem],
) -> str:
    """The Content-Security-Policy text: the given one, or the default with the changes."""
    if isinstance(given, str):
        return _one_line(given)
    directives = dict(API_POLICY if api else HTML_POLICY)
    if not api:
        directives["style-src"] = " ".join([directives["style-src"], *builtin_style_hashes()])
    if frame_options:
        directives["frame-ancestors"] = FRAME_ANCESTORS[frame_options]
    else:
        directives.pop("frame-ancestors")
    for name, sources in (given or {}).items():
        key = f"security_headers.content_security_policy.{name}"
        if not _DIRECTIVE.fullmatch(name):
            problems.append(
                Problem(file, key, f"`{name}` is not a CSP directive", "write e.g. `img-src`")
            )
        elif ";" in sources or "," in sources:
            problems.append(
                Problem(
                    file,
                    key,
                    "holds `;` or `,`: several directives in one",
                    "write each directive as a key of its own",
                )
            )
        elif sources.strip():
            directives[name] = _one_line(sources)
        else:
            directives.pop(name, None)
    return "; ".join(f"{name} {sources}" for name, sources in directives.items())


def builtin_style_hashes() -> list[str]:
    """CSP sources allowing the inline <style> of jetpy's plain error page and own views."""
    blocks = [PLAIN_STYLE]
    for view in sorted(JETPY_VIEWS.glob("*.html")):
        for block in _STYLE_BLOCK.findall(view.read_text(encoding="utf-8")):
            if not any(mark in block for mark in ("{{", "{%", "{#")):  # rendered as written
                blocks.append(block)
    return [f"'sha256-{_sha256(block)}'" for block in blocks]


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _one_line(text: str) -> str:
    """YAML may fold a long policy over lines; a header value is one line."""
    return " ".join(text.split())
