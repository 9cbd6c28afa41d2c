"""questions: residents' question queue, group FAQ answer log, live FAQ entries

Revision ID: 0006_questions
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0006_questions"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _int() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at() -> storage.types.UTCDateTime:
    return storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", _int(), nullable=False),
        sa.Column("campaign_id", _int(), nullable=True),
        sa.Column("chat_id", _int(), nullable=False),
        sa.Column("chat_type", sa.String(length=20), nullable=False),
        sa.Column("user_id", _int(), nullable=False),
        sa.Column("message_id", _int(), nullable=True),
        sa.Column("update_id", _int(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("masked_text", sa.Text(), nullable=False),
        sa.Column("matched_entry_id", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("created_at", _at(), nullable=False),
        sa.Column("answered_at", _at(), nullable=True),
        sa.Column("answered_by", _int(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_questions_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("update_id", name=op.f("uq_questions_update_id")),
    )
    op.create_index("ix_questions_campaign_state", "questions", ["campaign_id", "state"])
    op.create_table(
        "faq_answer_log",
        sa.Column("id", _int(), nullable=False),
        sa.Column("chat_id", _int(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", _int(), nullable=True),
        sa.Column("update_id", _int(), nullable=True),
        sa.Column("answered_at", _at(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_answer_log")),
        sa.UniqueConstraint("update_id", name=op.f("uq_faq_answer_log_update_id")),
    )
    op.create_index("ix_faq_answer_log_chat_at", "faq_answer_log", ["chat_id", "answered_at"])
    op.create_table(
        "faq_entries",
        sa.Column("id", _int(), nullable=False),
        sa.Column("campaign_id", _int(), nullable=False),
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("alt", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("proposed_by", _int(), nullable=True),
        sa.Column("approved_by", _int(), nullable=True),
        sa.Column("updated_at", _at(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_faq_entries_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_entries")),
        sa.UniqueConstraint("campaign_id", "entry_id", name=op.f("uq_faq_entries_campaign_id")),
    )


def downgrade() -> None:
    op.drop_table("faq_entries")
    op.drop_index("ix_faq_answer_log_chat_at", table_name="faq_answer_log")
    op.drop_table("faq_answer_log")
    op.drop_index("ix_questions_campaign_state", table_name="questions")
    op.drop_table("questions")
