"""A person may be office staff and a unit's liaison at once: both sets of commands work, and
/help lists both (a staff member who registers with an invite, a liaison granted staff)."""

from __future__ import annotations

from pathlib import Path

from bot.localapi import FakeUser
from tests.e2e.test_registration import fill, invite, press
from tests.harness import Harness, bot_session
from tests.localapi_fixtures import jpeg_bytes

REFUSED = "仅限联络员使用"


async def can_report_and_see_the_queue(
    h: Harness, who: FakeUser, color: tuple[int, int, int]
) -> None:
    chat = h.api.private_chat(who)
    start = h.api.mark()
    h.api.send_photo(chat, who, jpeg_bytes(320, 240, color), caption="/done 9 海报5")
    await h.settle()
    told = " ".join(r.body for r in h.api.messages_since(start, who.id))
    assert told and REFUSED not in told and "海报" in told, told
    assert "目前没有待回复" in await h.reply_text(who, "/questions")
    shown = await h.reply_text(who, "/help")
    assert "工作人员、联络员" in shown and "/done" in shown and "/questions" in shown
    assert "工作人员、联络员" in await h.reply_text(who, "/me")


async def test_staff_who_registers_keeps_staff_and_reports(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        staff = h.api.add_user("王工作", username="wangstaff")
        await h.say(staff, "/start")
        assert "已" in await h.reply_text(h.admin, "/grant staff @wangstaff")
        await fill(h, staff, await invite(h), "王小明", "13800138000")
        await press(h, staff, "reg:ok")
        await can_report_and_see_the_queue(h, staff, (10, 120, 200))


async def test_liaison_granted_staff_still_reports(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        liaison = h.api.add_user("陈联络", username="chenliaison")
        await fill(h, liaison, await invite(h), "陈小红", "13900139000")
        await press(h, liaison, "reg:ok")
        assert "已" in await h.reply_text(h.admin, "/grant staff @chenliaison")
        await can_report_and_see_the_queue(h, liaison, (200, 120, 10))
