"""``INSERT … ON CONFLICT DO NOTHING`` on whichever database the session is on (SQLite or
PostgreSQL): how rows are added when their key may already be there (a re-processed update,
two planners at once). Add ``.returning(...)`` to learn which rows went in. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Insert


def insert_or_skip(
    session: Session, target: Any, values: Any, *, on: Sequence[str] | None = None
) -> Insert:
    """Insert ``values`` (a row or a list of rows) into ``target`` unless the unique key ``on``
    (default: any unique constraint) is taken."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(target).values(values).on_conflict_do_nothing(index_elements=on)
