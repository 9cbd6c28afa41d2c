"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.db import Database, make_engine, upgrade
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


def test_heads_read_from_the_files_are_alembics(db_url: str) -> None:
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config, is_current, migration_heads

    script = ScriptDirectory.from_config(alembic_config(db_url))
    assert migration_heads() == set(script.get_heads())
    engine = make_engine(db_url)
    try:
        assert not is_current(engine)  # empty: no version table
        upgrade(engine)
        assert is_current(engine)
    finally:
        engine.dispose()


def test_a_current_database_starts_without_alembic(db_url: str) -> None:
    """`coordbot run` on a migrated database never imports Alembic (memory: bench/memory.py)."""
    import subprocess
    import sys

    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    probe = (
        "import sys; from bot.db import make_engine, upgrade; "
        f"upgrade(make_engine({db_url!r})); print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
