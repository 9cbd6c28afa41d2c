"""Acknowledging albums once: after a quiet period with no new item, re-read the DB and finish.

The items themselves are in the database (``bot.evidence.albums``); this only keeps one timer
per (chat, media group). On start, albums a previous run left unacknowledged are finished, once
the updates of their chat that the previous run stored are processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from bot.evidence import albums
from bot.evidence.render import ack_text, translator
from bot.evidence.report import Outcome

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
QUIET_SECONDS = 1.5
SERVICE = "evidence.albums"


class AlbumCollector:
    def __init__(self, deps: Deps, *, quiet: float = QUIET_SECONDS) -> None:
        self.deps, self.quiet = deps, quiet
        self._timers: dict[tuple[int, str], asyncio.Task[None]] = {}

    def touch(self, chat_id: int, media_group_id: str) -> None:
        """An item arrived: (re)start the album's quiet period."""
        key = (chat_id, media_group_id)
        old = self._timers.get(key)
        if old is not None and not old.done():
            old.cancel()
        self._timers[key] = asyncio.create_task(self._later(key, self.quiet))

    async def _later(self, key: tuple[int, str], delay: float) -> None:
        await asyncio.sleep(delay)
        await self._chat_caught_up(key[0])
        try:
            await self.finish(*key)
        except Exception:
            log.exception("finishing album %s failed", key)
        finally:
            if self._timers.get(key) is asyncio.current_task():
                del self._timers[key]

    async def finish(self, chat_id: int, media_group_id: str) -> Outcome | None:
        deps = self.deps

        def render(out: Outcome) -> str:
            return ack_text(translator(deps.catalog, out.locale or deps.settings.locale), out)

        result = await deps.db.run(
            albums.finish,
            chat_id=chat_id,
            media_group_id=media_group_id,
            now=deps.clock.now(),
            render=render,
        )
        delivery = deps.services.get("delivery")
        if result is not None and delivery is not None:
            delivery.wake()
        return result

    async def _chat_caught_up(self, chat_id: int) -> None:
        """More items of the album may still be in the inbox (e.g. stored before a crash and
        resumed after this timer started): finish only once the chat's updates are processed."""
        while "dispatcher" not in self.deps.services:
            await asyncio.sleep(0.05)
        await self.deps.services["dispatcher"].chat_idle(chat_id)

    async def recover(self) -> int:
        """Finish albums left unacknowledged by a previous run (after a quiet period)."""
        pending = await self.deps.db.run(albums.unfinished)
        for chat_id, group in pending:
            self.touch(chat_id, group)
        return len(pending)

    async def wait_idle(self) -> None:
        """Until every album timer has fired (tests and shutdown)."""
        while self._timers:
            await asyncio.gather(*list(self._timers.values()), return_exceptions=True)

    async def stop(self) -> None:
        for task in list(self._timers.values()):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._timers.clear()
