"""A real ``coordbot run`` in a subprocess, against a fake Bot API served by the test itself."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.localapi import FakeBotApi
from tests.harness import ADMIN_ID, QUALITY_CITY


class BotProcess:
    """Start, SIGKILL and restart the bot as an operator would; logs go to ``tmp_path``."""

    def __init__(
        self,
        api: FakeBotApi,
        tmp_path: Path,
        *,
        campaign: Path = QUALITY_CITY,
        admins: tuple[int, ...] = (ADMIN_ID,),
        webhook: str | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.api, self.tmp_path, self.webhook = api, tmp_path, webhook
        self.db_url = f"sqlite:///{tmp_path / 'coordbot.db'}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")},
            "COORDBOT_TELEGRAM_TOKEN": api.token,
            "COORDBOT_TELEGRAM_BASE_URL": api.base_url,
            "COORDBOT_TELEGRAM_FILE_URL": api.file_url,
            "COORDBOT_DATABASE_URL": self.db_url,
            "COORDBOT_MEDIA_DIR": str(tmp_path / "media"),
            "COORDBOT_ADMINS": ",".join(map(str, admins)),
            "COORDBOT_CAMPAIGN": str(campaign),
            "COORDBOT_LOG_LEVEL": "INFO",
            # the digest follows the wall clock: after 17:30 on a working day it would interleave
            "COORDBOT_DIGEST_TIME": "off",
            **(env or {}),
        }
        self.proc: asyncio.subprocess.Process | None = None
        self.runs = 0

    @property
    def log_path(self) -> Path:
        return self.tmp_path / f"bot-{self.runs}.log"

    async def start(self, *, ready_timeout: float = 60) -> None:
        self.runs += 1
        args = [sys.executable, "-m", "bot.cli", "run"]
        if self.webhook:
            args += ["--webhook", self.webhook]
        log = self.log_path.open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            *args, env=self.env, stdout=log, stderr=asyncio.subprocess.STDOUT
        )
        log.close()
        await self.wait_ready(ready_timeout)

    async def wait_ready(self, timeout: float) -> None:
        """Ready when it polls (or, for webhooks, when it has set the webhook)."""
        counts = self.api.method_counts
        before = counts["getUpdates"] + counts["setWebhook"]

        def ready() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"bot exited early:\n{self.log_path.read_text()[-3000:]}")
            return counts["getUpdates"] + counts["setWebhook"] > before

        await self.api.wait_for(ready, timeout)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)

    async def wait_exit(self, timeout: float = 20) -> int:
        assert self.proc is not None
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await self.wait_exit()
            except TimeoutError:
                self.kill()
                await self.wait_exit()

    def logs(self) -> str:
        return "\n".join(
            (self.tmp_path / f"bot-{i}.log").read_text(errors="replace")
            for i in range(1, self.runs + 1)
        )
