"""chat bindings remember where they came from: the campaign file or /bind in chat

A reload of the campaign file updates the bindings the file declares and never touches the ones
made in chat (only /unbind removes those). Bindings already in the database are marked ``chat``
when the audit log records a /bind for that group and unit or tag, else ``file``.

Revision ID: 0100_binding_origin
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0100_binding_origin"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_bindings") as batch:
        batch.add_column(
            sa.Column("origin", sa.String(length=8), nullable=False, server_default="file")
        )
    _mark_chat_bindings()


def _mark_chat_bindings() -> None:
    """Bindings with a ``chat.bind`` audit entry were made in chat."""
    conn = op.get_bind()
    meta = sa.MetaData()
    bindings = sa.Table("chat_bindings", meta, autoload_with=conn)
    units = sa.Table("units", meta, autoload_with=conn)
    audit = sa.Table("audit_log", meta, autoload_with=conn)
    made: set[tuple[str, str, str]] = set()
    query = sa.select(audit.c.target, audit.c.detail).where(audit.c.action == "chat.bind")
    for target, detail in conn.execute(query):
        for kind in ("unit", "tag"):
            if isinstance(detail, dict) and detail.get(kind):
                made.add((str(target), kind, str(detail[kind])))
    if not made:
        return
    rows = conn.execute(
        sa.select(bindings.c.id, bindings.c.chat_id, bindings.c.tag, units.c.name).select_from(
            bindings.outerjoin(units, units.c.id == bindings.c.unit_id)
        )
    )
    ids = [
        row.id
        for row in rows
        if (str(row.chat_id), "tag", str(row.tag)) in made
        or (str(row.chat_id), "unit", str(row.name)) in made
    ]
    if ids:
        conn.execute(bindings.update().where(bindings.c.id.in_(ids)).values(origin="chat"))


def downgrade() -> None:
    with op.batch_alter_table("chat_bindings") as batch:
        batch.drop_column("origin")
