"""Bases and their locales: each locale is reached through one or more URLs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jetpy.kernel.security import SecurityHeaders

if TYPE_CHECKING:
    from werkzeug.wrappers import Request

    from jetpy.auth import AuthProvider
    from jetpy.kernel.context import RequestContext


@dataclass(frozen=True)
class LocaleUrl:
    """One URL of a locale: an optional host and a path prefix ending with `/`."""

    host: str | None
    path: str

    @classmethod
    def parse(cls, text: str) -> LocaleUrl:
        """Read `host/path/` or `/path/` (a missing trailing slash is added)."""
        text = text.strip()
        for scheme in ("http://", "https://", "//"):
            if text.startswith(scheme):
                text = text[len(scheme) :]
                break
        if text.startswith("/"):
            host, path = None, text
        else:
            host, _, rest = text.partition("/")
            host, path = host.lower(), "/" + rest
        if not path.endswith("/"):
            path += "/"
        return cls(host or None, path)

    def __str__(self) -> str:
        return f"{self.host}{self.path}" if self.host else self.path


@dataclass(eq=False)
class Locale:
    """A locale of a base (`en_US`), with its URLs, title, meta tags and headers."""

    name: str
    base: Base
    urls: list[LocaleUrl]
    title: str = ""
    active: bool = True
    ssl_required: bool | None = None
    meta_tags: list[dict[str, str]] = field(default_factory=list)
    http_headers: dict[str, str] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def canonical(self) -> LocaleUrl:
        """The first URL: where aliases redirect to and what URLs are built from."""
        return self.urls[0]

    @property
    def url_prefix(self) -> str:
        """The start of every URL of this locale (`/cs/` or `//example.com/`)."""
        canonical = self.canonical
        return f"//{canonical.host}{canonical.path}" if canonical.host else canonical.path

    @cached_property
    def language(self) -> str:
        """The language part, `en` for `en_US` (made once: every layout's `<html lang>`)."""
        return self.name.split("_")[0]

    def __str__(self) -> str:
        return self.name


@dataclass(eq=False)
class Base:
    """A part of the site (web, admin, rest) with its own pages, layouts and locales."""

    id: str
    dir: Path
    name: str = ""
    default: bool = False
    active: bool = True
    secret: bool = False
    ssl_required: bool = False
    initializer: str | None = None
    unused_path: str = "not_found"
    direct_files: list[str] = field(default_factory=list)
    layout: str = "default"
    errors: str = "html"  # or json: errors answer the JSON envelope of jetpy.rest
    csrf: bool | None = None  # None: unsafe requests are checked unless errors is json
    http_headers: dict[str, str] = field(default_factory=dict)
    # base.yaml `security_headers`, as the lists every response gets (jetpy.kernel.security)
    security: SecurityHeaders = field(default_factory=SecurityHeaders)
    locales: dict[str, Locale] = field(default_factory=dict)
    auth_factory: str | None = None  # base.yaml `auth:` (package.module:factory)
    auth: AuthProvider | None = None  # what the factory made (or the initializer sets)
    setup: Callable[[RequestContext], None] | None = None

    @property
    def default_locale(self) -> Locale:
        """The first locale listed in base.yaml."""
        return next(iter(self.locales.values()))

    @property
    def layouts_dir(self) -> Path:
        return self.dir / "layouts"

    @property
    def views_dir(self) -> Path:
        return self.dir / "views"

    def pages_dir(self, locale: str) -> Path:
        """Where the page tree of `locale` lives."""
        return self.dir / "pages" / locale

    def __str__(self) -> str:
        return self.id


_HOSTS_KEPT = 1000


class UrlMap:
    """Matches `host + path` against every locale URL of every base, longest path first.

    On equal path length a host-specific URL beats a host-less one. The cost is one or two
    dict lookups per path depth, whatever the number of bases and locales.
    """

    def __init__(self, bases: list[Base]) -> None:
        self._entries: dict[tuple[str | None, str], tuple[Locale, bool]] = {}
        self.default: Locale | None = None
        for base in bases:
            for locale in base.locales.values():
                for index, url in enumerate(locale.urls):
                    self._entries.setdefault((url.host, url.path), (locale, index == 0))
            if base.default and self.default is None:
                self.default = base.default_locale
        if self.default is None and bases:
            self.default = bases[0].default_locale
        self._has_hosts = any(host is not None for host, _ in self._entries)
        self._hosts: dict[tuple[str, Any, Any, Any], str] = {}

    def host_of(self, request: Request) -> str:
        """`request.host` (werkzeug's: validated, without the scheme's default port),
        remembered by what it is made of, since validating it costs more than a page's link.
        (`request.server` is made of SERVER_NAME and SERVER_PORT: the key holds those, so a
        page does not make it.)"""
        environ = request.environ
        key = (
            request.scheme,
            environ.get("HTTP_HOST"),
            environ.get("SERVER_NAME"),
            environ.get("SERVER_PORT"),
        )
        host = self._hosts.get(key)
        if host is None:
            if len(self._hosts) >= _HOSTS_KEPT:  # a client may send any Host header
                self._hosts.clear()
            host = self._hosts[key] = request.host
        return host

    def match(self, host: Callable[[], str], path: str) -> tuple[Locale, bool, str] | None:
        """Return (locale, matched the canonical URL, rest of the path) or None.

        `host` is asked for only when some locale URL names a host.
        """
        entries = self._entries
        hosts: tuple[str | None, ...] = (None,)
        if self._has_hosts:
            name = host().lower()
            bare = name.rsplit(":", 1)[0] if ":" in name and not name.endswith("]") else name
            hosts = (name, bare, None) if bare != name else (name, None)
        prefix = path if path.endswith("/") else path + "/"
        while True:
            for candidate in hosts:
                found = entries.get((candidate, prefix))
                if found is not None:
                    return found[0], found[1], path[len(prefix) :]
            if len(prefix) <= 1:
                return None
            prefix = prefix[: prefix.rfind("/", 0, len(prefix) - 1) + 1]

    def lookup(self, host: str | None, path: str) -> tuple[Locale, bool] | None:
        """The locale that owns exactly this URL, if any."""
        return self._entries.get((host, path))
