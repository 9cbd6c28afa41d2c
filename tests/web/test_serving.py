"""Where the dashboard is served: inside the bot, alone (``coordbot web``), or not at all; a
port already taken is one warning and the bot runs on; bad settings are one line."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.settings import SettingsError, load_settings
from tests.harness import QUALITY_CITY, bot_session
from tests.web.client import free_port


async def test_port_taken_is_one_warning_and_the_bot_runs_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        caplog.set_level(logging.WARNING, logger="bot.web.serve")
        async with bot_session(tmp_path, web_listen=f"127.0.0.1:{port}") as h:
            assert "web" not in h.deps.services
            assert "/help" in await h.reply_text(h.admin, "/help")
        warnings = [r for r in caplog.records if r.name == "bot.web.serve"]
        assert len(warnings) == 1 and str(port) in warnings[0].getMessage()


async def test_off_serves_nothing_and_web_says_so(tmp_path: Path) -> None:
    async with bot_session(tmp_path, web_listen="off") as h:
        assert "web" not in h.deps.services
        assert (
            await h.reply_text(h.admin, "/web")
            == "本机器人没有开启网页工作台（COORDBOT_WEB_LISTEN=off）。"
        )


async def test_web_link_only_in_private(tmp_path: Path) -> None:
    async with bot_session(tmp_path, web_listen="off") as h:
        group = h.api.add_group("群", members=[h.admin.id], with_bot=True)
        reply = await h.reply_text(h.admin, "/web", group)
        assert "私聊" in reply and "login" not in reply


@pytest.mark.parametrize(
    ("field", "value"),
    [("web_listen", "8080"), ("web_listen", "host:port"), ("web_url", "127.0.0.1:8080")],
)
def test_bad_settings_are_one_line(field: str, value: str) -> None:
    with pytest.raises(SettingsError) as failed:
        load_settings(**{field: value})
    assert str(failed.value).startswith(f"COORDBOT_{field.upper()}:")
    assert "\n" not in str(failed.value)


async def test_coordbot_web_serves_alone(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")},
        "COORDBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'coordbot.db'}",
        "COORDBOT_MEDIA_DIR": str(tmp_path / "media"),
        "COORDBOT_CAMPAIGN": str(QUALITY_CITY),
        "COORDBOT_WEB_LISTEN": f"127.0.0.1:{port}",
        "COORDBOT_FAQ_MODEL": "off",
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "web", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with aiohttp.ClientSession() as client:
            for _ in range(600):
                try:
                    async with client.get(f"http://127.0.0.1:{port}/review") as page:
                        assert page.status == 401 and "/web" in await page.text()
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("coordbot web did not start listening")
    finally:
        child.terminate()
        await asyncio.wait_for(child.wait(), 30)
    assert child.returncode == 0


async def test_a_failing_page_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    from sqlalchemy import text

    from tests.web.client import browser, sign_in, web_session

    async with web_session(tmp_path) as (h, base), browser() as client:
        await sign_in(h, base, h.admin, client)
        with h.deps.db.transaction() as s:
            s.execute(text("DROP TABLE questions"))  # the page's query now fails
        async with client.get(f"{base}/questions") as page:
            body = await page.text()
        assert page.status == 500 and "出了点问题" in body and "Traceback" not in body
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]


def test_the_dashboard_does_not_import_telegram() -> None:
    """A later issue moves the chat core off PTB types: the web code must not depend on them."""
    root = Path(__file__).resolve().parents[2] / "bot" / "web"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if any(
            line.strip().startswith(("import telegram", "from telegram"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    ]
    assert offenders == []
