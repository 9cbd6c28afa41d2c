"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database per use."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.db import sqlalchemy_url

POSTGRES_ENV = "COORDBOT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


@contextlib.contextmanager
def throwaway_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """Yield a database URL that exists only for the ``with`` block."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / f'test-{uuid.uuid4().hex[:8]}.db'}"
        return
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip(f"{POSTGRES_ENV} is not set (see .ci/run)")
    with temporary_postgres(admin) as url:
        yield url


@contextlib.contextmanager
def temporary_postgres(admin_url: str, prefix: str = "coordbot_test") -> Iterator[str]:
    """Create a fresh database on the server ``admin_url`` points to; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_engine(
        sqlalchemy_url(admin_url), isolation_level="AUTOCOMMIT", pool_pre_ping=True
    )
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
