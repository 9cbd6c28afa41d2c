"""evidence: reports and their files

Revision ID: 0004_evidence
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0004_evidence"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evidence_reports",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("campaign_id", BIGINT, nullable=False),
        sa.Column("task_id", BIGINT, nullable=True),
        sa.Column("unit_id", BIGINT, nullable=False),
        sa.Column("user_id", BIGINT, nullable=False),
        sa.Column("chat_id", BIGINT, nullable=False),
        sa.Column("message_id", BIGINT, nullable=False),
        sa.Column("update_id", BIGINT, nullable=True),
        sa.Column("media_group_id", sa.String(length=64), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("flag_reason", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("acknowledged_at", WHEN, nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.Column("reviewed_by", BIGINT, nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_evidence_reports_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["tasks.id"],
            name=op.f("fk_evidence_reports_task_id_tasks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_evidence_reports_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_reports")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_evidence_reports_chat_id")),
    )
    with op.batch_alter_table("evidence_reports", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_reports_unit_task", ["unit_id", "task_id", "state"])
        batch_op.create_index("ix_evidence_reports_task_state", ["task_id", "state"])
        batch_op.create_index("ix_evidence_reports_album", ["chat_id", "media_group_id"])
        batch_op.create_index("ix_evidence_reports_state_created", ["state", "created_at"])
        batch_op.create_index("ix_evidence_reports_user_created", ["user_id", "created_at"])

    op.create_table(
        "evidence_files",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("report_id", BIGINT, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("phash", sa.String(length=32), nullable=True),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("size", BIGINT, nullable=False),
        sa.Column("mime", sa.String(length=80), nullable=False),
        sa.Column("width", BIGINT, nullable=True),
        sa.Column("height", BIGINT, nullable=True),
        sa.Column("exif_taken_at", WHEN, nullable=True),
        sa.Column("file_id", sa.String(length=200), nullable=False),
        sa.Column("file_unique_id", sa.String(length=100), nullable=False),
        sa.Column("chat_id", BIGINT, nullable=False),
        sa.Column("message_id", BIGINT, nullable=False),
        sa.Column("sender", BIGINT, nullable=False),
        sa.Column("duplicate_of", BIGINT, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["evidence_reports.id"],
            name=op.f("fk_evidence_files_report_id_evidence_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_files")),
        sa.UniqueConstraint("report_id", "sha256", name=op.f("uq_evidence_files_report_id")),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_files_report_id"), ["report_id"])
        batch_op.create_index(batch_op.f("ix_evidence_files_sha256"), ["sha256"])
        batch_op.create_index(batch_op.f("ix_evidence_files_phash"), ["phash"])


def downgrade() -> None:
    op.drop_table("evidence_files")
    op.drop_table("evidence_reports")
