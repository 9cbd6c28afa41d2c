"""broadcasts remember the update that started them (a re-processed /broadcast starts nothing)

Revision ID: 0008_broadcast_origin
Revises: 0005_reminders
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_broadcast_origin"
down_revision: str | Sequence[str] | None = "0005_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.add_column(
            sa.Column(
                "origin_update",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch.create_unique_constraint("uq_broadcasts_origin_update", ["origin_update"])


def downgrade() -> None:
    with op.batch_alter_table("broadcasts") as batch:
        batch.drop_constraint("uq_broadcasts_origin_update", type_="unique")
        batch.drop_column("origin_update")
