"""old slugs: the slugs articles and products had, so that their old URLs answer 301

Revision ID: 8d4e2a61c0b7
Revises: 3b9e6d2f41a7
Create Date: 2026-12-02 04:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8d4e2a61c0b7"
down_revision = "3b9e6d2f41a7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "old_slugs",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "locale", "slug", name=op.f("pk_old_slugs")),
    )
    with op.batch_alter_table("old_slugs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_old_slugs_item_id"), ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("old_slugs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_old_slugs_item_id"))
    op.drop_table("old_slugs")
