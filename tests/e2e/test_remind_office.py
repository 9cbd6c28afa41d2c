"""/remind with office deadline phrases, as a coordinator sees it: 下班前 uses the campaign's
office hours, a past time is refused showing what was understood, and a phrase that needs a
year without holiday data says so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FixedClock
from storage.models.core import Campaign
from tests.e2e.test_broadcast import make_groups
from tests.harness import bot_session

TZ = ZoneInfo("Asia/Shanghai")


async def test_remind_office_phrases(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2026, 9, 28, 10, 0, tzinfo=TZ))  # Monday before National Day
    async with bot_session(tmp_path, clock=clock) as h:
        make_groups(h, 1)
        echo = await h.reply_text(h.admin, "/remind 周五下班前 all 提交宣传资料")
        assert "2026年9月30日(周三) 17:30" in echo, echo  # Friday 10-02 is a holiday
        with h.deps.db.transaction() as s:
            campaign = s.scalars(select(Campaign)).one()
            campaign.reminder_policy = {
                **campaign.reminder_policy,
                "office_hours": "08:30-12:00, 14:00-18:00",
            }
        echo = await h.reply_text(h.admin, "/remind 周五下班前 all 提交宣传资料")
        assert "2026年9月30日(周三) 18:00" in echo, echo
        echo = await h.reply_text(h.admin, "/remind 国庆后第一个工作日 all 报送台账")
        assert "2026年10月8日(周四) 08:30" in echo, echo  # the office opens at 08:30
        refused = await h.reply_text(h.admin, "/remind 3天前 all 开会")
        assert refused == "时间已过：2026-09-25 10:00", refused
        clock.at = datetime(2026, 12, 30, 10, 0, tzinfo=TZ)
        refused = await h.reply_text(h.admin, "/remind 节后第一个工作日 all 开会")
        assert "2027年的节假日安排尚未录入" in refused, refused


async def test_status_warns_the_office_of_a_year_without_holidays(tmp_path: Path) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text(
        "version: 1\ncampaign: {slug: gap, title: 跨年活动, timezone: Asia/Shanghai}\n"
        "units:\n  - {name: 虎门镇, kind: town, tags: [镇街]}\n"
        "tasks:\n  - {number: 1, title: 年终总结, deadline: 2027-01-15, responsible: [镇街]}\n",
        encoding="utf-8",
    )
    clock = FixedClock(datetime(2026, 12, 1, 10, 0, tzinfo=TZ))
    async with bot_session(tmp_path, campaign=path, clock=clock) as h:
        status = await h.reply_text(h.admin, "/status")
        assert "2027 年的节假日安排尚未录入" in status, status
        resident = h.api.add_user("小王")
        assert "节假日安排" not in await h.reply_text(resident, "/status")
