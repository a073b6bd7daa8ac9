"""Rich text (article texts, product descriptions): HTML cleaned by an allow-list, on the server.

Whatever sends it (the admin's editor, a REST client, a script), the HTML is cleaned when it is
assigned to a model's attribute (`@validates` in the models), so nothing the browser or a client
says is trusted and every stored text is safe to render as markup:

- kept: paragraphs, line breaks, headings h2 to h4, bold, italic, underline, strike, inline code,
  code blocks, bullet and numbered lists, quotes, horizontal rules, links, images;
- links keep `href` (http, https, mailto, or a path of this site) and `title`, and get
  `rel="noopener noreferrer"`; images keep `alt`, `width`, `height` and a `src` only when it is
  a file of this site's media library (`/media/…`), so no text pulls in other sites' images;
- gone with their content: script, style, iframe, object, embed, template, svg, math, forms;
  gone and kept as text: every other tag; gone: every other attribute (`style`, `class`, `on*`,
  `id` …), comments, and URLs of other schemes (`javascript:`, `data:` …).

A text with no tag at all is plain text (a REST client, an old row): its paragraphs, split on
blank lines, become `<p>` elements, escaped. Cleaning is done by nh3 (Rust's ammonia: an HTML5
parser, the way browsers read the markup, not regular expressions).
"""

from __future__ import annotations

import html
import re

import nh3
from markupsafe import Markup

TAGS = frozenset(
    {
        "p", "br", "h2", "h3", "h4", "strong", "b", "em", "i", "u", "s", "code", "pre",
        "ul", "ol", "li", "blockquote", "hr", "a", "img",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "ol": {"start"}}
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "template", "svg", "math", "noscript",
        "form", "textarea", "select", "button", "frame", "frameset", "applet", "title",
    }
)  # fmt: skip
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MEDIA_PREFIX = "/media/"  # jetpy.media's URLs of the media library's files
_MEDIA_SRC = re.compile(r"/media/[A-Za-z0-9][A-Za-z0-9._-]*")
_NUMBER = re.compile(r"[0-9]{1,5}")
# HTML when it has a tag of HTML (allowed or not); anything else is plain text. Either way is
# safe: plain text is escaped whole.
_TAG = re.compile(
    r"<!--|<\s*/?\s*(?:" + "|".join(sorted(TAGS | DROPPED_WITH_CONTENT)) + r"|div|span|h1|h5|h6"
    r"|table|tr|td|th|thead|tbody|section|article|header|footer|nav|main|figure|figcaption"
    r"|input|link|meta|base|video|audio|source|picture|details|summary|dl|dt|dd|sup|sub"
    r"|small|mark|del|ins|abbr|cite|q|kbd|samp|var|time|font|center|marquee)(?=[\s/>])",
    re.IGNORECASE,
)
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_EMPTY = re.compile(r"(?:\s|<p>\s*(?:<br\s*/?>)?\s*</p>|<br\s*/?>)*")


def _attribute(tag: str, name: str, value: str) -> str | None:
    """Per-value rules nh3's allow-lists cannot say (it calls this for every kept attribute)."""
    if tag == "img" and name == "src":
        return value if _MEDIA_SRC.fullmatch(value) else None
    if name in {"width", "height", "start"}:
        return value if _NUMBER.fullmatch(value) else None
    if name == "href" and value.startswith("//"):
        return None  # protocol-relative: another site without saying so
    return value


_CLEANER = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
    attribute_filter=_attribute,
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def is_plain(text: str) -> bool:
    """Whether `text` has no HTML tag (then it is plain text: `a <b` or `x<y>` are)."""
    return _TAG.search(text) is None


def plain_to_html(text: str) -> str:
    """Plain text as HTML: a `<p>` per paragraph (split on blank lines) escaped; `<br>` per line."""
    paragraphs = [part.strip() for part in _BLANK_LINES.split(text.replace("\r\n", "\n"))]
    return "".join(
        "<p>" + html.escape(part, quote=False).replace("\n", "<br>") + "</p>"
        for part in paragraphs
        if part
    )


def clean_html(text: str | None) -> str:
    """The text as safe HTML: cleaned by the allow-list (plain text made into paragraphs).

    An empty document (what an editor sends when nothing was typed) is "".
    """
    if not text:
        return ""
    if is_plain(text):
        return plain_to_html(text)
    cleaned: str = _CLEANER.clean(text)
    return "" if _EMPTY.fullmatch(cleaned) else cleaned.strip()


def as_markup(text: str | None) -> Markup:
    """Stored rich text for a template: it was cleaned when stored, so it is markup."""
    return Markup(text or "")


def to_plain(text: str | None) -> str:
    """The words of rich text without markup (feeds, meta descriptions), whitespace collapsed."""
    if not text:
        return ""
    blocks = re.sub(r"</(p|h[2-4]|li|blockquote|pre)>|<br\s*/?>", " ", text)
    return " ".join(html.unescape(nh3.clean(blocks, tags=set())).split())
