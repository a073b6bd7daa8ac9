"""product sort names: the folded product name that category pages are sorted and paged by in SQL

Revision ID: a7c3e1f05b92
Revises: 985f958b46e7
Create Date: 2026-12-02 06:30:00.000000

`catalog_product_texts.sort_name` is the name with case and accents folded (NFKD, casefold,
combining marks dropped), compared by code point (PostgreSQL: collation "C"), as Python
sorts it. The existing rows are filled here; the fold is written out, not imported: a
migration must keep doing what it did when the application's code changes.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "a7c3e1f05b92"
down_revision = "985f958b46e7"
branch_labels = None
depends_on = None


def fold(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).casefold()
    return "".join(c for c in folded if not unicodedata.combining(c))


def upgrade() -> None:
    kind = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
    with op.batch_alter_table("catalog_product_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sort_name", kind, nullable=False, server_default=""))
    table = sa.table(
        "catalog_product_texts",
        sa.column("product_id"),
        sa.column("locale"),
        sa.column("name"),
        sa.column("sort_name"),
    )
    connection = op.get_bind()
    for product_id, locale, name in connection.execute(
        sa.select(table.c.product_id, table.c.locale, table.c.name)
    ).all():
        connection.execute(
            sa.update(table)
            .where(table.c.product_id == product_id, table.c.locale == locale)
            .values(sort_name=fold(name or ""))
        )
    with op.batch_alter_table("catalog_product_texts", schema=None) as batch_op:
        batch_op.alter_column("sort_name", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("catalog_product_texts", schema=None) as batch_op:
        batch_op.drop_column("sort_name")
