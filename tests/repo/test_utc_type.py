"""Timestamps go in aware and come back aware, in UTC, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db import Database
from storage.models.core import AuditEntry


def test_round_trip_keeps_the_instant_and_zone(database: Database) -> None:
    shanghai = datetime(2026, 11, 26, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with database.transaction() as s:
        s.add(AuditEntry(at=shanghai, action="test", target="", detail={}))
    with database.transaction() as s:
        back = s.scalar(select(AuditEntry.at))
    assert back is not None
    assert back.tzinfo is not None and back.utcoffset() == timedelta(0)
    assert back == shanghai
    assert back.replace(tzinfo=None) == datetime(2026, 11, 26, 7, 0)


def test_ordering_and_comparison_use_utc(database: Database) -> None:
    early = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 04:30 UTC Jan 2
    late = datetime(2026, 1, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # 02:00 UTC Jan 2
    with database.transaction() as s:
        s.add_all(
            [
                AuditEntry(at=early, action="early", detail={}),
                AuditEntry(at=late, action="late", detail={}),
            ]
        )
    with database.transaction() as s:
        order = s.scalars(select(AuditEntry.action).order_by(AuditEntry.at)).all()
        after = s.scalars(
            select(AuditEntry.action).where(AuditEntry.at > datetime(2026, 1, 2, 3, tzinfo=UTC))
        ).all()
    assert order == ["late", "early"]
    assert after == ["early"]


def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(Exception, match="naive"), database.transaction() as s:
        s.add(AuditEntry(at=datetime(2026, 1, 1), action="naive", detail={}))
        s.flush()
