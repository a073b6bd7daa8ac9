"""failed logins are counted by jetpy.auth.throttle (table jetpy_login_failures)

The module's own table of failures goes; counts in it were at most 15 minutes old.

Revision ID: fdd3aea19fb9
Revises: cee6f9292249
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fdd3aea19fb9"
down_revision = "cee6f9292249"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_visitor_login_failures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_visitor_login_failures_key"))
    op.drop_table("web_visitor_login_failures")


def downgrade() -> None:
    op.create_table(
        "web_visitor_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_visitor_login_failures")),
    )
    with op.batch_alter_table("web_visitor_login_failures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_web_visitor_login_failures_key"), ["key"], unique=False
        )
