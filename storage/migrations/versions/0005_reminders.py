"""reminders: the reminder ledger and broadcasts

Revision ID: 0005_reminders
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0005_reminders"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> storage.types.UTCDateTime:
    return storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("campaign_id", BIGINT, nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("chat_id", BIGINT, nullable=True),
        sa.Column("unit_id", BIGINT, nullable=True),
        sa.Column("user_id", BIGINT, nullable=True),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("useful_until", _utc(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_by", BIGINT, nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("queued_at", _utc(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("campaign_id", "key", name=op.f("uq_reminders_campaign_id")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index("ix_reminders_state_due", ["state", "due_at"], unique=False)
    op.create_table(
        "broadcasts",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("created_by", BIGINT, nullable=False),
        sa.Column("chat_id", BIGINT, nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("photo", sa.String(length=200), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("total", BIGINT, nullable=False),
        sa.Column("delivered", BIGINT, nullable=False),
        sa.Column("failed", BIGINT, nullable=False),
        sa.Column("reported_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )


def downgrade() -> None:
    op.drop_table("broadcasts")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_state_due")
    op.drop_table("reminders")
