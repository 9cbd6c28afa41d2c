"""One connection per bot across processes: a second instance stands by under the database
lease (no kicking each other off) and takes over when the first dies. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.transports.wecom.lease import BotLease, holder_name, lease_name
from storage import leases
from tests.fakes.wecom import FakeWeCom
from tests.wecom.conftest import BOT, SECRET, Runner, until


def lease_of(database: Database, tag: str) -> BotLease:
    return BotLease(database, BOT, holder_name(tag), ttl=1.0, renew_every=0.2, poll_every=0.1)


async def test_kill_9_of_the_holder_hands_over_to_the_stand_by(
    fake: FakeWeCom, start: Runner, database: Database, db_url: str
) -> None:
    url = fake.url  # type: ignore[attr-defined]
    first = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.wecom.hold_connection", url, db_url, BOT, SECRET
    )
    try:
        await until(lambda: fake.subscribes == 1, within=30)
        second = await start(connected=False, lease=lease_of(database, "b"))
        await until(lambda: second.state == "standby")
        await asyncio.sleep(0.5)  # several polls of the lease: it keeps standing by
        assert second.state == "standby" and fake.subscribes == 1
        os.kill(first.pid, signal.SIGKILL)  # no clean-up: the lease stays in the table
        await until(lambda: second.state == "connected", within=30)
        assert fake.subscribes == 2
        holder = await database.run(leases.acquire, lease_name(BOT), "probe", now=now(), ttl=ttl())
        assert holder == holder_name("b")
    finally:
        if first.returncode is None:
            first.kill()
        await first.wait()


def now() -> datetime:
    return datetime.now(UTC)


def ttl() -> timedelta:
    return timedelta(seconds=1)


async def test_a_holder_elsewhere_is_replaced_when_its_lease_expires(
    fake: FakeWeCom, start: Runner, database: Database
) -> None:
    # a coordbot on another host that stopped renewing: its pid cannot be checked from here
    await database.run(
        leases.acquire, lease_name(BOT), "otherhost:4242", now=now(), ttl=timedelta(seconds=1)
    )
    client = await start(connected=False, lease=lease_of(database, "a"))
    await until(lambda: client.state == "standby")
    assert fake.subscribes == 0
    await until(lambda: client.state == "connected")
    assert fake.subscribes == 1


async def test_two_instances_in_one_database_take_turns(
    fake: FakeWeCom, start: Runner, database: Database
) -> None:
    first = await start(lease=lease_of(database, "1"))
    second = await start(connected=False, lease=lease_of(database, "2"))
    await until(lambda: second.state == "standby")
    await asyncio.sleep(0.5)  # renewals keep the first in, the second out
    assert (first.state, second.state, fake.subscribes) == ("connected", "standby", 1)
    first.stop.set()  # type: ignore[attr-defined]
    assert await first.task == "stopped"  # type: ignore[attr-defined]
    await until(lambda: second.state == "connected")
    assert fake.subscribes == 2


async def test_a_lost_lease_hands_the_connection_over(
    fake: FakeWeCom, start: Runner, database: Database
) -> None:
    client = await start(lease=lease_of(database, "x"))
    # another instance holds the lease now (e.g. this one stalled past its TTL meanwhile)
    taken = await database.run(
        leases.take_over,
        lease_name(BOT),
        "otherhost:7",
        dead=holder_name("x"),
        now=now(),
        ttl=timedelta(minutes=5),
    )
    assert taken
    await until(lambda: client.state == "standby" and BOT not in fake.live)
    assert fake.subscribes == 1  # it went away instead of fighting for the connection
