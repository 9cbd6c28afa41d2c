"""/remind keeps to the campaign's own quiet hours (here 23:00–06:30), not the default 21:00–08:00,
and says which hours moved it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.clock import FixedClock
from bot.settings import ROOT
from tests.e2e.test_broadcast import TZ, make_groups
from tests.harness import bot_session

QUALITY_CITY = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"


async def test_remind_uses_the_campaigns_quiet_hours(tmp_path: Path) -> None:
    text = QUALITY_CITY.read_text(encoding="utf-8")
    assert 'quiet_hours: "21:00-08:00"' in text
    campaign = tmp_path / "late-quiet.yaml"
    text = text.replace('"21:00-08:00"', '"23:00-06:30"').replace("../faq/", f"{ROOT}/config/faq/")
    campaign.write_text(text, encoding="utf-8")
    clock = FixedClock(datetime(2026, 11, 26, 10, 0, tzinfo=TZ))  # a Thursday
    async with bot_session(tmp_path, campaign=campaign, clock=clock) as h:
        make_groups(h, 1)
        evening = (await h.say(h.admin, "/remind 明天晚上9点半 all 检查材料"))[0].body
        assert "2026年11月27日(周五) 21:30" in evening and "免打扰" not in evening
        night = (await h.say(h.admin, "/remind 明天晚上11点半 all 检查材料"))[0].body
        assert "2026年11月28日(周六) 06:30" in night and "23:00–06:30" in night
