"""A campaign that runs into a year without holiday data: coordinators are told in the daily
digest (and /status, tests/e2e), instead of reminders silently assuming Monday–Friday."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.campaign import load, parse_text
from bot.db import Database
from bot.digest import plan_digest
from bot.i18n import Catalog
from bot.reminders.planner import calendar_gaps
from storage.models.core import Campaign
from storage.models.intake import OutboxMessage

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 9, 40, tzinfo=UTC)  # Tuesday 17:40 in Shanghai


def campaign(deadline: str) -> str:
    return (
        "version: 1\ncampaign: {slug: gap-test, title: 跨年活动, timezone: Asia/Shanghai}\n"
        "units:\n  - {name: 虎门镇, kind: town, tags: [镇街]}\n"
        f"tasks:\n  - {{number: 1, title: 年终总结, deadline: {deadline}, responsible: [镇街]}}\n"
    )


def digest_of(database: Database, deadline: str, locale: str = "zh-CN") -> tuple[list[int], str]:
    with database.transaction() as s:
        load(s, parse_text(campaign(deadline)), now=NOW)
        cid = s.scalars(select(Campaign.id)).one()
        gaps = calendar_gaps(s, campaign_id=cid, now=NOW)
        kw: dict[str, Any] = dict(tz=TZ, at=time(17, 30), catalog=Catalog())
        assert plan_digest(
            s, campaign_id=cid, now=NOW, coordinators=frozenset({1}), default_locale=locale, **kw
        )
        text = s.scalars(select(OutboxMessage.payload)).one()["text"]
    return gaps, text


def test_a_deadline_in_2027_is_named_in_the_digest(database: Database) -> None:
    gaps, text = digest_of(database, "2027-01-15")
    assert gaps == [2027]
    assert "2027 年的节假日安排尚未录入" in text and "cn-holidays.yaml" in text


def test_in_english_too(database: Database) -> None:
    _, text = digest_of(database, "2027-03-01", locale="en")
    assert "No holiday calendar for 2027" in text


def test_a_campaign_within_known_years_has_no_warning(database: Database) -> None:
    gaps, text = digest_of(database, "2026-12-10")
    assert gaps == [] and "节假日安排" not in text
