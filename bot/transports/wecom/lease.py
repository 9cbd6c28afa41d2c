"""One connection per bot across processes: the connection is held under a named lease in the
database (``storage.leases``, as the Telegram poller's in ``bot/serve.py``). A second instance
stands by, polling the lease, and takes over when the holder stops renewing it (or at once
when the holder is a process on this host that no longer exists)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db import Database
from storage import leases

log = logging.getLogger(__name__)


def lease_name(bot_id: str) -> str:
    """``wecom:`` and a digest of the bot id (the lease name column holds 40 characters)."""
    return "wecom:" + hashlib.sha256(bot_id.encode()).hexdigest()[:16]


def holder_name(tag: str = "") -> str:
    """``host:pid``, as the Telegram poller's; ``tag`` tells two clients in one process apart."""
    return f"{socket.gethostname()}:{os.getpid()}" + (f"/{tag}" if tag else "")


class BotLease:
    """Take, renew and give back one bot's lease. TTL 25 s, renewed every 8 s, a stand-by polls
    every 5 s: a dead holder is replaced within 30 s."""

    def __init__(
        self,
        db: Database,
        bot_id: str,
        holder: str,
        *,
        ttl: float = 25.0,
        renew_every: float = 8.0,
        poll_every: float = 5.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db, self.name, self.holder = db, lease_name(bot_id), holder
        self.ttl, self.renew_every, self.poll_every = (
            timedelta(seconds=ttl),
            renew_every,
            poll_every,
        )
        self.now = now

    async def try_take(self) -> str | None:
        """Hold the lease; None on success, else the live holder."""
        try:
            other = await self.db.run(
                leases.acquire, self.name, self.holder, now=self.now(), ttl=self.ttl
            )
        except (IntegrityError, OperationalError):
            return "another process"  # two first acquirers raced on the insert
        if other is None or not _dead_here(other):
            return other
        taken = await self.db.run(
            leases.take_over, self.name, self.holder, dead=other, now=self.now(), ttl=self.ttl
        )
        return None if taken else other

    async def wait_for_turn(self, stop: asyncio.Event) -> bool:
        """Stand by until the lease is ours (True) or ``stop`` is set (False)."""
        announced = None
        while not stop.is_set():
            other = await self.try_take()
            if other is None:
                return True
            if other != announced:
                log.info("WeCom: %s holds this bot's connection; standing by", other)
                announced = other
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_every)
        return False

    async def keep(self) -> str:
        """Renew until someone else holds the lease; return that holder (runs until cancelled)."""
        while True:
            await asyncio.sleep(self.renew_every)
            other = await self.try_take()
            if other is not None:
                return other

    async def release(self) -> None:
        await self.db.run(leases.release, self.name, self.holder)


def _dead_here(holder: str) -> bool:
    """A holder on this host whose process has gone (killed -9, crashed)."""
    host, _, rest = holder.partition(":")
    pid = rest.split("/", 1)[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
