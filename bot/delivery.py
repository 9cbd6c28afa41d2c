"""The delivery loop: sends what the outbox holds, when it is due, once.

Rows are claimed atomically (``storage.outbox.claim_due``), sent, and marked sent or failed.
A 429 or a 5xx puts the row back with a later ``not_before``; a permanent failure (bot removed,
chat not found, blocked) is recorded and the chat marked inactive. A send in flight when the
process died is sent again on start (at most that one repeats).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram.error import RetryAfter

from bot import sender
from storage import chats, outbox

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)


class Delivery:
    def __init__(self, deps: Deps, *, holder: str, batch: int = 30) -> None:
        self.deps, self.holder, self.batch = deps, holder, batch
        self._wake = asyncio.Event()
        self._busy = False
        self._idle = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.sent = 0

    def wake(self) -> None:
        """Something was queued: look now instead of at the next poll."""
        self._idle.clear()
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_idle(self) -> None:
        """Until nothing due is left to send (tests and shutdown)."""
        self.wake()
        await self._idle.wait()

    async def _run(self) -> None:
        await self.deps.db.run(outbox.release_in_flight)
        while True:
            try:
                claimed = await self.deps.db.run(
                    outbox.claim_due,
                    now=self.deps.clock.now(),
                    holder=self.holder,
                    limit=self.batch,
                )
            except Exception:
                log.exception("outbox claim failed; retrying")
                claimed = []
                await asyncio.sleep(1)
            if claimed:
                await self._send_all(claimed)
                continue
            self._idle.set()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 1.0)

    async def _send_all(self, rows: list[Any]) -> None:
        await asyncio.gather(*(self._send_one(r.id, r.chat_id, dict(r.payload)) for r in rows))

    async def _send_one(self, row_id: int, chat_id: int, payload: dict[str, Any]) -> None:
        now = self.deps.clock.now
        try:
            msg = await sender.send_payload(self.deps.bot, chat_id, payload)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self.deps.db.run(
                outbox.retry_later,
                row_id,
                not_before=now() + timedelta(seconds=seconds),
                error=str(exc),
            )
            return
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if sender.is_permanent(exc):
                await self.deps.db.run(_permanent, row_id, chat_id, error, now())
            else:
                await self.deps.db.run(
                    outbox.retry_later,
                    row_id,
                    not_before=now() + timedelta(seconds=2),
                    error=error,
                )
            return
        self.sent += 1
        await self.deps.db.run(
            outbox.mark_results,
            [(row_id, "sent", msg.message_id if msg else None, None)],
            now=now(),
        )


def _permanent(session: Any, row_id: int, chat_id: int, error: str, now: Any) -> None:
    outbox.mark_results(session, [(row_id, "failed", None, error)], now=now)
    chats.deactivate(session, chat_id, now=now)
