"""Inbox rows: stored once per update id, pending until finished, retried by hand, pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.db import Database
from storage import inbox, leases
from storage.models.intake import InboxUpdate

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def update(uid: int, chat: int = 42) -> dict[str, object]:
    return {
        "update_id": uid,
        "message": {"message_id": uid, "date": 0, "chat": {"id": chat, "type": "private"}},
    }


def test_store_is_idempotent_and_keyed_by_chat(database: Database) -> None:
    with database.transaction() as s:
        first = inbox.store(s, [update(1), update(2, chat=-100)], now=NOW)
        assert [(r.update_id, r.chat_key) for r in first] == [(1, 42), (2, -100)]
    with database.transaction() as s:
        again = inbox.store(s, [update(2, chat=-100), update(3), update(3)], now=NOW)
        assert [r.update_id for r in again] == [3]
        assert [r.update_id for r in inbox.pending(s)] == [1, 2, 3]


def test_finish_retry_and_prune(database: Database) -> None:
    with database.transaction() as s:
        inbox.store(s, [update(1), update(2), update(3)], now=NOW)
    with database.transaction() as s:
        inbox.finish(s, [(1, None), (2, "ValueError: bad")], now=NOW)
    with database.transaction() as s:
        assert inbox.counts(s) == {"done": 1, "failed": 1, "pending": 1}
        raws = {r.update_id: r.raw for r in s.scalars(select(InboxUpdate))}
        assert raws[1] == {}  # done: content dropped
        assert raws[2]["message"]["message_id"] == 2  # failed: kept for a retry
        assert [(r.update_id, r.error) for r in inbox.failed(s)] == [(2, "ValueError: bad")]
        assert inbox.retry(s, 2) is True
        assert inbox.retry(s, 1) is False  # only failed updates are retried
    with database.transaction() as s:
        assert [r.update_id for r in inbox.pending(s)] == [2, 3]
        assert inbox.prune(s, now=NOW + timedelta(days=6), keep=timedelta(days=7)) == 0
        assert inbox.prune(s, now=NOW + timedelta(days=8), keep=timedelta(days=7)) == 1
        assert inbox.counts(s)["done"] == 0


def test_chat_key_of_every_kind_of_update() -> None:
    assert inbox.chat_key({"update_id": 1, "callback_query": {"from": {"id": 7}}}) == 7
    member = {"chat": {"id": -5}, "from": {"id": 7}}
    assert inbox.chat_key({"update_id": 1, "my_chat_member": member}) == -5
    assert inbox.chat_key({"update_id": 1, "edited_message": {"chat": {"id": 9}}}) == 9
    assert inbox.chat_key({"update_id": 1, "poll": {"id": "x"}}) is None


def test_poller_lease_is_exclusive_until_it_expires(database: Database) -> None:
    ttl = timedelta(seconds=45)
    with database.transaction() as s:
        assert leases.acquire(s, "poller", "host:1", now=NOW, ttl=ttl) is None
    with database.transaction() as s:
        assert leases.acquire(s, "poller", "host:2", now=NOW, ttl=ttl) == "host:1"
        assert leases.acquire(s, "poller", "host:1", now=NOW, ttl=ttl) is None  # renewal
    with database.transaction() as s:
        later = NOW + timedelta(seconds=60)
        assert leases.acquire(s, "poller", "host:2", now=later, ttl=ttl) is None
        assert leases.take_over(s, "poller", "host:3", dead="host:1", now=later, ttl=ttl) is False
        assert leases.take_over(s, "poller", "host:3", dead="host:2", now=later, ttl=ttl) is True
