"""``INSERT … ON CONFLICT DO NOTHING`` on whichever database the session is on (SQLite or
PostgreSQL): how rows are added when their key may already be there (a re-processed update,
two planners at once). Never commits."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable


def insert_many_or_skip(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    on: Sequence[str] | None = None,
    returning: Sequence[str] = (),
) -> list[Any]:
    """Insert ``rows`` (all of one shape) into ``table``, skipping those whose unique key ``on``
    (default: any unique constraint) is taken: one ``executemany`` of a statement compiled once
    (no literal values to build and cache per call). Returns the ``returning`` columns of the rows
    that went in (in no particular order), or nothing without ``returning``."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    statement = _skip_statement(dialect, table, tuple(on or ()), tuple(returning))
    result = session.connection().execute(statement, rows)
    return list(result) if returning else []


@functools.cache
def _skip_statement(
    dialect: str, table: Table, on: tuple[str, ...], returning: tuple[str, ...]
) -> Executable:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).on_conflict_do_nothing(index_elements=list(on) or None)
    if returning:
        return statement.returning(*(table.c[name] for name in returning))
    return statement
