"""administrators' failed logins are counted by jetpy.auth.throttle (jetpy_login_failures)

The table admin_login_failures goes; counts in it were at most 15 minutes old. This revision
follows the creation of jetpy's table on the `jetpy_throttle` branch and depends on the
application's revision that made admin_login_failures (so a downgrade recreates it before that
one drops it): the application's own line of revisions stays as it is.

Revision ID: 9ed91b804c9e
Revises: 4358f70d5277
Depends on: e2094528bfca
Create Date: 2026-12-02 03:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9ed91b804c9e"
down_revision = "4358f70d5277"
branch_labels = None
depends_on = "e2094528bfca"


def upgrade() -> None:
    with op.batch_alter_table("admin_login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_login_failures_key"))
    op.drop_table("admin_login_failures")


def downgrade() -> None:
    op.create_table(
        "admin_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_login_failures")),
    )
    with op.batch_alter_table("admin_login_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_login_failures_key"), ["key"], unique=False)
