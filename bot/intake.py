"""Durable update intake: store every update before Telegram is told, then process from the inbox.

* ``Poller`` asks ``getUpdates`` for a batch, commits it to the inbox, and only then asks for the
  next batch (the next offset is what acknowledges the previous one to Telegram).
* ``Dispatcher`` processes stored updates: the updates of one chat in order, different chats at
  once (up to ``workers``). An update is marked done, or failed with its error, once handled;
  one left pending by a crash is processed again on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections import deque
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.processing import Processing, current
from storage import inbox

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
# We call getUpdates through do_api_request on purpose (raw JSON, see Poller.run).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class Dispatcher:
    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], deps: Deps) -> None:
        self.app, self.deps = app, deps
        self._queues: dict[int, deque[tuple[int, dict[str, Any]]]] = {}
        self._slots = asyncio.Semaphore(deps.settings.workers)
        self._tasks: set[asyncio.Task[None]] = set()
        self._results: list[tuple[int, str | None]] = []
        self._idle = asyncio.Event()
        self._idle.set()
        self._flushing: asyncio.Task[None] | None = None
        self.processed = 0
        self.resumed = asyncio.Event()  # set once updates stored by an earlier run are queued

    def submit(self, rows: list[tuple[int, int | None, dict[str, Any]]]) -> None:
        """Queue stored updates ``(update_id, chat_key, raw)``, in update id order."""
        for update_id, key, raw in sorted(rows, key=lambda r: r[0]):
            key = key if key is not None else -(10**15) - update_id
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = deque()
                task = asyncio.create_task(self._drain_chat(key, queue))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            queue.append((update_id, raw))
            self._idle.clear()

    async def _drain_chat(self, key: int, queue: deque[tuple[int, dict[str, Any]]]) -> None:
        async with self._slots:
            while queue:
                update_id, raw = queue[0]
                error = await self.process(update_id, raw)
                queue.popleft()
                self._results.append((update_id, error))
                self.processed += 1
                self._schedule_flush()
        del self._queues[key]
        if not self._queues:
            await self.flush()
            if not self._queues:
                self._idle.set()

    async def process(self, update_id: int, raw: dict[str, Any]) -> str | None:
        processing = Processing(update_id)
        token = current.set(processing)
        try:
            update = Update.de_json(raw, self.app.bot)
            await self.app.process_update(update)
        except Exception as exc:  # de_json or PTB itself failed: a poisoned update
            log.exception("update %s could not be processed", update_id)
            processing.error = f"{type(exc).__name__}: {exc}"[:2000]
        finally:
            current.reset(token)
        return processing.error

    def _schedule_flush(self) -> None:
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self.flush(delay=0.02))

    async def flush(self, delay: float = 0.0) -> None:
        """Mark finished updates done/failed, in batches (one transaction per batch)."""
        if delay:
            await asyncio.sleep(delay)
        results, self._results = self._results, []
        if results:
            await self.deps.db.run_grouped(inbox.finish, results, now=self.deps.clock.now())

    async def wait_idle(self) -> None:
        await self._idle.wait()
        if self._flushing is not None:
            with contextlib.suppress(Exception):
                await self._flushing
        await self.flush()

    async def resume_pending(self) -> int:
        """Queue updates a previous run stored but did not finish."""
        rows = await self.deps.db.run(_pending_rows)
        self.submit(rows)
        self.resumed.set()
        return len(rows)

    async def chat_idle(self, chat_id: int) -> None:
        """Until every stored update of this chat (including resumed ones) is processed."""
        await self.resumed.wait()
        while chat_id in self._queues:
            await asyncio.sleep(0.05)


def _pending_rows(session: Any) -> list[tuple[int, int | None, dict[str, Any]]]:
    return [(r.update_id, r.chat_key, r.raw) for r in inbox.pending(session)]


def _store(session: Any, raws: list[dict[str, Any]], now: Any) -> list[tuple[int, int | None, Any]]:
    return [(r.update_id, r.chat_key, r.raw) for r in inbox.store(session, raws, now=now)]


async def accept(deps: Deps, dispatcher: Dispatcher, raws: list[dict[str, Any]]) -> int:
    """Commit updates to the inbox, then hand the new ones to the dispatcher."""
    rows = await deps.db.run(_store, raws, deps.clock.now())
    dispatcher.submit(rows)
    return len(rows)


class Poller:
    """Long polling that acknowledges a batch only after it is committed to the inbox."""

    def __init__(self, deps: Deps, dispatcher: Dispatcher, *, timeout: int = 20) -> None:
        self.deps, self.dispatcher, self.timeout = deps, dispatcher, timeout
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                # Raw JSON, not PTB objects: one malformed update must not sink its whole batch;
                # it is stored like the others and fails alone when processed.
                raws = await self.deps.bot.do_api_request(
                    "getUpdates",
                    api_kwargs={
                        "offset": self.offset,
                        "timeout": self.timeout,
                        "allowed_updates": list(Update.ALL_TYPES),
                    },
                    read_timeout=self.timeout + 10,
                )
            except InvalidToken:
                raise
            except Conflict as exc:
                log.error("Telegram refused polling (%s); retrying in 5 s", exc)
                await _sleep_or_stop(stop, 5)
                continue
            except RetryAfter as exc:  # 429 on getUpdates: wait as told, then poll again
                wait = exc.retry_after
                seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
                log.warning("getUpdates: flood control; retrying in %.1f s", seconds)
                await _sleep_or_stop(stop, seconds)
                continue
            except (TimedOut, NetworkError, TelegramError) as exc:
                log.warning("getUpdates failed (%s); retrying in %.1f s", exc, backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 30)
                continue
            raws = [r for r in raws or [] if isinstance(r, dict) and "update_id" in r]
            if not raws:
                backoff = 0.5
                continue
            try:
                await accept(self.deps, self.dispatcher, raws)
            except Exception as exc:  # database down: keep the offset, fetch the batch again
                log.error("storing updates failed (%s); retrying in %.1f s", exc, backoff)
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, 30)
                continue
            backoff = 0.5
            self.offset = max(int(r["update_id"]) for r in raws) + 1


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
