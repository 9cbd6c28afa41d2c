"""Groups bound in chat keep receiving broadcasts and reminders after a restart (the campaign
file is reloaded at every start); /unbind is the only way to remove such a binding."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import FixedClock
from bot.localapi import FakeBotApi, FakeChat
from tests.harness import Harness, bot_session

TZ = ZoneInfo("Asia/Shanghai")
GROUP_ID = -1009000000042


def town_group(h: Harness) -> FakeChat:
    return h.api.add_group(
        "虎门镇宣传群", id=GROUP_ID, type="supergroup", members=[h.admin.id], with_bot=True
    )


def restarted_api(run: int) -> FakeBotApi:
    """A new Bot API stand-in for the next run: Telegram's update and message ids keep growing."""
    api = FakeBotApi()
    api.updates.continue_after(10_000 * run)
    api.world.continue_after(10_000 * run)
    return api


async def broadcast_reaches(h: Harness, target: str, text: str) -> bool:
    reply = await h.reply_text(h.admin, f"/broadcast {target} {text}")
    if "已开始" not in reply:
        assert "没有可发送的群" in reply, reply
        return False
    await h.api.wait_for(
        lambda: [r for r in h.api.sent_to(h.admin.id) if "已完成" in (r.body or "")], 30
    )
    return any(text in (r.body or "") for r in h.api.sent_to(GROUP_ID))


async def test_a_group_bound_in_chat_survives_a_restart_until_unbind(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 11, 26, 10, 0, tzinfo=TZ))
    async with bot_session(tmp_path, clock=clock) as h:
        group = town_group(h)
        assert "已将本群绑定到「虎门镇」" in await h.reply_text(h.admin, "/bind 虎门镇", group)
    # a restart: the campaign file (which does not list this group) is loaded again
    async with bot_session(tmp_path, clock=clock, api=restarted_api(1)) as h:
        group = town_group(h)
        assert await broadcast_reaches(h, "虎门镇", "请于周五前提交宣传资料")
        assert await broadcast_reaches(h, "镇街", "各镇街请注意")
        echo = await h.reply_text(h.admin, "/remind 明天下午3点 镇街 提交宣传资料")
        assert "发送给 1 个镇街群" in echo, echo
        help_text = await h.reply_text(h.admin, "/help", group)
        assert "/unbind" in help_text
        assert "已解除本群与「虎门镇」的绑定" in await h.reply_text(h.admin, "/unbind", group)
        assert "没有在聊天中绑定" in await h.reply_text(h.admin, "/unbind", group)
        assert not await broadcast_reaches(h, "镇街", "解绑之后")
    async with bot_session(tmp_path, clock=clock, api=restarted_api(2)) as h:
        town_group(h)
        assert not await broadcast_reaches(h, "虎门镇", "重启之后")


async def test_unbind_is_for_coordinators_in_groups(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        group = town_group(h)
        resident = h.api.add_user("小王")
        group.members[resident.id] = "member"
        assert "协调员" in await h.reply_text(resident, "/unbind", group)
        assert "群" in await h.reply_text(h.admin, "/unbind")
        assert "没有绑定到「火星镇」" in await h.reply_text(h.admin, "/unbind 火星镇", group)
