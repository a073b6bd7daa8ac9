"""search index stems English on SQLite: a virtual table `search_index_english` for en_*

FTS5 sets its tokenizer per table, and its only stemmer is English (`porter`). English
locales move into a table of their own that wraps `porter` around the `unicode61` of
`search_index`, so that `running` finds *runs* there as PostgreSQL's `english` configuration
does; the other locales (Czech) stay in `search_index`, unstemmed as before. The rows are
moved, and tokenized again by the new table on the way in; `jetpy search rebuild` refills
both from the database. PostgreSQL is not changed (its tsvector stems per row already). The
DDL is written out here, as in 985f958b46e7, so that this revision keeps building what it built.

Revision ID: d5a8f3c21e70
Revises: b4d9e27c6a15
Create Date: 2026-12-02 09:50:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "d5a8f3c21e70"
down_revision = "b4d9e27c6a15"
branch_labels = None
depends_on = None

COLUMNS = "title, body, key, kind, item_id, locale, visible_from"
# a locale whose language is English: `en`, `en_US`, `EN_gb` … (search.configuration's rule)
ENGLISH = "lower(substr(locale, 1, instr(locale || '_', '_') - 1)) = 'en'"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # IF NOT EXISTS: the new code's ensure_index() (an admin save, `jetpy search rebuild`) may
    # have made it before this upgrade ran; its rows are kept and the others join them
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_index_english USING fts5("
        "title, body, key, kind UNINDEXED, item_id UNINDEXED, locale UNINDEXED, "
        "visible_from UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2', "
        "prefix = '2 3')"
    )
    _move("search_index", "search_index_english")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _move("search_index_english", "search_index")
    op.execute("DROP TABLE search_index_english")  # FTS5's shadow tables with it


def _move(source: str, target: str) -> None:
    op.execute(f"INSERT INTO {target} ({COLUMNS}) SELECT {COLUMNS} FROM {source} WHERE {ENGLISH}")
    op.execute(f"DELETE FROM {source} WHERE {ENGLISH}")
