"""Deadline phrases on the China workday calendar (调休 included), with the office's hours.

=======================  ===================================================================
phrase                   means
=======================  ===================================================================
X前 (周五前, 月底前)      X's working day: X itself if a working day, else the working day
                         before it; at the time given, else at the office's opening (09:00)
X下班前 / 下班前           X's working day (today) at the end of office hours (17:30)
X上班前                   the first working day from X on, at the opening (09:00)
上午下班前 / 下午上班前     the lunch break's start (12:00) / end (13:30), same rule
N天内 / N日内 / N周内       the end of the N-th day after today (office hours' end, 17:30)
N个工作日内               the end of the N-th working day after today (17:30)
N个工作日后               the N-th working day after today, at the time of day now
本周内 / 下周内            the last working day of that week (weeks start on Monday), 17:30
月初 / 下月初             the first working day of the month (this one's if not yet past)
季度末 / 年底 / 月底       the last day of the quarter / year / month (09:00; add 前 for its
                         last working day)
X后第一个工作日            the first working day after X (09:00); 下个工作日: after today
X前最后一个工作日          the same as X前 (月底前最后一个工作日: the month's last working day)
春节前 / 国庆后            the last working day before the holiday / the first one after it
节后第一个工作日 / 节前     the same for the holiday under way, else the next one
=======================  ===================================================================

Holidays are this year's, or next year's once this year's is over; a year whose holidays are
not known (``bot.holiday_calendar``) is refused (``no_calendar``), never guessed.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.holiday_calendar import canonical_name, default_calendar
from bot.when.errors import invalid, no_calendar
from bot.when.phrase import Phrase

MAX_DAYS = 400
SPAN = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*-\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


@dataclass(frozen=True)
class OfficeHours:
    """Opening, closing and the lunch break (``None``: no break)."""

    start: time = time(9)
    end: time = time(17, 30)
    lunch: tuple[time, time] | None = (time(12), time(13, 30))

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """``"09:00-12:00, 13:30-17:30"`` (with a lunch break) or ``"09:00-17:30"``."""
        spans = []
        for part in text.split(","):
            m = SPAN.match(part)
            if not m:
                raise ValueError(f"{text!r} is not HH:MM-HH:MM or HH:MM-HH:MM, HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(g) for g in m.groups())
            spans.append((time(h1, m1), time(h2, m2)))
        times = [t for span in spans for t in span]
        if len(spans) > 2 or times != sorted(times) or len(set(times)) != len(times):
            raise ValueError(f"{text!r}: expected one or two spans, in order, within one day")
        lunch = (spans[0][1], spans[1][0]) if len(spans) == 2 else None
        return cls(start=spans[0][0], end=spans[-1][1], lunch=lunch)

    def __str__(self) -> str:
        if self.lunch is None:
            return f"{self.start:%H:%M}-{self.end:%H:%M}"
        a, b = self.lunch
        return f"{self.start:%H:%M}-{a:%H:%M}, {b:%H:%M}-{self.end:%H:%M}"


DEFAULT_OFFICE = OfficeHours()


def needs_office(ph: Phrase) -> bool:
    return bool(ph.rule or ph.workdays or ph.holiday is not None or ph.period)


def is_working(d: date) -> bool:
    cal = default_calendar()
    if not cal.has_data(d.year):
        raise no_calendar(d.year)
    return cal.is_working_day(d)


def step(d: date, direction: int, *, strict: bool) -> date:
    """The working day on or before (-1) / after (+1) ``d``; strictly so if ``strict``."""
    day = d + timedelta(days=direction) if strict else d
    for _ in range(MAX_DAYS):
        if is_working(day):
            return day
        day += timedelta(days=direction)
    raise invalid(f"{d}", f"{d}")  # pragma: no cover


def nth_working_day(today: date, n: int) -> date:
    day = today
    for _ in range(n):
        day = step(day, 1, strict=True)
    return day


def _holiday(ph: Phrase, today: date) -> date:
    cal = default_calendar()
    for year in (today.year, today.year + 1):
        if not cal.has_data(year):
            raise no_calendar(year)
        if ph.holiday:
            spans = [s for s in [cal.holiday(canonical_name(ph.holiday), year)] if s]
        else:
            spans = sorted(cal.holidays(year).values(), key=lambda s: s[1])
        spans = [s for s in spans if s[1] >= today]
        if spans:
            first, last = spans[0]
            if ph.holiday_edge == "before":
                return step(first, -1, strict=True)
            return step(last, 1, strict=True)
    raise invalid(ph.holiday or "节", ph.holiday or "holiday")


def _period(ph: Phrase, today: date) -> date:
    n = ph.period_offset
    if ph.period == "week_end":
        sunday = today + timedelta(days=6 - today.weekday() + 7 * n)
        return step(sunday, -1, strict=False)
    if ph.period == "month_start":
        for k in range(n, n + 2):
            y, m = divmod(today.year * 12 + today.month - 1 + k, 12)
            first = step(date(y, m + 1, 1), 1, strict=False)
            if first >= today or n:
                return first
    if ph.period == "quarter_end":
        q_last = ((today.month - 1) // 3 + 1 + n) * 3
        y, m = divmod(today.year * 12 + q_last - 1, 12)
        return date(y, m + 1, calendar.monthrange(y, m + 1)[1])
    return date(today.year + n, 12, 31)


def resolve_deadline(
    ph: Phrase,
    day: date | None,
    clock: tuple[int, int, int] | None,
    now: datetime,
    tz: ZoneInfo,
    office: OfficeHours,
) -> datetime:
    """The moment a deadline phrase names (see the table above)."""
    today = now.date()
    if ph.holiday is not None:
        day = _holiday(ph, today)
    elif ph.workdays is not None:
        day = nth_working_day(today, ph.workdays)
    elif ph.period is not None:
        day = _period(ph, today)
    alone = day is None
    day = day or today
    rule = ph.rule
    if rule in ("before", "close", "lunch_start") or ph.period == "week_end":
        day = step(day, -1, strict=False)
    elif rule in ("open", "lunch_end"):
        day = step(day, 1, strict=False)
    elif rule == "after_first":
        day = step(day, 1, strict=True)

    lunch = office.lunch or (office.end, office.end)
    default = {
        "close": office.end,
        "within": office.end,
        "open": office.start,
        "lunch_start": lunch[0],
        "lunch_end": lunch[1],
    }.get(rule or "", office.start)
    if clock is None and ph.workdays is not None and rule != "within":
        default = now.time().replace(second=0, microsecond=0, tzinfo=None)
    carry, hour, minute = clock if clock is not None else (0, default.hour, default.minute)
    at = datetime.combine(day + timedelta(days=carry), time(hour, minute), tzinfo=tz)
    if alone and at <= now and rule in ("close", "open", "lunch_start", "lunch_end"):
        return resolve_deadline(ph, step(today, 1, strict=True), clock, now, tz, office)
    return at
