"""search index: the site search's full-text index and its vocabulary

SQLite: an FTS5 virtual table (tokenizer unicode61 folding diacritics, prefix indexes of 2
and 3 characters). PostgreSQL: a table with a tsvector column and a GIN index. The DDL is
written out here (not imported from application/classes/search.py), so that this revision
keeps building what it built when the code moves on. Filled by `jetpy db seed` and
`jetpy search rebuild`.

Revision ID: 985f958b46e7
Revises: 8d4e2a61c0b7
Create Date: 2026-12-02 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "985f958b46e7"
down_revision = "8d4e2a61c0b7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_words",
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("folded", sa.String(length=40), nullable=False),
        sa.Column("word", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("locale", "folded", name=op.f("pk_search_words")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE search_index ("
            "kind VARCHAR(32) NOT NULL, item_id INTEGER NOT NULL, locale VARCHAR(16) NOT NULL, "
            "title TEXT NOT NULL, body TEXT NOT NULL, "
            "visible_from TIMESTAMP WITHOUT TIME ZONE, document TSVECTOR NOT NULL, "
            "CONSTRAINT pk_search_index PRIMARY KEY (kind, item_id, locale))"
        )
        op.execute("CREATE INDEX ix_search_index_document ON search_index USING gin (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "title, body, key, kind UNINDEXED, item_id UNINDEXED, locale UNINDEXED, "
            "visible_from UNINDEXED, tokenize = 'unicode61 remove_diacritics 2', "
            "prefix = '2 3')"
        )


def downgrade() -> None:
    op.execute("DROP TABLE search_index")  # its GIN index, or FTS5's shadow tables, with it
    op.drop_table("search_words")
