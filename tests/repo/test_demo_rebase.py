"""The demo's dates: rebased to the office's today (not UTC's), by whole weeks, remembered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import prepare
from bot.clock import FixedClock
from bot.settings import DEMO_CAMPAIGN, Settings
from storage.models.core import Interview, Task

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("hour_utc", [16, 19, 23])  # 00:00, 03:00 and 07:00 in Shanghai
def test_make_run_before_8_in_shanghai_shows_no_overdue_task(db_url: str, hour_utc: int) -> None:
    now = datetime(2026, 12, 3, hour_utc, tzinfo=UTC)  # already 4 December in Shanghai
    settings = Settings(database_url=db_url, campaign=DEMO_CAMPAIGN, campaign_rebase="today")
    deps = prepare(settings, clock=FixedClock(now))
    try:
        with deps.db.transaction() as s:
            deadlines = list(s.scalars(select(Task.deadline)))
            interviews = list(s.scalars(select(Interview.at)))
    finally:
        deps.db.close()
    assert min(d.replace(tzinfo=d.tzinfo or UTC) for d in deadlines) > now
    assert min(d.replace(tzinfo=d.tzinfo or UTC) for d in deadlines).astimezone(
        SHANGHAI
    ).date() >= date(2026, 12, 4)
    # the 2013 interviews were on weekdays (Tuesdays, one Monday): still weekdays
    assert {
        i.replace(tzinfo=i.tzinfo or UTC).astimezone(SHANGHAI).weekday() for i in interviews
    } <= {0, 1}


def test_today_is_read_in_the_configured_time_zone() -> None:
    with pytest.raises(ValueError):
        Settings(campaign_rebase="tomorrow")
    assert Settings(campaign_rebase="today").campaign_rebase == "today"
    assert Settings(campaign_rebase="2026-12-04").campaign_rebase == date(2026, 12, 4)
