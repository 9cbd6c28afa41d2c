"""Database.run_grouped: writes that arrive together share one transaction; a failing one
fails alone and the others are committed (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bot.db import Database
from storage import outbox
from storage.models.intake import OutboxMessage

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def queue(session: Session, n: int) -> int:
    if n == 13:
        raise ValueError("unlucky")
    row = outbox.add(session, chat_id=n, payload={"text": str(n)}, now=NOW, dedupe_key=f"g{n}")
    return row.id


async def test_calls_that_arrive_together_share_a_transaction(database: Database) -> None:
    commits = []
    event.listen(database.engine, "commit", lambda _conn: commits.append(1))
    ids = await asyncio.gather(*(database.run_grouped(queue, n) for n in range(100, 140)))
    assert len(set(ids)) == 40
    assert len(commits) < 10  # typically 1 or 2: the first call may start alone


async def test_a_failing_call_fails_alone(database: Database) -> None:
    results = await asyncio.gather(
        *(database.run_grouped(queue, n) for n in range(40)), return_exceptions=True
    )
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1 and str(failed[0]) == "unlucky"
    with database.transaction() as s:
        keys = set(s.scalars(select(OutboxMessage.dedupe_key)))
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 39
    assert keys == {f"g{n}" for n in range(40) if n != 13}


async def test_a_lone_failure_is_raised(database: Database) -> None:
    with pytest.raises(ValueError, match="unlucky"):
        await database.run_grouped(queue, 13)
    assert await database.run_grouped(queue, 1) > 0


def test_replies_are_recorded_once_per_key(database: Database) -> None:
    """A re-processed update records nothing new and re-sends only what was never marked sent."""
    from bot.sender import record_replies

    keyed = [
        ("reply:7:faq:0", {"chat_id": 42, "payload": {"method": "sendMessage", "text": "一"}}),
        ("reply:7:faq:1", {"chat_id": 42, "payload": {"method": "sendMessage", "text": "二"}}),
    ]
    with database.transaction() as s:
        first = record_replies(s, keyed, now=NOW)
    assert [p.payload["text"] for p in first] == ["一", "二"]
    with database.transaction() as s:
        outbox.mark_results(s, [(first[0].id, "sent", 1, None)], now=NOW)
    with database.transaction() as s:
        again = record_replies(s, keyed, now=NOW)
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    assert [(p.id, p.payload["text"]) for p in again] == [(first[1].id, "二")]


def test_a_new_speaker_is_created_in_one_statement_and_kept_after(database: Database) -> None:
    from bot.roles import Seen, record_actor
    from storage.models.core import User

    def seen(name: str, *, admin: bool = False) -> Seen:
        return Seen(5001, "wu", name, True, frozenset({5001} if admin else ()), "zh-CN", None)

    with database.transaction() as s:
        record_actor(s, seen("小吴", admin=True), now=NOW)
    with database.transaction() as s:
        user = s.get(User, 5001)
        assert user is not None and (user.role, user.started_bot) == ("coordinator", True)
        record_actor(s, seen("吴老师"), now=NOW)  # taken id: the ORM path renames and demotes
    with database.transaction() as s:
        user = s.get(User, 5001)
        assert user is not None and (user.display_name, user.role) == ("吴老师", "resident")
        assert s.scalar(select(func.count()).select_from(User)) == 1
