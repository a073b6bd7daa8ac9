"""What goes into the HTML head: title, meta tags, stylesheets and scripts."""

from __future__ import annotations

from collections.abc import Callable

import markupsafe
from markupsafe import Markup, escape

PLACEHOLDER = "<!--jetpy:head-->"


class Head:
    """Collects the head of a page from the page definition and from every module."""

    def __init__(self, title: str = "", meta_tags: list[dict[str, str]] | None = None) -> None:
        self.title = title
        self.site_title = ""
        self.meta_tags: dict[tuple[str, str], str] = {}
        self.css: list[str] = []
        self.js: list[str] = []
        # (hreflang, absolute URL) of the page in each locale; filled in by render_page
        self.alternates: list[tuple[str, str]] = []
        self.canonical = ""  # absolute URL of what the page shows; filled in by render_page
        for tag in meta_tags or ():
            self.meta_tags[(tag["attribute"], tag["value"])] = tag["content"]

    def set_meta(self, value: str, content: str, attribute: str = "name") -> None:
        """Add or replace a meta tag, e.g. `set_meta("description", text)`."""
        self.meta_tags[(attribute, value)] = content

    def add_css(self, url: str) -> None:
        """Link a stylesheet once, in the order first asked for."""
        if url not in self.css:
            self.css.append(url)

    def add_js(self, url: str) -> None:
        """Load a script once (deferred), in the order first asked for."""
        if url not in self.js:
            self.js.append(url)

    def render(self) -> Markup:
        """The head as HTML, one tag a line."""
        title = self.title
        site_title = self.site_title
        if site_title and site_title != title:
            title = f"{title} | {site_title}" if title else site_title
        # one join of the pieces: an escaped value (a Markup) formatted into an f-string
        # would be copied once more, and this runs on every page
        parts = ["<title>", _escaped(title), "</title>"]
        for (attribute, value), content in self.meta_tags.items():
            parts += (
                "\n<meta ",
                _escaped(attribute),
                '="',
                _escaped(value),
                '" content="',
                _escaped(content),
                '">',
            )
        if self.canonical:
            parts += ('\n<link rel="canonical" href="', _escaped(self.canonical), '">')
        for hreflang, url in self.alternates:
            parts += (
                '\n<link rel="alternate" hreflang="',
                _escaped(hreflang),
                '" href="',
                _escaped(url),
                '">',
            )
        for url in self.css:
            parts += ('\n<link rel="stylesheet" href="', _escaped(url), '">')
        for url in self.js:
            parts += ('\n<script src="', _escaped(url), '" defer></script>')
        return Markup("".join(parts))


def _escaped(value: str) -> str:
    """markupsafe.escape(value) as text. For a plain str the same replacements, without
    making a Markup of each value (half the cost of the head); anything else (a Markup, an
    object with __html__) goes through markupsafe."""
    if type(value) is not str:
        return escape(value)
    return _escape_text(value)


def _replaced(value: str) -> str:
    return (
        value.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


# markupsafe's own escaping of a str into a str (its C speedup, which escape() wraps in a
# Markup): one pass over the text instead of five replace() calls; not a public name, so
# the same replacements in Python when a markupsafe release drops it
_escape_text: Callable[[str], str] = getattr(markupsafe, "_escape_inner", _replaced)
