"""Shared fixtures: databases on SQLite and PostgreSQL, and the end-to-end harness."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import Database, upgrade
from tests.dbs import BACKENDS, throwaway_url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated-nowhere, empty database URL on each backend."""
    with throwaway_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated database (via Alembic, as in production) on each backend."""
    db = Database.from_url(db_url, threads=2)
    upgrade(db.engine)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database, for tests that need one backend only."""
    db = Database.from_url(f"sqlite:///{tmp_path / 'coordbot.db'}", threads=2)
    upgrade(db.engine)
    try:
        yield db
    finally:
        db.close()


from tests.localapi_fixtures import fake_api, threaded_fake_api  # noqa: E402, F401
