"""A liaison removed by the office stays removed: their old invite link never opens the form
again (a new invite does)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_registration import fill, invite, press
from tests.harness import bot_session

REFUSED = "仅限联络员使用"


async def test_a_removed_liaison_cannot_come_back_with_the_old_link(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        liaison = h.api.add_user("陈联络", username="chenliaison")
        token = await invite(h)
        await fill(h, liaison, token, "陈小红", "13900139000")
        await press(h, liaison, "reg:ok")
        assert "解除" in await h.reply_text(h.admin, f"/liaison 虎门镇 remove {liaison.id}")
        refused = await h.reply_text(liaison, f"/start {token}")
        assert "不能再次使用" in refused and "\n" not in refused
        assert REFUSED in await h.reply_text(liaison, "/done 9 海报5")
        assert "还不是联络员" in await h.reply_text(liaison, "/me")
