"""Flood limits on our side: at most ~30 sends/s overall and 20/min per group, replies first.

``FloodLimiter`` is a python-telegram-bot rate limiter (``ExtBot(rate_limiter=...)``), so it sees
every send: the delivery loop's bulk sends and the handlers' direct replies. A send holds a slot
from the moment it is made until one window (1 s) after it reached Telegram, taken as its
answer or ``arrival_margin`` after it was made, whichever is earlier; at most ``per_second``
slots are held. Telegram counts arrivals, so this stays under its limit unless a request takes
longer than the margin to arrive (then a 429 pauses bulk sends and the row is retried).

Bulk sends (``BULK`` set in the sending task) leave ``reserve`` slots free and wait while any
interactive send is waiting, so a user's ``/help`` during a 1000-group broadcast takes the next
free slot (~1/30 s) instead of queueing behind the broadcast. After a 429, bulk sends pause
for ``retry_after``.

Per group, the limiter remembers send times for a minute; ``chat_wait(chat_id)`` says how long
until the group may get another (the loop defers the row instead of waiting).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import time
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

BULK: contextvars.ContextVar[bool] = contextvars.ContextVar("coordbot_bulk_send", default=False)
SEND_ENDPOINTS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "sendSticker",
        "sendVideo",
        "sendAudio",
        "sendVoice",
        "sendAnimation",
        "sendLocation",
        "sendContact",
        "sendPoll",
        "sendVenue",
        "sendDice",
        "sendVideoNote",
    }
)


class FloodLimiter(BaseRateLimiter[dict[str, Any]]):
    def __init__(
        self,
        *,
        per_second: int = 30,
        per_group_per_minute: int = 20,
        reserve: int = 0,
        window: float = 1.0,
        arrival_margin: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity, self.per_group, self.reserve = per_second, per_group_per_minute, reserve
        self.window, self.clock, self.margin = window, clock, arrival_margin
        self._in_flight = 0
        self._recent: list[float] = []  # heap: when finished sends were (at the latest) counted
        self._groups: dict[int, deque[float]] = {}  # send times per group, last minute
        self._interactive_waiting = 0
        self._paused_until = 0.0
        self._changed = asyncio.Event()
        self.waits = {"bulk": 0, "interactive": 0}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no bulk sends for ``seconds``."""
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until the group ``chat_id`` may get another message (0: now)."""
        sends = self._groups.get(chat_id)
        if chat_id >= 0 or not sends:
            return 0.0
        now = self.clock()
        while sends and sends[0] <= now - 60.0:
            sends.popleft()
        if len(sends) < self.per_group:
            return 0.0
        return sends[0] + 60.0 - now + 0.5

    def _used(self, now: float) -> int:
        while self._recent and self._recent[0] <= now - self.window:
            heapq.heappop(self._recent)
        return self._in_flight + len(self._recent)

    def _notify(self) -> None:
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def _acquire(self, bulk: bool) -> None:
        if not bulk:
            self._interactive_waiting += 1
        waited = False
        try:
            while True:
                now = self.clock()
                limit = self.capacity - (self.reserve if bulk else 0)
                held = bulk and (self._interactive_waiting > 0 or now < self._paused_until)
                if not held and self._used(now) < limit:
                    self._in_flight += 1
                    return
                waited = True
                delay = self._recent[0] + self.window - now if self._recent else 0.05
                if bulk and now < self._paused_until:
                    delay = max(delay, self._paused_until - now)
                event = self._changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), max(delay, 0.002))
        finally:
            if waited:
                self.waits["bulk" if bulk else "interactive"] += 1
            if not bulk:
                self._interactive_waiting -= 1
                self._notify()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint not in SEND_ENDPOINTS:
            return await callback(*args, **kwargs)
        await self._acquire(BULK.get())
        issued = self.clock()
        chat_id = data.get("chat_id")
        if isinstance(chat_id, int) and chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(self.clock())
        try:
            return await callback(*args, **kwargs)
        finally:
            self._in_flight -= 1
            heapq.heappush(self._recent, min(self.clock(), issued + self.margin))
            self._notify()
