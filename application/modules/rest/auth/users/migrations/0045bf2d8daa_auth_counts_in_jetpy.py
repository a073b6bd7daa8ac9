"""failed authentications are counted by jetpy.auth.throttle (table jetpy_login_failures)

The module's own table of failures goes; counts in it were at most 15 minutes old.

Revision ID: 0045bf2d8daa
Revises: ae9f83671312
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0045bf2d8daa"
down_revision = "ae9f83671312"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rest_auth_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rest_auth_failures_key"))
    op.drop_table("rest_auth_failures")


def downgrade() -> None:
    op.create_table(
        "rest_auth_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rest_auth_failures")),
    )
    with op.batch_alter_table("rest_auth_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rest_auth_failures_key"), ["key"], unique=False)
