"""The delivery loop: sends what the outbox holds, when it is due, once, within flood limits.

Rows are claimed atomically (``storage.outbox.claim_due``), sent, and marked sent or failed in
one transaction with what follows from it (the chat marked inactive, a broadcast's report
queued). Up to ``concurrency`` rows are in flight; ``FloodLimiter`` (installed on the bot, so it
also sees the handlers' direct replies) paces them under Telegram's ~30 messages/s, leaving a
slot for interactive replies, which always go first. A group that had 20 messages in the last
minute has its next row deferred rather than waited for.

Failures: a 429 pauses bulk sends for ``retry_after`` and retries; 5xx, timeouts and network
errors retry with exponential backoff (short waits in place, long ones as a later
``not_before``); at ``max_attempts`` the row fails. Permanent failures (bot removed, chat not
found, blocked) fail at once and mark the chat inactive. A send in flight when the process died
is sent again on start (at most those repeat).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from telegram.error import BadRequest, ChatMigrated, RetryAfter

from bot import sender
from bot.flood import BULK, FloodLimiter
from storage import chats, outbox
from storage.models.intake import OutboxMessage

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
IN_PLACE = 5.0  # retry waits up to this long happen in the task; longer ones go to the database


class Delivery:
    def __init__(self, deps: Deps, *, holder: str, batch: int = 40, max_attempts: int = 8) -> None:
        self.deps, self.holder = deps, holder
        self.concurrency, self.max_attempts = batch, max_attempts
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.failed = 0

    @property
    def limiter(self) -> FloodLimiter | None:
        found = getattr(self.deps.bot, "rate_limiter", None)
        return found if isinstance(found, FloodLimiter) else None

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._sending) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def wait_idle(self) -> None:
        """Until nothing due is left to send (tests and shutdown)."""
        self.wake()
        await self._idle.wait()

    async def _run(self) -> None:
        released = await self.deps.db.run(outbox.release_in_flight)
        if released:
            log.info("%d sends were in flight at the last stop; sending them again", released)
        while True:
            self._wake.clear()
            claimed = await self._claim(self.concurrency - len(self._sending))
            for row in claimed:
                task = asyncio.create_task(
                    self._send_one(row.id, row.chat_id, row.attempts, dict(row.payload))
                )
                self._sending.add(task)
                task.add_done_callback(self._done)
            if claimed:
                continue
            if not self._sending and not self._wake.is_set():
                self._idle.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery task failed", exc_info=task.exception())
        self._wake.set()

    async def _claim(self, free: int) -> list[Any]:
        if free <= 0:
            return []
        try:
            return await self.deps.db.run(
                outbox.claim_due, now=self.deps.clock.now(), holder=self.holder, limit=free
            )
        except Exception:
            log.exception("outbox claim failed; retrying")
            await asyncio.sleep(1)
            return []

    async def _send_one(
        self, row_id: int, chat_id: int, attempts: int, payload: dict[str, Any]
    ) -> None:
        BULK.set(True)  # this task's requests are bulk for the limiter (replies go first)
        db, now = self.deps.db, self.deps.clock.now
        while True:
            limiter = self.limiter
            wait = limiter.chat_wait(chat_id) if limiter is not None else 0.0
            if wait > 0:  # this group had its 20 messages this minute: later, not now
                await db.run(
                    outbox.retry_later,
                    row_id,
                    not_before=now() + timedelta(seconds=wait),
                    error="deferred: per-chat limit",
                    count=False,
                )
                return
            try:
                message_id = await sender.send_payload(self.deps.bot, chat_id, payload)
            except RetryAfter as exc:
                seconds = _seconds(exc.retry_after)
                if limiter is not None:
                    limiter.pause(seconds)
                delay, error = seconds, f"RetryAfter: {seconds:g}s"
            except ChatMigrated as exc:
                await db.run(outbox.move_chat, row_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
                continue
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
                permanent = sender.is_permanent(exc)
                if permanent or isinstance(exc, BadRequest):
                    await self._finish(row_id, chat_id, "failed", None, error, permanent)
                    return
                delay = min(0.5 * 2 ** (attempts + 1), 300.0)
            else:
                self.sent += 1
                await self._finish(row_id, chat_id, "sent", message_id)
                return
            attempts += 1
            if attempts >= self.max_attempts:
                await self._finish(row_id, chat_id, "failed", None, f"gave up: {error}")
                return
            if delay > IN_PLACE:
                await db.run(
                    outbox.retry_later,
                    row_id,
                    not_before=now() + timedelta(seconds=delay),
                    error=error,
                )
                return
            await db.run(outbox.count_attempt, row_id, error=error)
            await asyncio.sleep(delay)

    async def _finish(
        self,
        row_id: int,
        chat_id: int,
        state: str,
        message_id: int | None,
        error: str | None = None,
        deactivate: bool = False,
    ) -> None:
        if state == "failed":
            self.failed += 1
            log.warning("outbox %s to chat %s failed: %s", row_id, chat_id, error)
        queued = await self.deps.db.run(
            finish,
            row_id,
            chat_id,
            state,
            message_id,
            error,
            deactivate=deactivate,
            now=self.deps.clock.now(),
            t=self.deps.catalog.t,
        )
        if queued:
            self.wake()


def finish(
    session: Session,
    row_id: int,
    chat_id: int,
    state: str,
    message_id: int | None,
    error: str | None,
    *,
    deactivate: bool,
    now: datetime,
    t: Any,
) -> bool:
    """Mark one row finished and do what follows, in one transaction; True if a new message
    (a broadcast's delivery report) was queued."""
    from bot import broadcast
    from bot.reminders import ledger

    outbox.mark_results(session, [(row_id, state, message_id, error)], now=now)
    if deactivate:
        chats.deactivate(session, chat_id, now=now)
    row = session.get(OutboxMessage, row_id)
    batch = row.batch if row is not None else None
    if not batch:
        return False
    if batch.startswith(broadcast.BATCH_PREFIX):
        return broadcast.on_row_finished(session, batch, now=now, t=t)
    if batch.startswith(ledger.BATCH_PREFIX):
        ledger.on_row_finished(session, batch, now=now)
    return False


def _seconds(wait: Any) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
