"""A bounded crawl of the site: the pages a visitor (or an administrator) reaches, and their forms.

Every link and form found is what the fuzz starts from, so a page or form added to the
example application is attacked without a change here.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from .client import Browser

# logging out or deleting oneself would end the crawl's session; they are fuzzed, not followed
_NOT_FOLLOWED = re.compile(r"logout|sign-?out|odhlas|\.csv|[?&]export|google-shopping")


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class FormSpec:
    """A form found on a page: where it posts and its fields."""

    page: str  # the URL the form was found on (fetched again for a fresh CSRF token)
    action: str
    method: str
    enctype: str
    fields: list[Field]
    role: str  # which visitor found it: anon, admin, visitor, anon_admin

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        path = urlsplit(self.action).path
        query = tuple(sorted(k for k, _ in parse_qsl(urlsplit(self.action).query, True)))
        names = tuple(sorted({f.name for f in self.fields}))
        return (self.role, self.method + " " + path + "?" + ",".join(query), names)


class _Parser(HTMLParser):
    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[dict[str, object]] = []
        self._form: dict[str, object] | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or self.url,
                "method": (a.get("method") or "get").upper(),
                "enctype": a.get("enctype") or "application/x-www-form-urlencoded",
                "fields": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            fields: list[Field] = self._form["fields"]  # type: ignore[assignment]
            fields.append(Field(a["name"], kind, a.get("value", ""), checked="checked" in a))
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea", "")
            self._form["fields"].append(self._textarea)  # type: ignore[attr-defined]
        elif tag == "select" and a.get("name"):
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = Field(a["name"], kind, "")
            self._form["fields"].append(self._select)  # type: ignore[attr-defined]
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(url: str, html: str) -> tuple[list[str], list[FormSpec]]:
    """The same-site links and the forms of a page (URLs made absolute paths)."""
    parser = _Parser(url)
    parser.feed(html)
    links = [u for u in (_local(url, href) for href in parser.links) if u]
    forms = []
    for found in parser.forms:
        action = _local(url, str(found["action"]))
        if action:
            forms.append(
                FormSpec(
                    url,
                    action,
                    str(found["method"]),
                    str(found["enctype"]),
                    list(found["fields"]),  # type: ignore[call-overload]
                    "",
                )
            )
    return links, forms


def _local(base: str, href: str) -> str | None:
    """The path and query of a link on this site, or None for another site or a fragment."""
    if href.startswith(("mailto:", "tel:", "javascript:", "#")):
        return None
    parts = urlsplit(urljoin("http://127.0.0.1" + base, href))
    if parts.hostname != "127.0.0.1" or parts.scheme not in ("http", "https"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _pattern(url: str) -> str:
    """URLs that differ only in numbers or query values are one pattern (a list, an item …)."""
    path, _, query = url.partition("?")
    names = ",".join(sorted({name for name, _ in parse_qsl(query, True)}))
    return re.sub(r"\d+", "N", path) + "?" + names


@dataclass
class Crawl:
    urls: list[str] = field(default_factory=list)
    forms: dict[tuple[str, str, tuple[str, ...]], FormSpec] = field(default_factory=dict)


def crawl(
    browser: Browser,
    starts: list[str],
    role: str,
    into: Crawl,
    *,
    limit: int = 400,
    per_pattern: int = 1,
) -> None:
    """Visit same-site links breadth first from `starts` (at most `limit` pages)."""
    seen: set[str] = set()
    patterns: dict[str, int] = {}
    waiting = deque(starts)
    visited = 0
    while waiting and visited < limit:
        url = waiting.popleft()
        if url in seen or _NOT_FOLLOWED.search(url):
            continue
        seen.add(url)
        pattern = _pattern(url)
        if patterns.get(pattern, 0) >= per_pattern:
            continue
        patterns[pattern] = patterns.get(pattern, 0) + 1
        answer = browser.get(url)
        visited += 1
        if answer.status != 200:
            continue
        into.urls.append(url)
        kind = answer.header("Content-Type") or ""
        if "html" not in kind:
            continue
        links, forms = parse(url, answer.text)
        for form in forms:
            form.role = role
            into.forms.setdefault(form.key, form)
        waiting.extend(link for link in links if link not in seen)
