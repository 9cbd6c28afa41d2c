"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import Database, upgrade
from storage.models import Base


def same_float(
    _ctx: object, _reflected_col: object, _declared_col: object, reflected: Any, declared: Any
) -> bool | None:
    """FLOAT, DOUBLE and DOUBLE PRECISION are one type to us (and reflect differently)."""
    if isinstance(reflected, sa.Float) and isinstance(declared, sa.Float):
        return False
    return None  # the default comparison


def test_models_and_migrations_agree(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": same_float})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    before = sorted(inspect(database.engine).get_table_names())
    upgrade(database.engine)
    assert sorted(inspect(database.engine).get_table_names()) == before
    assert {"inbox", "outbox", "broadcasts", "evidence_files", "liaisons"} <= set(before)
