"""Telegram's flood limits for sends: ~30 messages/s overall, 20 messages/min per group."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    per_second: int = 30
    per_group_per_minute: int = 20


class FloodGate:
    """Sliding windows; ``check`` returns 0 when the send may go, else ``retry_after`` seconds."""

    def __init__(self, limits: FloodLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._global: deque[float] = deque()
        self._groups: dict[int, deque[float]] = {}

    def check(self, chat_id: int, is_group: bool) -> int:
        now = self.clock()
        window = self._global
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self.limits.per_second:
            return max(1, math.ceil(window[0] + 1.0 - now))
        group_window: deque[float] | None = None
        if is_group:
            group_window = self._groups.setdefault(chat_id, deque())
            while group_window and group_window[0] <= now - 60.0:
                group_window.popleft()
            if len(group_window) >= self.limits.per_group_per_minute:
                return max(1, math.ceil(group_window[0] + 60.0 - now))
        window.append(now)
        if group_window is not None:
            group_window.append(now)
        return 0
