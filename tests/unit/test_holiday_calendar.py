"""The workday calendar: the office's file before chinesecalendar, and years without data named.

Fails before the file existed: 2027 was silently Monday–Friday (is_working_day fell back without
a word), and nothing could declare a holiday the library does not know.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from bot.holiday_calendar import (
    CALENDAR_FILE,
    CalendarFileError,
    HolidayCalendar,
    load_calendar,
    parse_calendar,
)
from bot.workdays import has_calendar, missing_years

# a made-up 2027 notice (the real one must be typed in from the State Council's text)
NOTICE_2027 = """
2027:
  holidays:
    春节: [2027-02-06, 2027-02-13]
    国庆节: [2027-10-01, 2027-10-07]
  workdays: [2027-02-20, 2027-10-09]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cn-holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_declared_year_is_read_from_the_file(tmp_path: Path) -> None:
    cal = load_calendar(write(tmp_path, NOTICE_2027))
    assert cal.has_data(2027)
    assert not cal.is_working_day(date(2027, 2, 8))  # a Monday of the declared 春节
    assert cal.is_working_day(date(2027, 2, 20))  # a Saturday made a working day
    assert cal.is_working_day(date(2027, 2, 15))  # the Monday after
    assert not cal.is_working_day(date(2027, 2, 21))  # an ordinary Sunday
    assert cal.holiday("国庆", 2027) == (date(2027, 10, 1), date(2027, 10, 7))


def test_the_file_comes_before_the_library(tmp_path: Path) -> None:
    # the library says 2026-10-08 (Thursday) is a working day; an office notice may say otherwise
    text = "2026:\n  holidays:\n    国庆节: [2026-10-01, 2026-10-08]\n  workdays: []\n"
    cal = load_calendar(write(tmp_path, text))
    assert not cal.is_working_day(date(2026, 10, 8))
    assert HolidayCalendar().is_working_day(date(2026, 10, 8))


def test_the_shipped_file_agrees_with_the_library_and_names_the_holidays() -> None:
    shipped = load_calendar(CALENDAR_FILE)
    library = HolidayCalendar()
    for year in shipped.declared:
        day = date(year, 1, 1)
        while day.year == year:
            assert shipped.is_working_day(day) == library.is_working_day(day), day
            day += timedelta(days=1)
        for name, span in shipped.declared[year].holidays.items():
            assert library.holiday(name, year) == span, (year, name)


def test_a_year_without_data_is_mon_to_fri_logged_once_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cal = HolidayCalendar()
    with caplog.at_level(logging.WARNING):
        assert cal.is_working_day(date(2031, 1, 6))
        assert not cal.is_working_day(date(2031, 1, 5))
    assert [r.getMessage()[:30] for r in caplog.records] == ["no holiday calendar for 2031: "]
    assert not has_calendar(2031)
    assert has_calendar(2026)
    assert missing_years([date(2026, 12, 31), date(2031, 1, 4), date(2031, 3, 1)]) == [2031]


@pytest.mark.parametrize(
    "text",
    [
        "2027: [1, 2]",
        "2027:\n  holidays:\n    春节: [2027-02-13, 2027-02-06]\n",
        "2027:\n  holidays:\n    春节: 2027-02-06\n",
        "2027:\n  workdays: [soon]\n",
        "- 2027",
    ],
)
def test_a_malformed_file_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(CalendarFileError) as err:
        parse_calendar(yaml.safe_load(text))
    assert "\n" not in str(err.value)


def test_reminders_are_moved_off_a_declared_holiday(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The planner's send times follow the office's file: a reminder due on a (made-up) 2027
    春节 Monday goes out on the Friday before, not on the holiday as Monday–Friday would."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import bot.workdays as workdays

    due = datetime(2027, 2, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert workdays.plan_send_time(due) == due  # no data: Monday is assumed a working day
    calendar = load_calendar(write(tmp_path, NOTICE_2027))
    monkeypatch.setattr(workdays, "default_calendar", lambda: calendar)
    assert workdays.plan_send_time(due) == due.replace(day=5)
    assert workdays.next_allowed_time(due) == due.replace(day=15, hour=8)
