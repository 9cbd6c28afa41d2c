"""A /broadcast processed twice (re-delivered, or again after a crash) queues its messages once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot import broadcast
from bot.db import Database
from storage.models.intake import OutboxMessage
from storage.models.reminders import Broadcast

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def start(database: Database, origin: int | None) -> int:
    with database.transaction() as s:
        row = broadcast.start(
            s,
            created_by=1001,
            chat_id=1001,
            locale="zh-CN",
            target="all",
            text="通知",
            photo=None,
            chat_ids=[-1, -2, -3],
            now=NOW,
            origin_update=origin,
        )
        return row.id


def test_same_update_starts_one_broadcast(database: Database) -> None:
    first = start(database, origin=77)
    assert start(database, origin=77) == first
    other = start(database, origin=78)
    assert other != first
    with database.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Broadcast)) == 2
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 6
