"""Deadline phrases as offices write them, on the China workday calendar (调休 included).

Around the 2026 National Day holiday: 9-25..9-27 中秋节 and 10-01..10-07 国庆节 off; Sunday
9-20 and Saturday 10-10 are working days. Month ends: November and December 2026.
Each expected weekday is checked against the real calendar (the table checks itself).
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import bot.when.office as office_module
from bot.holiday_calendar import load_calendar
from bot.when import OfficeHours, WhenError, parse_when, split_when

SH = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 9, 28, 10, 0, tzinfo=SH)  # the Monday before National Day
HOLIDAY = datetime(2026, 10, 3, 10, 0, tzinfo=SH)  # Saturday, in the middle of it
NOV30 = datetime(2026, 11, 30, 16, 0, tzinfo=SH)  # Monday, the last day of a month
DEC30 = datetime(2026, 12, 30, 10, 0, tzinfo=SH)  # Wednesday; 2027 has no calendar data


def at(mo: int, d: int, h: int = 9, mi: int = 0, y: int = 2026) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


ROWS: list[tuple[datetime, str, datetime, str]] = [
    (MON, "周五下班前", at(9, 30, 17, 30), "Wed"),  # Friday 10-02 is a holiday
    (MON, "周五前", at(9, 30), "Wed"),
    (MON, "本周五下班之前", at(9, 30, 17, 30), "Wed"),
    (MON, "下班前", at(9, 28, 17, 30), "Mon"),
    (MON, "上午下班前", at(9, 28, 12), "Mon"),
    (MON, "下午上班前", at(9, 28, 13, 30), "Mon"),
    (MON, "明天下午3点前", at(9, 29, 15), "Tue"),
    (MON, "10月1日前", at(9, 30), "Wed"),
    (MON, "国庆前", at(9, 30), "Wed"),
    (MON, "国庆节前", at(9, 30), "Wed"),
    (MON, "十一前", at(9, 30), "Wed"),
    (MON, "国庆后", at(10, 8), "Thu"),
    (MON, "国庆后第一个工作日", at(10, 8), "Thu"),
    (MON, "国庆节后的第一个工作日上午10点", at(10, 8, 10), "Thu"),
    (MON, "节后第一个工作日", at(10, 8), "Thu"),
    (MON, "10月1日后第一个工作日", at(10, 8), "Thu"),
    (MON, "周三后第一个工作日", at(10, 8), "Thu"),
    (MON, "三个工作日内", at(10, 8, 17, 30), "Thu"),
    (MON, "5个工作日内", at(10, 10, 17, 30), "Sat"),  # the makeup Saturday counts
    (MON, "2个工作日后", at(9, 30, 10), "Wed"),
    (MON, "五日内", at(10, 3, 17, 30), "Sat"),  # calendar days: the end of the 5th day
    (MON, "5天之内", at(10, 3, 17, 30), "Sat"),
    (MON, "本周内", at(9, 30, 17, 30), "Wed"),
    (MON, "下周内", at(10, 10, 17, 30), "Sat"),
    (MON, "下周一上班前", at(10, 8), "Thu"),  # 10-05 is a holiday: the office opens on 10-08
    (MON, "月底前", at(9, 30), "Wed"),
    (MON, "季度末", at(9, 30), "Wed"),
    (MON, "月初", at(10, 8), "Thu"),  # October's first working day
    (MON, "20日前", at(10, 20), "Tue"),  # "before the 20th", not 20 days ago
    (MON, "国庆前最后一个工作日", at(9, 30), "Wed"),
    (MON, "月底前最后一个工作日", at(9, 30), "Wed"),
    (MON, "国庆以后", at(10, 8), "Thu"),
    (MON, "节后上班第一天", at(10, 8), "Thu"),
    (MON, "下个工作日", at(9, 29), "Tue"),
    (MON, "周五 下班前", at(9, 30, 17, 30), "Wed"),
    (HOLIDAY, "节后第一个工作日", at(10, 8), "Thu"),
    (HOLIDAY, "下班前", at(10, 8, 17, 30), "Thu"),  # no office today: the next working day's
    (HOLIDAY, "三个工作日内", at(10, 10, 17, 30), "Sat"),
    (HOLIDAY, "上班前", at(10, 8), "Thu"),
    (HOLIDAY, "下个工作日", at(10, 8), "Thu"),
    (NOV30, "下班前", at(11, 30, 17, 30), "Mon"),
    (NOV30, "月初", at(12, 1), "Tue"),
    (NOV30, "下月初", at(12, 1), "Tue"),
    (NOV30, "本周内", at(12, 4, 17, 30), "Fri"),
    (NOV30, "两个工作日内", at(12, 2, 17, 30), "Wed"),
    (NOV30, "年底前", at(12, 31), "Thu"),
    (NOV30, "季度末前", at(12, 31), "Thu"),
    (NOV30, "下个月底前", at(12, 31), "Thu"),
    (NOV30, "12月5日前", at(12, 4), "Fri"),  # Saturday 12-05: the Friday before
    (DEC30, "月底前", at(12, 31), "Thu"),
    (DEC30, "明天下班前", at(12, 31, 17, 30), "Thu"),
]


def _id(row: tuple[object, ...]) -> str:
    return f"{row[0]:%m%d}-{row[1]}"  # type: ignore[str-format]


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_office_phrase(row: tuple[datetime, str, datetime, str]) -> None:
    now, text, expected, weekday = row
    assert expected.strftime("%a") == weekday
    assert parse_when(text, now=now, tz=SH) == expected


@pytest.mark.parametrize(
    ("now", "text", "code"),
    [
        (DEC30, "三个工作日内", "no_calendar"),  # runs into 2027
        (DEC30, "节后第一个工作日", "no_calendar"),  # the next holiday is in 2027
        (DEC30, "春节前", "no_calendar"),
        (HOLIDAY, "国庆前", "past"),  # shown as the time it means, 2026-09-30 09:00
        (NOV30, "月底前", "past"),
    ],
)
def test_refused(now: datetime, text: str, code: str) -> None:
    with pytest.raises(WhenError) as err:
        parse_when(text, now=now, tz=SH)
    assert err.value.code == code
    if code == "no_calendar":
        assert "2027" in err.value.zh and "cn-holidays.yaml" in err.value.en
    if code == "past":
        assert str(parse_when(text, now=now, tz=SH, allow_past=True).year) in err.value.zh


def test_office_hours_come_from_the_caller() -> None:
    hours = OfficeHours.parse("08:30-11:45, 14:00-18:00")
    assert (hours.start, hours.end) == (time(8, 30), time(18))
    assert hours.lunch == (time(11, 45), time(14))
    assert parse_when("周五下班前", now=MON, tz=SH, office=hours) == at(9, 30, 18)
    assert parse_when("下午上班前", now=MON, tz=SH, office=hours) == at(9, 28, 14)
    no_lunch = OfficeHours.parse("09:00-17:00")
    assert no_lunch.lunch is None and str(no_lunch) == "09:00-17:00"
    assert str(hours) == "08:30-11:45, 14:00-18:00"


@pytest.mark.parametrize("text", ["9-17", "09:00-17:00, 12:00-13:00", "17:00-09:00", "x"])
def test_bad_office_hours(text: str) -> None:
    with pytest.raises(ValueError):
        OfficeHours.parse(text)


def test_a_declared_year_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With 2027's notice typed in (made-up dates here), 2027 phrases resolve from it."""
    path = tmp_path / "cn-holidays.yaml"
    path.write_text(
        "2027:\n  holidays:\n    元旦: [2027-01-01, 2027-01-03]\n"
        "    春节: [2027-02-06, 2027-02-13]\n  workdays: [2027-02-20]\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(office_module, "default_calendar", lambda: load_calendar(path))
    assert parse_when("三个工作日内", now=DEC30, tz=SH) == at(1, 5, 17, 30, y=2027)
    assert parse_when("春节前", now=DEC30, tz=SH) == at(2, 5, y=2027)
    assert parse_when("节后第一个工作日", now=DEC30, tz=SH) == at(1, 4, y=2027)


def test_remind_splits_an_office_phrase() -> None:
    when, rest = split_when("周五下班前 镇街 提交宣传资料", now=MON, tz=SH)
    assert (when, rest) == (at(9, 30, 17, 30), "镇街 提交宣传资料")
    assert split_when("国庆后第一个工作日 所有镇街 报送", now=MON, tz=SH)[0].date() == date(
        2026, 10, 8
    )


@pytest.mark.parametrize(
    ("args", "rest"),
    [
        ("周五 前台集合", "前台集合"),  # 前 after a space is a word, not "before"
        ("周五前往虎门镇", "前往虎门镇"),
        ("周五前 镇街 提交", "镇街 提交"),
    ],
)
def test_before_is_a_suffix_only_where_it_reads_as_one(args: str, rest: str) -> None:
    assert split_when(args, now=MON, tz=SH)[1] == rest


def test_a_bare_weekday_deadline_is_today_while_it_is_ahead() -> None:
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=SH)
    assert parse_when("周五下班前", now=friday, tz=SH) == datetime(2026, 12, 4, 17, 30, tzinfo=SH)
    assert parse_when("周五前", now=friday.replace(hour=8), tz=SH) == at(12, 4)
    evening = friday.replace(hour=18)
    assert parse_when("周五下班前", now=evening, tz=SH) == at(12, 11, 17, 30)
    assert parse_when("周五", now=friday, tz=SH) == at(12, 11)  # not a deadline: never today
