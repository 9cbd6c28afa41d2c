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


def queue_many(session: Session, ns: list[int]) -> list[int]:
    """A batched write: one call for the items of every call queued together."""
    if 13 in ns:
        raise ValueError("unlucky")
    return [queue(session, n) for n in ns] if ns else []


async def test_batched_calls_share_one_call_and_fail_alone(database: Database) -> None:
    calls: list[int] = []

    def counted(session: Session, ns: list[int]) -> list[int]:
        calls.append(len(ns))
        return queue_many(session, ns)

    results = await asyncio.gather(
        *(database.run_batched(counted, n) for n in range(40)), return_exceptions=True
    )
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1 and str(failed[0]) == "unlucky"
    ids = [r for r in results if not isinstance(r, Exception)]
    assert len(set(ids)) == 39
    with database.transaction() as s:  # each caller got the id of its own row
        rows = dict(s.execute(select(OutboxMessage.id, OutboxMessage.dedupe_key)).all())
    assert [rows[i] for i in ids] == [f"g{n}" for n in range(40) if n != 13]
    assert max(calls) > 1  # several items in one call (the first may run alone)


def test_turns_recorded_together_keep_their_own_replies(database: Database) -> None:
    """record_turns: one insert for the replies of many turns; each turn gets its own rows,
    a re-run of one of them gets only what it never marked sent, and new speakers are created
    once even when one speaks in two chats in the same batch."""
    from bot.roles import Seen, look_up_actors
    from bot.sender import TurnWrites, record_turns
    from storage.models.core import User

    def reply(text: str, chat: int) -> dict[str, object]:
        return {"chat_id": chat, "payload": {"method": "sendMessage", "text": text}}

    def seen(uid: int, private: bool) -> Seen:
        return Seen(uid, None, f"居民{uid}", private, frozenset(), "zh-CN", None)

    turns = [
        TurnWrites(
            [("reply:1:faq:0", reply("甲", 1)), ("reply:1:faq:1", reply("乙", 1))],
            seen(1, True),
            NOW,
        ),
        TurnWrites([("reply:2:faq:0", reply("丙", 2))], seen(2, True), NOW),
        TurnWrites([], seen(3, False), NOW),
        TurnWrites([("reply:4:faq:0", reply("丁", -5))], seen(3, True), NOW),  # same person
    ]
    with database.transaction() as s:
        first = record_turns(s, turns)
    assert [[p.payload["text"] for p in rows] for rows in first] == [
        ["甲", "乙"],
        ["丙"],
        [],
        ["丁"],
    ]
    assert [p.chat_id for p in first[3]] == [-5]
    with database.transaction() as s:
        outbox.mark_results(s, [(first[0][0].id, "sent", 1, None)], now=NOW)
        again = record_turns(s, [turns[1], turns[0]])
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 4
        assert s.scalar(select(func.count()).select_from(User)) == 3
        assert s.get(User, 3).started_bot  # type: ignore[union-attr]  # the second turn counts
    assert [[p.id for p in rows] for rows in again] == [[first[1][0].id], [first[0][1].id]]
    with database.transaction() as s:
        found = look_up_actors(s, [seen(1, True), seen(9, True), seen(3, False)])
    assert [(a.user_id, a.role, a.started_bot, write) for a, write in found] == [
        (1, "resident", True, False),
        (9, "resident", True, True),  # never seen: to be written
        (3, "resident", True, False),
    ]
