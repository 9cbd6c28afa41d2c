"""Per-chat flood limits that queue instead of dropping, and texts split under WeCom's limit.

WeCom allows, per chat, replies and pushes together ≤ 30 a minute and ≤ 1000 an hour, and
uploads ≤ 30 a minute per bot; a stream or markdown content holds ≤ 20480 bytes of UTF-8
(aibot-node-sdk ``src/types/api.ts``, ``StreamReplyBody``).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

MAX_CONTENT_BYTES = 20480
WINDOWS = ((60.0, 30), (3600.0, 1000))


class RateLimiter:
    """Sliding windows per key; ``acquire`` waits (in arrival order per key) until a send fits."""

    def __init__(
        self,
        windows: tuple[tuple[float, int], ...] = WINDOWS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.windows = windows
        self.clock, self.sleep = clock, sleep
        self._sent: dict[str, deque[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.waited = 0.0  # seconds spent queueing, for logs and tests

    def wait_time(self, key: str) -> float:
        """Seconds until one more send to ``key`` fits every window (0 when it fits now)."""
        now = self.clock()
        sent = self._sent.get(key)
        if not sent:
            return 0.0
        longest = max(span for span, _ in self.windows)
        while sent and sent[0] <= now - longest:
            sent.popleft()
        wait = 0.0
        for span, limit in self.windows:
            inside = [t for t in sent if t > now - span]
            if len(inside) >= limit:
                wait = max(wait, inside[len(inside) - limit] + span - now)
        return wait

    async def acquire(self, key: str) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            while (wait := self.wait_time(key)) > 0:
                self.waited += wait
                await self.sleep(wait)
            self._sent.setdefault(key, deque()).append(self.clock())
        if not lock.locked() and not self._sent.get(key):
            self._locks.pop(key, None)


def split_text(text: str, limit: int = MAX_CONTENT_BYTES) -> list[str]:
    """Pieces of at most ``limit`` UTF-8 bytes, cut at a blank line, else a line end, else a
    space, else between characters (never inside one)."""
    pieces: list[str] = []
    rest = text
    while True:
        window = rest[: limit + 1]  # a character is at least one byte: the cut lies in here
        if len(rest) <= limit and len(window.encode("utf-8")) <= limit:
            break
        head = window.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        cut = max(head.rfind("\n\n"), 0) or max(head.rfind("\n"), 0) or max(head.rfind(" "), 0)
        if cut <= len(head) // 4:
            cut = len(head)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return [p for p in pieces if p] or [""]
