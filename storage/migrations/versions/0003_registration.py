"""registration: invites, liaisons, dialog drafts, conversation states, /start attempts

Revision ID: 0003_registration
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003_registration"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _int() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at() -> storage.types.UTCDateTime:
    return storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "invites",
        sa.Column("id", _int(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", _int(), nullable=False),
        sa.Column("unit_id", _int(), nullable=False),
        sa.Column("created_by", _int(), nullable=True),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("expires_at", _at(), nullable=False),
        sa.Column("used_at", _at(), nullable=True),
        sa.Column("used_by", _int(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_invites_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_invites_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
    )
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invites_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "liaisons",
        sa.Column("id", _int(), nullable=False),
        sa.Column("campaign_id", _int(), nullable=False),
        sa.Column("unit_id", _int(), nullable=False),
        sa.Column("user_id", _int(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("department", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("updated_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_liaisons_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_liaisons_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_liaisons")),
        sa.UniqueConstraint("campaign_id", "user_id", name=op.f("uq_liaisons_campaign_id")),
    )
    with op.batch_alter_table("liaisons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_liaisons_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_liaisons_user_id"), ["user_id"], unique=False)

    op.create_table(
        "registration_drafts",
        sa.Column("user_id", _int(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", _int(), nullable=False),
        sa.Column("unit_id", _int(), nullable=False),
        sa.Column("invite_id", _int(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("correcting", sa.Boolean(), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("updated_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_registration_drafts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["invites.id"],
            name=op.f("fk_registration_drafts_invite_id_invites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_registration_drafts_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_registration_drafts")),
    )

    op.create_table(
        "conversation_states",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("conv_key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name", "conv_key", name=op.f("pk_conversation_states")),
    )

    op.create_table(
        "start_attempts",
        sa.Column("id", _int(), nullable=False),
        sa.Column("user_id", _int(), nullable=False),
        sa.Column("at", _at(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_start_attempts")),
    )
    with op.batch_alter_table("start_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_start_attempts_user_at", ["user_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("start_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_start_attempts_user_at")
    op.drop_table("start_attempts")
    op.drop_table("conversation_states")
    op.drop_table("registration_drafts")
    with op.batch_alter_table("liaisons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_liaisons_user_id"))
        batch_op.drop_index(batch_op.f("ix_liaisons_unit_id"))
    op.drop_table("liaisons")
    with op.batch_alter_table("invites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invites_unit_id"))
    op.drop_table("invites")
