"""Update delivery: the getUpdates queue with Telegram's offset semantics, and webhook pushes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

import aiohttp

from bot.localapi.models import JSON, ApiError

log = logging.getLogger(__name__)

#: What Telegram sends when allowed_updates was never set (or set to an empty list).
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def update_type(update: JSON) -> str:
    return next((k for k in update if k != "update_id"), "")


@dataclass
class WebhookConfig:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    attempts: int = 0
    statuses: list[int | None] = field(default_factory=list)


class UpdateQueue:
    """Pending updates; ``confirm(offset)`` forgets every update with a smaller id for good."""

    def __init__(self, deliver_twice: bool = False) -> None:
        self._pending: deque[JSON] = deque()
        self._replay: deque[JSON] = deque()  # already delivered once, delivered again
        self._replayed: set[int] = set()
        self._wakeup = asyncio.Event()
        self._next_id = 1
        self._poll_generation = 0
        self.deliver_twice = deliver_twice
        self.allowed: frozenset[str] | None = None  # None: the default set
        self.delivered = 0
        self.closed = False

    def __len__(self) -> int:
        return len(self._pending)

    def _wake(self) -> None:
        event, self._wakeup = self._wakeup, asyncio.Event()
        event.set()

    def continue_after(self, update_id: int) -> None:
        """Give new updates ids above ``update_id``: Telegram's keep growing for a bot, and a
        bot that stored earlier ones ignores them as re-deliveries."""
        self._next_id = max(self._next_id, update_id + 1)

    def push(self, update: JSON) -> JSON:
        """Queue an update, giving it the next update_id unless it has one."""
        if "update_id" not in update:
            update = {"update_id": self._next_id, **update}
        self._next_id = max(self._next_id, int(update["update_id"]) + 1)
        self._pending.append(update)
        self._wake()
        return update

    def close(self) -> None:
        self.closed = True
        self._wake()

    def drop_all(self) -> None:
        self._pending.clear()
        self._replay.clear()

    def confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and int(self._pending[0]["update_id"]) < offset:
            self._pending.popleft()

    def _is_allowed(self, update: JSON) -> bool:
        kind = update_type(update)
        if self.allowed is None:
            return kind not in DEFAULT_EXCLUDED
        return kind in self.allowed

    def set_allowed(self, allowed: Iterable[str] | None) -> None:
        if allowed is None:
            return
        values = frozenset(allowed)
        self.allowed = values or None

    def take(self, limit: int) -> list[JSON]:
        """Up to ``limit`` updates to hand out (they stay pending until confirmed)."""
        out: list[JSON] = []
        while self._replay and len(out) < limit:
            out.append(self._replay.popleft())
        for update in self._pending:
            if len(out) >= limit:
                break
            if self._is_allowed(update):
                out.append(update)
        if self.deliver_twice:
            for update in out:
                if update["update_id"] not in self._replayed:
                    self._replayed.add(update["update_id"])
                    self._replay.append(update)
        self.delivered += len(out)
        return out

    async def get_updates(self, offset: int | None, limit: int, timeout: float) -> list[JSON]:
        if offset is not None:
            self.confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            event = self._wakeup
            found = self.take(limit)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or self.closed:
                return found
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def kick_pollers(self) -> None:
        """Make a waiting getUpdates return (used when a webhook is set)."""
        self._poll_generation += 1
        self._wake()

    # ----- webhook --------------------------------------------------------------------------
    async def push_webhook(
        self, config: WebhookConfig, retry_delay: float, max_delay: float
    ) -> None:
        """Deliver pending updates in order, one POST each, retrying until the answer is 200."""
        async with aiohttp.ClientSession() as session:
            delay = retry_delay
            while not self.closed and config.url:
                event = self._wakeup
                if not self._pending:
                    await event.wait()
                    continue
                update = self._pending[0]
                ok = await self._post(session, config, update)
                if ok and self.deliver_twice:
                    await self._post(session, config, update)
                if ok:
                    if self._pending and self._pending[0] is update:
                        self._pending.popleft()
                    self.delivered += 1
                    delay = retry_delay
                    continue
                config.last_error_date = int(time.time())
                await asyncio.sleep(delay)
                delay = min(delay * 2, max_delay)

    async def _post(
        self, session: aiohttp.ClientSession, config: WebhookConfig, update: JSON
    ) -> bool:
        headers = {}
        if config.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = config.secret_token
        config.attempts += 1
        status: int | None = None
        try:
            async with session.post(
                config.url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
            ) as response:
                status = response.status
                await response.read()
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            config.last_error_message = f"Connection failed: {exc!r}"
        config.statuses.append(status)
        if status is not None and status != 200:
            config.last_error_message = f"Wrong response from the webhook: {status}"
        return status == 200
