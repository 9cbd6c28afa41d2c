"""an index on evidence_reports.reviewed_at: the dashboard reads its latest value on every
matrix load to know whether a report was reviewed since (bot/web/matrix.py)

Revision ID: 0601_web_reviewed_index
Revises: 0004_evidence
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0601_web_reviewed_index"
down_revision: str | Sequence[str] | None = "0004_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_evidence_reports_reviewed_at", "evidence_reports", ["reviewed_at"])


def downgrade() -> None:
    op.drop_index("ix_evidence_reports_reviewed_at", table_name="evidence_reports")
