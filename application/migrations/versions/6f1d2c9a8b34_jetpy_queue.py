"""jetpy's queue tables (jetpy.queue.outbox), on a branch of its own

`jetpy_outbox` holds queued events until they are published; `jetpy_handled` the (event id,
listener) pairs that workers handled, for idempotent handlers. The outbox also creates them
when missing; this revision makes `jetpy db upgrade` create them with the rest, for a
database user that may not create tables at run time. Its own branch (`jetpy_queue`): the
application's revisions stay one line.

Revision ID: 6f1d2c9a8b34
Revises:
Create Date: 2026-12-02 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "6f1d2c9a8b34"
down_revision = None
branch_labels = ("jetpy_queue",)
depends_on = None


def upgrade() -> None:
    existing = sa.inspect(op.get_bind()).get_table_names()
    if "jetpy_outbox" not in existing:  # else created by the outbox already
        op.create_table(
            "jetpy_outbox",
            sa.Column("id", sa.String(length=36), nullable=False),
            sa.Column("queue", sa.String(length=63), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("created", sa.Float(), nullable=False),
            sa.Column("sent", sa.Float(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index("ix_jetpy_outbox_sent", "jetpy_outbox", ["sent"])
    if "jetpy_handled" not in existing:
        op.create_table(
            "jetpy_handled",
            sa.Column("event_id", sa.String(length=36), nullable=False),
            sa.Column("listener", sa.String(length=200), nullable=False),
            sa.Column("handled", sa.Float(), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("event_id", "listener"),
        )


def downgrade() -> None:
    op.drop_table("jetpy_handled")
    op.drop_table("jetpy_outbox")
