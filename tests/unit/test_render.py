from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.i18n import Catalog
from bot.render import fmt_datetime, split_message


def test_split_keeps_lines_whole_and_fits() -> None:
    lines = [f"{i:04d} " + "虎门镇" * 30 for i in range(300)]
    text = "\n".join(lines)
    parts = split_message(text)
    assert len(parts) > 1
    assert all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text
    assert all(p.split("\n")[0] in lines for p in parts)


def test_split_cuts_an_overlong_line() -> None:
    parts = split_message("x" * 9000)
    assert [len(p) for p in parts] == [4096, 4096, 808]


def test_dates_in_campaign_zone_and_language() -> None:
    dt = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    tz = ZoneInfo("Asia/Shanghai")
    assert fmt_datetime(dt, tz, "zh-CN") == "2026年11月27日(周五) 15:00"
    assert fmt_datetime(dt, tz, "en") == "2026-11-27 (Fri) 15:00"


def test_every_locale_has_every_key() -> None:
    catalog = Catalog()
    zh = set(catalog.texts["zh-CN"])
    for locale in catalog.locales:
        missing = zh - set(catalog.texts[locale])
        assert not missing, f"{locale} lacks {sorted(missing)[:5]}"
    assert catalog.t("en", "no.such.key") == "no.such.key"
