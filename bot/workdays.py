"""Working days (Chinese calendar) and quiet hours: when a reminder may actually be sent.

Working days come from ``bot.holiday_calendar``: the office's file
(``config/calendars/cn-holidays.yaml``, the State Council's notice per year) first, then the
chinesecalendar library: weekends and public holidays are off, 调休 make-up Saturdays/Sundays are
working days. For a year in neither, Monday–Friday is assumed, logged once, and
``missing_years`` names it so that the digest and ``/status`` warn coordinators.

Quiet hours default to 21:00–08:00 local time. The allowed window is *inclusive* at both ends:
a reminder at 21:00 sharp or at 08:00 sharp is sent, 21:01 and 07:59 are quiet. All datetimes
are aware and interpreted in their own tzinfo (pass them in the campaign's time zone).

Two directions, two functions:

* ``plan_send_time(nominal)`` for deadline reminders, which must be read *before* the deadline,
  so they only move earlier: first to the previous working day at the same local time
  (``shift_to_previous_working_day``), then, if that time is quiet, to the latest allowed moment
  not after it (22:00 → 21:00 the same day; 06:00 → 21:00 the previous working day).
* ``next_allowed_time(dt)`` for things that may only move later (a missed reminder sent when the
  bot comes back, a broadcast): the earliest allowed moment at or after ``dt`` — out of quiet
  hours first, then, if the day is not a working day, 08:00 of the next working day.
  ``apply_quiet_hours`` is the quiet-hours half of it alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.holiday_calendar import default_calendar

QUIET_START = time(21)
QUIET_END = time(8)
MAX_DAYS_OFF = 60  # no stretch of days off is this long; guards the loops


def is_working_day(d: date) -> bool:
    """True on Chinese working days (调休 included); Monday–Friday for a year without data."""
    return default_calendar().is_working_day(d)


def has_calendar(year: int) -> bool:
    """Whether ``year``'s holidays are known (the office's file or the library)."""
    return default_calendar().has_data(year)


def missing_years(days: Iterable[date]) -> list[int]:
    """The years among ``days`` that have no holiday data, sorted."""
    return sorted({d.year for d in days if not has_calendar(d.year)})


def _on(dt: datetime, d: date) -> datetime:
    """``dt``'s wall-clock time on day ``d`` (same tzinfo)."""
    return dt.replace(year=d.year, month=d.month, day=d.day)


def shift_to_previous_working_day(dt: datetime) -> datetime:
    """``dt`` if it is on a working day, else the same local time on the previous working day
    (2026-10-01 09:00, National Day → 2026-09-30 09:00)."""
    day = dt.date()
    for _ in range(MAX_DAYS_OFF):
        if is_working_day(day):
            return _on(dt, day)
        day -= timedelta(days=1)
    raise ValueError(f"no working day within {MAX_DAYS_OFF} days before {dt:%Y-%m-%d}")


def _is_quiet(t: time, start: time, end: time) -> bool:
    t = t.replace(tzinfo=None)
    if start == end:
        return False
    if start > end:  # crosses midnight: 21:00–08:00
        return t > start or t < end
    return start < t < end


def apply_quiet_hours(
    dt: datetime, *, start: time = QUIET_START, end: time = QUIET_END
) -> datetime:
    """``dt`` if outside quiet hours, else the end of the quiet period (08:00 the same morning,
    or the next morning for a time in the evening)."""
    if not _is_quiet(dt.timetz(), start, end):
        return dt
    wake = dt.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if start > end and dt.time() > start:
        wake = _on(wake, dt.date() + timedelta(days=1))
    return wake


def _quiet(quiet: tuple[time | int, time | int]) -> tuple[time, time]:
    start, end = quiet
    return (
        start if isinstance(start, time) else time(start),
        end if isinstance(end, time) else time(end),
    )


def plan_send_time(
    nominal: datetime, *, quiet: tuple[time | int, time | int] = (QUIET_START, QUIET_END)
) -> datetime:
    """When to send a deadline reminder due at ``nominal``: ``nominal`` itself if allowed, else
    the previous working day at the same local time, pulled earlier out of quiet hours.
    Never later than ``nominal``; always on a working day, outside quiet hours."""
    start, end = _quiet(quiet)
    at = shift_to_previous_working_day(nominal)
    if not _is_quiet(at.timetz(), start, end):
        return at
    latest = at.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    if latest > at:  # morning quiet: the previous evening, on a working day
        latest = shift_to_previous_working_day(_on(latest, at.date() - timedelta(days=1)))
    return latest


def next_allowed_time(
    dt: datetime, *, quiet: tuple[time | int, time | int] = (QUIET_START, QUIET_END)
) -> datetime:
    """The earliest moment at or after ``dt`` on a working day and outside quiet hours
    (Friday 22:00 → Monday 08:00; 2026-10-01 10:00 → 2026-10-08 08:00)."""
    start, end = _quiet(quiet)
    at = apply_quiet_hours(dt, start=start, end=end)
    if is_working_day(at.date()):
        return at
    day = at.date()
    for _ in range(MAX_DAYS_OFF):
        day += timedelta(days=1)
        if is_working_day(day):
            return _on(at, day).replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    raise ValueError(f"no working day within {MAX_DAYS_OFF} days after {dt:%Y-%m-%d}")


def working_days_between(a: date, b: date) -> int:
    """Working days in (a, b]: after ``a``, up to and including ``b`` — "overdue by N working
    days" for deadline ``a`` on day ``b``. 0 when b == a; negative when b is before a."""
    if b < a:
        return -working_days_between(b, a)
    return sum(is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))
