"""rich text: plain-text article texts and product descriptions become HTML paragraphs

Revision ID: 3b9e6d2f41a7
Revises: cc256e0c6310
Create Date: 2026-12-02 03:10:00.000000

Texts were plain text whose paragraphs were split on blank lines (and shown escaped, whatever
they held); they are now HTML cleaned by an allow-list (application/classes/rich_text.py). Each
text gets a `<p>` per paragraph, escaped, with `<br>` for single line breaks, so it reads as
before, `<` and all. Only a text that is HTML already (it starts with a block element and ends
with a tag: written by the new code) is left as it is. Downgrade turns texts made only of such
paragraphs back into plain text.

The conversion is written out here, not imported: a migration must keep doing what it did
when the application's code changes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = '3b9e6d2f41a7'
down_revision = 'cc256e0c6310'
branch_labels = None
depends_on = None

# (table, primary key columns, the text column)
TEXTS = [
    ("article_localization", ("article_id", "locale"), "text"),
    ("catalog_product_texts", ("product_id", "locale"), "description"),
]
_HTML = re.compile(r"\s*<(p|h[1-6]|ul|ol|blockquote|pre|div|figure|img)[\s>].*>\s*", re.DOTALL)
_BLANK_LINES = re.compile(r"\n[ \t]*\n+")
_PARAGRAPHS = re.compile(r"(?:<p>(?:[^<]|<br>)*</p>)+")
_PARAGRAPH = re.compile(r"<p>((?:[^<]|<br>)*)</p>")


def to_html(text: str) -> str:
    parts = [part.strip() for part in _BLANK_LINES.split(text.replace("\r\n", "\n"))]
    return "".join(
        "<p>" + html.escape(part, quote=False).replace("\n", "<br>") + "</p>"
        for part in parts
        if part
    )


def to_plain(text: str) -> str:
    parts = _PARAGRAPH.findall(text)
    return "\n\n".join(html.unescape(part.replace("<br>", "\n")) for part in parts)


def convert(change: Callable[[str], str], wanted: Callable[[str], object]) -> None:
    """Change every stored text that `wanted` picks."""
    connection = op.get_bind()
    for name, keys, column in TEXTS:
        table = sa.table(name, *(sa.column(key) for key in keys), sa.column(column))
        rows = connection.execute(sa.select(*table.c)).all()
        for row in rows:
            text = row[-1] or ""
            if not text or not wanted(text):
                continue
            where = sa.and_(*(table.c[key] == row[index] for index, key in enumerate(keys)))
            connection.execute(sa.update(table).where(where).values({column: change(text)}))


def upgrade() -> None:
    convert(to_html, lambda text: _HTML.fullmatch(text) is None)


def downgrade() -> None:
    convert(to_plain, _PARAGRAPHS.fullmatch)
