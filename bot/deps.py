"""What every handler and background service needs, built once at start (no import-time state)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Bot

from bot.clock import Clock, SystemClock
from bot.db import Database
from bot.i18n import Catalog
from bot.settings import Settings


@dataclass
class Deps:
    settings: Settings
    db: Database
    catalog: Catalog = field(default_factory=Catalog)
    clock: Clock = field(default_factory=SystemClock)
    campaign_id: int | None = None
    campaign_slug: str | None = None
    extra_admins: frozenset[int] = frozenset()
    bot_username: str = ""
    services: dict[str, Any] = field(default_factory=dict)
    _bot: Bot | None = None

    @property
    def bot(self) -> Bot:
        if self._bot is None:
            raise RuntimeError("the bot is not connected yet")
        return self._bot

    @bot.setter
    def bot(self, value: Bot) -> None:
        self._bot = value
