"""jetpy's table of failed sign-ins (jetpy.auth.throttle), on a branch of its own

The throttle also creates the table when it is missing; this revision makes `jetpy db upgrade`
create it with the rest, for a database user that may not create tables at run time.
Its own branch (`jetpy_throttle`): the application's revisions stay one line.

Revision ID: 4358f70d5277
Revises:
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4358f70d5277"
down_revision = None
branch_labels = ("jetpy_throttle",)
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("jetpy_login_failures"):
        return  # created by the throttle already (the site ran before this upgrade)
    op.create_table(
        "jetpy_login_failures",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_jetpy_login_failures_until", "jetpy_login_failures", ["until"])


def downgrade() -> None:
    op.drop_table("jetpy_login_failures")
