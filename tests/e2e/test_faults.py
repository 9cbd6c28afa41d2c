"""Faults: a misbehaving Bot API, every update delivered twice, the database connections killed.

Each scenario checks what the user sees: every update stored and done once, every reply
recorded once and delivered once (``sent_message_id`` of the outbox row is the one message in
that chat), nothing left failed. Kill -9 runs are in the lead's process tests.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from bot.db import sqlalchemy_url
from bot.localapi import FakeBotApi, FakeChat, FakeUser, FaultPlan
from storage.models.core import User
from storage.models.intake import InboxUpdate, OutboxMessage
from tests.dbs import throwaway_url
from tests.harness import HOUSEHOLD, Harness, bot_session

PRIVATE = ["/help", "/tasks", "/status", "上门采集的流程是怎样的？", "/lang en", "/help", "/me"]


def scenario(h: Harness) -> tuple[list[FakeUser], FakeChat, int]:
    """~40 private messages from 6 residents and a few in a group; returns (residents, group,
    number of updates the bot can see)."""
    people = [h.api.add_user(f"居民{i}") for i in range(6)]
    group = h.api.add_group("居民群", members=[p.id for p in people], with_bot=True)
    updates = 0
    for i, person in enumerate(people):
        for said in PRIVATE[: 5 + i % 3]:
            h.api.send_text(h.api.private_chat(person), person, said)
            updates += 1
    for person in people[:3]:
        h.api.send_text(group, person, "/status")
        h.api.send_text(group, person, "大家好")
        updates += 2
    return people, group, updates


def check_delivered_once(h: Harness, updates: int) -> None:
    with h.deps.db.transaction() as s:
        rows = s.scalars(select(InboxUpdate)).all()
        replies = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "reply")).all()
    assert len(rows) == updates  # none lost, none stored twice
    assert Counter(r.state for r in rows) == {"done": updates}, [r.error for r in rows if r.error]
    assert replies, "the scenario got no replies at all"
    assert Counter(r.state for r in replies) == {"sent": len(replies)}
    assert len({r.dedupe_key for r in replies}) == len(replies)
    messages = Counter((r.chat_id, r.message_id) for r in h.api.sent if r.kind == "message")
    for reply in replies:
        assert messages[(reply.chat_id, reply.sent_message_id)] == 1
    per_chat = Counter(r.chat_id for r in replies)
    seen = Counter(r.chat_id for r in h.api.sent if r.kind == "message")
    for chat_id, n in per_chat.items():
        assert seen[chat_id] == n, f"chat {chat_id}: {seen[chat_id]} messages for {n} replies"


async def test_bot_api_faults_lose_and_repeat_nothing(tmp_path: Path) -> None:
    faults = FaultPlan(
        seed=11, rate=0.1, kinds=("server_error", "flood", "timeout", "drop"), scope="all"
    )
    async with bot_session(tmp_path, api=FakeBotApi(faults=faults), campaign=HOUSEHOLD) as h:
        _, _, updates = scenario(h)
        await h.settle(timeout=120)
        assert set(faults.counts) >= {"server_error", "flood", "drop"}, faults.counts
        check_delivered_once(h, updates)


async def test_every_update_delivered_twice(tmp_path: Path) -> None:
    api = FakeBotApi(deliver_twice=True)
    async with bot_session(tmp_path, api=api, campaign=HOUSEHOLD) as h:
        people, _, updates = scenario(h)
        await h.settle(timeout=60)
        assert api.updates.delivered >= 2 * updates  # really delivered twice
        check_delivered_once(h, updates)
        with h.deps.db.transaction() as s:
            users = s.scalars(select(User).where(User.id.in_([p.id for p in people]))).all()
            assert len(users) == len(people)
            assert sum(u.locale == "en" for u in users) == len(people)


@pytest.mark.postgres
async def test_bot_reconnects_after_its_database_connections_are_killed(tmp_path: Path) -> None:
    """As if PostgreSQL restarted: every connection of the bot's database is terminated (the
    shared cluster itself keeps running for everyone else)."""
    with throwaway_url("postgresql", tmp_path) as url:
        async with bot_session(tmp_path, database_url=url) as h:
            resident = h.api.add_user("小吴")
            assert "/tasks" in await h.reply_text(resident, "/help")
            killed = terminate_connections(url)
            assert killed > 0, "the bot held no connection: nothing was tested"
            assert "/tasks" in await h.reply_text(resident, "/help")
            assert "/tasks" in await h.reply_text(h.api.add_user("小郑"), "/help")
            killed = terminate_connections(url)
            assert "/tasks" in await h.reply_text(resident, "/help")
            with h.deps.db.transaction() as s:
                rows = s.scalars(select(InboxUpdate)).all()
                assert {r.state for r in rows} == {"done"}


def terminate_connections(url: str) -> int:
    name = make_url(url).database
    admin = make_url(url).set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(sqlalchemy_url(admin), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            killed = conn.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(killed)


def restart_postgres() -> bool:
    """Restart the local cluster (Debian's pg_ctlcluster, as .ci/postgres.sh starts it); False
    where this process may not (not root, or another kind of server)."""
    import os
    import shutil
    import subprocess

    if shutil.which("pg_ctlcluster") is None or os.geteuid() != 0:
        return False
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True)
    version, name = listed.stdout.split()[:2]
    subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True, timeout=120)
    return True


@pytest.mark.postgres
@pytest.mark.slow
async def test_bot_carries_on_when_postgresql_restarts(tmp_path: Path) -> None:
    """The server itself restarts while a resident writes: the update waits in Telegram (the
    poller keeps its offset), is stored once the server is back, and is answered once."""
    import asyncio

    with throwaway_url("postgresql", tmp_path) as url:
        async with bot_session(tmp_path, database_url=url) as h:
            resident = h.api.add_user("小冯")
            assert "/tasks" in await h.reply_text(resident, "/help")
            restart = asyncio.create_task(asyncio.to_thread(restart_postgres))
            await asyncio.sleep(0.2)
            h.api.send_text(h.api.private_chat(resident), resident, "/help")
            if not await restart:
                pytest.skip("cannot restart PostgreSQL here (needs root and pg_ctlcluster)")
            [during] = await h.api.wait_sent(resident.id, timeout=60)
            assert "/tasks" in during.body
            assert "/tasks" in await h.reply_text(resident, "/help")
            await h.settle()
            with h.deps.db.transaction() as s:
                states = Counter(s.scalars(select(InboxUpdate.state)))
            assert states == {"done": 3}
        assert len(h.api.sent_to(resident.id)) == 3  # each answered once
