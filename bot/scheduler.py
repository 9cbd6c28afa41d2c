"""The clock for reminders: APScheduler wakes the due-scan every few seconds; the database
decides what is due.

An ``AsyncIOScheduler`` runs one interval job (``every`` seconds, coalesced, no misfire drop:
a late tick simply runs; a tick while the last one still runs is skipped). Each tick queues
due ledger rows as outbox rows (``bot.reminders.queue_due``) and wakes the delivery loop; every
``replan_every`` seconds (and on start) it plans the campaign's reminders again, which inserts
only what is new.
Because nothing lives in the scheduler, a restart or a second process loses or repeats nothing.
``wait_idle`` runs one tick now (tests settle on it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.reminders import plan_campaign, queue_due

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)


class ReminderClock:
    def __init__(self, deps: Deps, *, every: float = 2.0, replan_every: float = 600.0) -> None:
        self.deps, self.every, self.replan_every = deps, every, replan_every
        self._scheduler: AsyncIOScheduler | None = None
        self._lock = asyncio.Lock()
        self._planned_at: float | None = None
        self.queued = 0

    def start(self) -> None:
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_job(
            self._scheduled_tick,
            "interval",
            seconds=self.every,
            next_run_time=datetime.now(UTC),
            max_instances=3,
            coalesce=True,
            misfire_grace_time=None,
            id="reminders-due-scan",
        )
        self._scheduler.start()

    def stop(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None

    async def _scheduled_tick(self) -> None:
        """The interval job: skip quietly if the previous tick is still running. A tick
        cancelled because the bot is stopping is not an error (its work is in the database)."""
        if not self._lock.locked():
            with contextlib.suppress(asyncio.CancelledError):
                await self.tick()

    async def tick(self, *, replan: bool = False) -> int:
        """Plan if it is time, queue what is due, wake the delivery loop; rows queued."""
        async with self._lock:
            try:
                return await self._tick(replan)
            except Exception:
                log.exception("reminder due-scan failed; next tick retries")
                return 0

    async def _tick(self, replan: bool) -> int:
        deps = self.deps
        stale = self._planned_at is None or time.monotonic() - self._planned_at > self.replan_every
        if deps.campaign_id is not None and (replan or stale):
            added = await deps.db.run(
                plan_campaign, campaign_id=deps.campaign_id, now=deps.clock.now()
            )
            self._planned_at = time.monotonic()
            if added:
                log.info("planned %d campaign reminders", added)
        queued = await deps.db.run(
            queue_due,
            now=deps.clock.now(),
            admins=deps.settings.admins | deps.extra_admins,
            t=deps.catalog.t,
            locale=deps.settings.locale,
            tz=deps.settings.tz,
        )
        if queued:
            self.queued += queued
            delivery = deps.services.get("delivery")
            if delivery is not None:
                delivery.wake()
        return int(queued)

    async def wait_idle(self) -> None:
        await self.tick()
