"""`coordbot run` as an operator starts it: answers in private chat, stops cleanly on SIGTERM,
and a second process on the same database refuses to start politely."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from bot.localapi import FakeBotApi
from tests.proc import BotProcess

pytestmark = pytest.mark.slow


async def test_run_answers_and_refuses_a_second_poller(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        admin = api.add_user("协调员", id=1001)
        bot = BotProcess(api, tmp_path)
        try:
            await bot.start()
            chat = api.private_chat(admin)
            for text, expect in (
                ("/help", "/tasks"),
                ("/tasks", "任务共 15 项"),
                ("/status", "15"),
            ):
                api.send_text(chat, admin, text)
                [reply] = await api.wait_sent(admin.id, timeout=20)
                assert expect in reply.body

            second = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=bot.env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await asyncio.wait_for(second.communicate(), 60)
            assert second.returncode == 1
            assert "already serving this database" in out.decode()
        finally:
            await bot.stop()
        assert bot.proc is not None and bot.proc.returncode == 0
        logs = bot.logs()
        assert api.token not in logs and "Traceback" not in logs


def test_run_without_a_token_says_so(tmp_path: Path) -> None:
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")}
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr.strip().startswith("COORDBOT_TELEGRAM_TOKEN is not set")
