"""What tests look at: everything the bot sent, waiting for it, callbacks on each send."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from bot.localapi.models import SentRecord

log = logging.getLogger(__name__)
T = TypeVar("T")
SentCallback = Callable[[SentRecord], Any]


class InspectionMixin:
    sent: list[SentRecord]
    on_sent: list[SentCallback]
    _by_chat: dict[int, list[SentRecord]]
    _changed: asyncio.Event
    _mark: int

    def _init_inspection(self) -> None:
        self.sent = []
        self.on_sent = []
        self._by_chat = {}
        self._changed = asyncio.Event()
        self._mark = 0
        self._tasks: set[asyncio.Future[Any]] = set()

    def notify(self) -> None:
        """Wake everything waiting in ``wait_for``."""
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def record(self, record: SentRecord) -> None:
        self.sent.append(record)
        self._by_chat.setdefault(record.chat_id, []).append(record)
        for callback in list(self.on_sent):
            try:
                result = callback(record)
                if inspect.isawaitable(result):
                    task = asyncio.ensure_future(result)
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
            except Exception:
                log.exception("on_sent callback failed")
        self.notify()

    def mark(self) -> int:
        """Remember "now" in the sent list; ``wait_sent`` counts from the latest mark."""
        self._mark = len(self.sent)
        return self._mark

    def sent_to(self, chat_id: int | Any, kind: str | None = "message") -> list[SentRecord]:
        """What the bot did in a chat (by default: new messages only; ``kind=None``: all)."""
        key = getattr(chat_id, "id", chat_id)
        records = self._by_chat.get(int(key), [])
        return [r for r in records if kind is None or r.kind == kind]

    def messages_since(
        self, index: int, chat_id: Any = None, kind: str | None = "message"
    ) -> list[SentRecord]:
        key = None if chat_id is None else int(getattr(chat_id, "id", chat_id))
        return [
            r
            for r in self.sent[index:]
            if (key is None or r.chat_id == key) and (kind is None or r.kind == kind)
        ]

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 10) -> T:
        """Wait until ``predicate()`` returns something truthy (re-checked on every change)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s; {self._summary()}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(remaining, 0.5))

    async def wait_sent(
        self,
        chat_id: Any = None,
        count: int = 1,
        timeout: float = 10,
        kind: str | None = "message",
        since: int | None = None,
    ) -> list[SentRecord]:
        """Wait for ``count`` records sent after ``since`` (default: the last playing-user action
        or ``mark()``) to ``chat_id`` (None: any chat); return all of them."""
        start = self._mark if since is None else since

        def found() -> list[SentRecord]:
            records = self.messages_since(start, chat_id, kind)
            return records if len(records) >= count else []

        return await self.wait_for(found, timeout)

    def _summary(self) -> str:
        tail = self.sent[-5:]
        shown = "; ".join(f"{r.method}->{r.chat_id}: {r.body[:60]!r}" for r in tail)
        return f"{len(self.sent)} records sent, last: {shown or 'none'}"
