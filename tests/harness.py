"""The end-to-end harness: the real bot (PTB + inbox + handlers) against the fake Bot API.

async with bot_session(tmp_path) as h:
    h.api.send_text(h.api.private_chat(user), user, "/help")
    reply = await h.reply_to(user)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import PTBApp, build_application, prepare, running
from bot.clock import Clock
from bot.deps import Deps
from bot.intake import Dispatcher, Poller
from bot.localapi import FakeBotApi, FakeUser, SentRecord
from bot.settings import ROOT, Settings, load_settings

QUALITY_CITY = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"
HOUSEHOLD = ROOT / "config" / "campaigns" / "household-survey-2018.yaml"
ADMIN_ID = 1001


@dataclass
class Harness:
    api: FakeBotApi
    deps: Deps
    app: PTBApp
    dispatcher: Dispatcher
    settings: Settings

    @property
    def admin(self) -> FakeUser:
        return self.api.world.user(ADMIN_ID)

    async def settle(self, timeout: float = 15) -> None:
        """Wait until every update sent so far is stored, processed and answered."""
        queue = self.api.updates
        await self.api.wait_for(lambda: len(queue) == 0 and not queue._replay, timeout)
        await asyncio.wait_for(self.dispatcher.wait_idle(), timeout)
        for service in list(self.deps.services.values()):
            idle = getattr(service, "wait_idle", None)
            if idle is not None and service is not self.dispatcher:
                await asyncio.wait_for(idle(), timeout)

    async def say(self, user: FakeUser, text: str, chat: Any = None) -> list[SentRecord]:
        """``user`` writes ``text`` (privately unless ``chat``); return what the bot sent back."""
        target = chat if chat is not None else self.api.private_chat(user)
        start = self.api.mark()
        self.api.send_text(target, user, text)
        await self.settle()
        return self.api.messages_since(start, target)

    async def reply_text(self, user: FakeUser, text: str, chat: Any = None) -> str:
        sent = await self.say(user, text, chat)
        return "\n".join(r.body for r in sent)


@contextlib.asynccontextmanager
async def bot_session(
    tmp_path: Path,
    *,
    campaign: Path | None = QUALITY_CITY,
    admins: tuple[int, ...] = (ADMIN_ID,),
    clock: Clock | None = None,
    api: FakeBotApi | None = None,
    database_url: str | None = None,
    **settings_overrides: Any,
) -> AsyncIterator[Harness]:
    api = api or FakeBotApi()
    await api.start()
    for uid in admins:
        api.add_user("协调员", id=uid, username=f"coord{uid}")
    # The digest follows the wall clock; tests that want it pass a clock and a digest_time.
    settings_overrides.setdefault("digest_time", "off")
    settings_overrides.setdefault("web_listen", "off")  # tests/web serve it on a free port
    settings = load_settings(
        telegram_token=api.token,
        telegram_base_url=api.base_url,
        telegram_file_url=api.file_url,
        database_url=database_url or f"sqlite:///{tmp_path / 'coordbot.db'}",
        media_dir=tmp_path / "media",
        admins=",".join(str(a) for a in admins),
        campaign=campaign or tmp_path / "no-campaign.yaml",
        **settings_overrides,
    )
    deps_kw: dict[str, Any] = {"clock": clock} if clock is not None else {}
    deps = await asyncio.to_thread(prepare, settings, **deps_kw)
    app = build_application(deps, token=api.token, base_url=api.base_url, file_url=api.file_url)
    stop = asyncio.Event()
    try:
        async with running(deps, app) as dispatcher:
            poller = asyncio.create_task(Poller(deps, dispatcher, timeout=1).run(stop))
            try:
                yield Harness(api, deps, app, dispatcher, settings)
            finally:
                stop.set()
                await asyncio.wait_for(poller, 5)
    finally:
        deps.db.close()
        await api.stop()
