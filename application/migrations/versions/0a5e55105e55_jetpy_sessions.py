"""jetpy's session table (jetpy.data.sessionstores), on a branch of its own

The store also creates the table when it is missing; this revision makes `jetpy db upgrade`
create it with the rest, for a database user that may not create tables at run time.
Its own branch (`jetpy_sessions`): the application's revisions stay one line.

Revision ID: 0a5e55105e55
Revises:
Create Date: 2026-12-02 03:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0a5e55105e55"
down_revision = None
branch_labels = ("jetpy_sessions",)
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("jetpy_sessions"):
        return  # created by the store already (the site ran before this upgrade)
    op.create_table(
        "jetpy_sessions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("seen", sa.Float(), nullable=False),
        sa.Column("expires", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_jetpy_sessions_owner", "jetpy_sessions", ["owner"])
    op.create_index("ix_jetpy_sessions_expires", "jetpy_sessions", ["expires"])


def downgrade() -> None:
    op.drop_table("jetpy_sessions")
