"""China's working-day calendar: the office's file first, then the chinesecalendar library.

``config/calendars/cn-holidays.yaml`` holds, per year, the State Council notice's holidays (by
name: 春节, 国庆节, …) and makeup working days (调休). A year in the file is read from the file
alone; other years come from chinesecalendar; a year in neither has *no data*: days are then
taken as Monday–Friday, ``has_data`` says so, and the first such lookup of a year is logged
(the digest and ``/status`` tell coordinators, see ``bot.workdays.missing_years``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT

log = logging.getLogger(__name__)

CALENDAR_FILE = ROOT / "config" / "calendars" / "cn-holidays.yaml"
# chinesecalendar's own names, for the years read from the library
LIBRARY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
ALIASES = {
    "新年": "元旦", "过年": "春节", "新春": "春节", "年": "春节", "清明": "清明节",
    "五一": "劳动节", "劳动节": "劳动节", "五一劳动节": "劳动节", "端午": "端午节",
    "中秋": "中秋节", "国庆": "国庆节", "十一": "国庆节",
}  # fmt: skip


class CalendarFileError(ValueError):
    """The calendar file is malformed (one line naming the year and the field)."""


@dataclass
class YearData:
    holidays: dict[str, tuple[date, date]] = field(default_factory=dict)
    workdays: set[date] = field(default_factory=set)
    off: set[date] = field(default_factory=set)


@dataclass
class HolidayCalendar:
    """Declared years (from the file); the library fills the others."""

    declared: dict[int, YearData] = field(default_factory=dict)
    warned: set[int] = field(default_factory=set)

    def has_data(self, year: int) -> bool:
        return year in self.declared or _library_year(year) is not None

    def is_working_day(self, d: date) -> bool:
        data = self.declared.get(d.year) or _library_year(d.year)
        if data is None:
            if d.year not in self.warned:
                self.warned.add(d.year)
                log.warning(
                    "no holiday calendar for %s: assuming Monday–Friday working days; add the "
                    "State Council's notice to %s",
                    d.year,
                    CALENDAR_FILE.relative_to(ROOT),
                )
            return d.weekday() < 5
        if d in data.workdays:
            return True
        return d.weekday() < 5 and d not in data.off

    def holidays(self, year: int) -> dict[str, tuple[date, date]]:
        data = self.declared.get(year) or _library_year(year)
        return dict(data.holidays) if data else {}

    def holiday(self, name: str, year: int) -> tuple[date, date] | None:
        """First and last day off of the holiday ``name`` (春节, 国庆, 十一 …) in ``year``."""
        data = self.declared.get(year) or _library_year(year)
        if data is None:
            return None
        return data.holidays.get(canonical_name(name))


def canonical_name(name: str) -> str:
    return ALIASES.get(name, name)


def parse_calendar(raw: Any, source: str = "calendar") -> dict[int, YearData]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CalendarFileError(f"{source}: expected years as keys (2027: …)")
    years: dict[int, YearData] = {}
    for year, body in raw.items():
        if not isinstance(year, int) or not isinstance(body, dict):
            raise CalendarFileError(f"{source}: {year!r}: expected a year with holidays/workdays")
        data = YearData()
        for name, span in (body.get("holidays") or {}).items():
            if (
                not isinstance(span, list)
                or len(span) != 2
                or not all(isinstance(d, date) for d in span)
                or span[0] > span[1]
            ):
                raise CalendarFileError(
                    f"{source}: {year}.holidays.{name}: expected [first day, last day]"
                )
            data.holidays[str(name)] = (span[0], span[1])
            day = span[0]
            while day <= span[1]:
                data.off.add(day)
                day += timedelta(days=1)
        for d in body.get("workdays") or []:
            if not isinstance(d, date):
                raise CalendarFileError(f"{source}: {year}.workdays: {d!r} is not a date")
            data.workdays.add(d)
        years[year] = data
    return years


def load_calendar(path: Path = CALENDAR_FILE) -> HolidayCalendar:
    if not path.exists():
        return HolidayCalendar()
    with path.open(encoding="utf-8") as fh:
        return HolidayCalendar(parse_calendar(yaml.safe_load(fh), path.name))


@lru_cache(maxsize=1)
def default_calendar() -> HolidayCalendar:
    """The shipped file's calendar, read once (the file changes with a release, once a year)."""
    return load_calendar()


@lru_cache(maxsize=16)
def _library_year(year: int) -> YearData | None:
    import chinese_calendar

    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return None
    data = YearData()
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday and name:
            label = LIBRARY_NAMES.get(name, name)
            first, last = data.holidays.get(label, (day, day))
            data.holidays[label] = (min(first, day), max(last, day))
            data.off.add(day)
        elif not on_holiday and day.weekday() >= 5:
            data.workdays.add(day)
        day += timedelta(days=1)
    return data
