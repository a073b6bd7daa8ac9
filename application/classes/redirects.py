"""Redirects kept by editors: an old path of the site answers 301, 302 or 308 to a new place.

A `Redirect` maps a site path (`/old/page`, as the address bar shows it, without the query
string) to a target: another path of the site (`/new`, a query string allowed) or an absolute
`http(s)://` URL. The web base consults the list only when a request would otherwise answer
404 (module web.redirects), so pages that exist never pay for it and a redirect cannot hide
one. The rules live here so that the admin form, the lookup and the tests share them:

- `normal_source()`: a path starting with one `/`, decoded (`%C3%A1` is `á`), without a
  trailing `/`; no scheme, host, query string, fragment, backslash, space or control
  character;
- `check_target()`: `/path` or `http(s)://host/…`; never `javascript:` or any other scheme,
  `//host` (protocol-relative), a backslash (browsers read `/\\host` as `//host`), a space
  or a line break (header injection);
- a redirect may not lead back to its own source, directly or through other redirects.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote, urlsplit

from sqlalchemy import DateTime, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.sansio.utils import host_is_trusted

from application.classes.model import Model

STATUSES = (301, 302, 308)
MAX_URL = 2000
MAX_CHAIN = 10  # redirects followed when looking for a loop
_CONTROL = re.compile(r"[\x00-\x20\x7f\\]")  # control characters, space and backslash
_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class RedirectError(ValueError):
    """A source or target that cannot be used; the message says why and what to write."""


class Redirect(Model):
    """An old site path and where it leads."""

    __tablename__ = "redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(MAX_URL), unique=True)
    target: Mapped[str] = mapped_column(String(MAX_URL))
    status: Mapped[int] = mapped_column(Integer, default=301)
    enabled: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(String(500), default="")
    hits: Mapped[int] = mapped_column(Integer, default=0)
    last_hit: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    def __repr__(self) -> str:
        return f"<Redirect {self.source!r} → {self.target!r}>"


def normal_source(text: str) -> str:
    """The source path as stored and looked up; RedirectError when it is not one."""
    try:
        path = unquote(text.strip(), errors="strict")
    except UnicodeDecodeError:
        message = "The path has a %-escape that is not UTF-8; write the characters instead."
        raise RedirectError(message) from None
    if not path.startswith("/"):
        raise RedirectError(
            "Write the path of the old address starting with /, e.g. /old-page "
            "(without http:// and the host)."
        )
    if path.startswith("//"):
        raise RedirectError("Write a path of this site starting with a single /, not //.")
    if _CONTROL.search(path):
        raise RedirectError("The path may not contain spaces, backslashes or line breaks.")
    if "?" in path or "#" in path:
        raise RedirectError(
            "Leave the query string and #fragment out of the old address; "
            "the query string of a request is passed on."
        )
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    if path == "/":
        raise RedirectError("The homepage always exists; it cannot be redirected.")
    return path


def check_target(text: str) -> str:
    """The target as stored: a site path or an http(s) URL; RedirectError when it is neither."""
    target = text.strip()
    if _CONTROL.search(target):
        raise RedirectError("The target may not contain spaces, backslashes or line breaks.")
    if target.startswith("//"):
        raise RedirectError(
            "Write a path of this site starting with a single /, "
            "or a full address starting with https://."
        )
    if target.startswith("/"):
        return target
    parts = urlsplit(target)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise RedirectError(
            "Write a path of this site starting with / (e.g. /new-page) "
            "or a full address starting with http:// or https://."
        )
    if "@" in parts.netloc or not _HOST.fullmatch(parts.netloc):
        raise RedirectError("The address names no valid host, e.g. https://www.example.com/page.")
    return target


def target_path(target: str, site_hosts: tuple[str, ...] = ()) -> str | None:
    """The site path a target leads to (a path, or a URL of one of `site_hosts`), else None.

    `site_hosts` are names as config.yaml's `trusted_hosts` has them: `.example.com` stands
    for it and every subdomain too; ports are not compared.
    """
    if target.startswith("/"):
        path = urlsplit(target).path
    else:
        parts = urlsplit(target)
        if not site_hosts or not host_is_trusted(parts.netloc.lower(), site_hosts):
            return None
        path = parts.path or "/"
    try:
        return normal_source(path)
    except RedirectError:
        return None


def loops(session: Session, source: str, target: str, site_hosts: tuple[str, ...] = ()) -> bool:
    """Whether `source` → `target` would lead back to `source` (itself, or through others)."""
    seen = {source}
    path = target_path(target, site_hosts)
    for _ in range(MAX_CHAIN):
        if path is None:
            return False
        if path in seen:
            return True
        seen.add(path)
        found = session.scalar(
            select(Redirect.target).where(Redirect.source == path, Redirect.enabled.is_(True))
        )
        if found is None:
            return False
        path = target_path(found, site_hosts)
    return True  # a chain this long is as good as a loop to a browser


def redirect_for(session: Session, path: str) -> Redirect | None:
    """The enabled redirect of a request path (decoded), counted as hit; None when none."""
    try:
        source = normal_source(path)
    except RedirectError:
        return None
    found = session.scalar(
        select(Redirect).where(Redirect.source == source, Redirect.enabled.is_(True))
    )
    if found is not None:
        session.execute(
            update(Redirect)
            .where(Redirect.id == found.id)
            .values(hits=Redirect.hits + 1, last_hit=dt.datetime.now(dt.UTC))
            .execution_options(synchronize_session=False)
        )
    return found


def location(redirect: Redirect, query: str) -> str:
    """Where a request for the redirect's source goes: its target, with the request's query
    string added (after the target's own)."""
    target = redirect.target
    if not query:
        return target
    base, hash_mark, fragment = target.partition("#")
    joined = base + ("&" if "?" in base else "?") + query
    return joined + hash_mark + fragment
