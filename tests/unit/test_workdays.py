"""Working days (chinesecalendar, 调休 included) and quiet hours (21:00–08:00) for reminders.

2026 National Day: 10-01..10-07 off, Saturday 10-10 a make-up working day (chinesecalendar data).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.workdays import (
    apply_quiet_hours,
    is_working_day,
    next_allowed_time,
    plan_send_time,
    shift_to_previous_working_day,
    working_days_between,
)

SH = ZoneInfo("Asia/Shanghai")


def at(y: int, mo: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


def allowed(dt: datetime) -> bool:
    return is_working_day(dt.date()) and time(8) <= dt.time() <= time(21)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 26), True),  # Thursday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 7), False),  # National Day, a Wednesday
        (date(2026, 10, 10), True),  # 调休: a Saturday that is a working day
        (date(2026, 9, 20), True),  # 调休 Sunday
        (date(2026, 9, 25), False),  # Mid-autumn, a Friday
        (date(2027, 1, 1), True),  # beyond the library's data: Monday–Friday, no crash
        (date(2027, 1, 2), False),
        (date(2003, 1, 1), True),
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("nominal", "expected"),
    [
        (at(2026, 10, 1), at(2026, 9, 30)),
        (at(2026, 10, 7, 14, 30), at(2026, 9, 30, 14, 30)),
        (at(2026, 10, 11, 10), at(2026, 10, 10, 10)),  # Sunday → the 调休 Saturday
        (at(2026, 11, 28, 10), at(2026, 11, 27, 10)),  # Saturday → Friday
        (at(2026, 11, 26, 10), at(2026, 11, 26, 10)),  # a working day stays
    ],
)
def test_shift_to_previous_working_day(nominal: datetime, expected: datetime) -> None:
    got = shift_to_previous_working_day(nominal)
    assert got == expected and got.tzinfo is SH


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (at(2026, 11, 26, 23, 30), at(2026, 11, 27, 8)),
        (at(2026, 11, 26, 3), at(2026, 11, 26, 8)),
        (at(2026, 11, 26, 7, 59), at(2026, 11, 26, 8)),
        (at(2026, 11, 26, 21, 1), at(2026, 11, 27, 8)),
        (at(2026, 11, 26, 21), at(2026, 11, 26, 21)),  # the window is inclusive
        (at(2026, 11, 26, 8), at(2026, 11, 26, 8)),
        (at(2026, 11, 26, 12), at(2026, 11, 26, 12)),
        (at(2026, 11, 28, 23), at(2026, 11, 29, 8)),  # quiet hours alone ignore weekends
    ],
)
def test_apply_quiet_hours(dt: datetime, expected: datetime) -> None:
    assert apply_quiet_hours(dt) == expected


def test_apply_quiet_hours_other_window() -> None:
    assert apply_quiet_hours(at(2026, 11, 26, 22, 30), start=time(22), end=time(7)) == at(
        2026, 11, 27, 7
    )
    assert apply_quiet_hours(at(2026, 11, 26, 21, 30), start=time(22), end=time(7)) == at(
        2026, 11, 26, 21, 30
    )


@pytest.mark.parametrize(
    ("nominal", "expected"),
    [
        (at(2026, 11, 26, 10), at(2026, 11, 26, 10)),  # allowed: unchanged
        (at(2026, 10, 1), at(2026, 9, 30)),  # holiday: previous working day, same time
        (at(2026, 11, 27, 22), at(2026, 11, 27, 21)),  # evening quiet: earlier, same day
        (at(2026, 11, 30, 7), at(2026, 11, 27, 21)),  # Monday 07:00 → Friday 21:00
        (at(2026, 11, 28, 6), at(2026, 11, 26, 21)),  # Sat 06:00 → Fri 06:00 → Thu 21:00
        (at(2026, 10, 8, 6), at(2026, 9, 30, 21)),  # first day after the holiday, early
        (at(2026, 10, 4, 23), at(2026, 9, 30, 21)),
    ],
)
def test_plan_send_time(nominal: datetime, expected: datetime) -> None:
    assert plan_send_time(nominal) == expected


def test_plan_send_time_with_integer_quiet_hours() -> None:
    assert plan_send_time(at(2026, 11, 27, 21, 30), quiet=(22, 7)) == at(2026, 11, 27, 21, 30)
    assert plan_send_time(at(2026, 11, 27, 6, 30), quiet=(22, 7)) == at(2026, 11, 26, 22)


@pytest.mark.parametrize(
    ("dt", "expected"),
    [
        (at(2026, 11, 26, 12), at(2026, 11, 26, 12)),
        (at(2026, 11, 27, 22), at(2026, 11, 30, 8)),  # Friday night → Monday 08:00
        (at(2026, 11, 28, 10), at(2026, 11, 30, 8)),  # Saturday → Monday 08:00
        (at(2026, 10, 1, 10), at(2026, 10, 8, 8)),  # National Day → first working day
        (at(2026, 10, 9, 23), at(2026, 10, 10, 8)),  # → the 调休 Saturday
        (at(2026, 11, 26, 6, 15), at(2026, 11, 26, 8)),
    ],
)
def test_next_allowed_time(dt: datetime, expected: datetime) -> None:
    assert next_allowed_time(dt) == expected


def test_every_hour_around_national_day() -> None:
    """plan_send_time never moves later, next_allowed_time never earlier; both land allowed."""
    start = at(2026, 9, 18, 0)
    for step in range(24 * 30 * 2):
        dt = start + timedelta(minutes=30 * step)
        planned, nxt = plan_send_time(dt), next_allowed_time(dt)
        assert planned <= dt and allowed(planned), dt
        assert nxt >= dt and allowed(nxt), dt
        if allowed(dt):
            assert planned == dt == nxt


@pytest.mark.parametrize(
    ("a", "b", "n"),
    [
        (date(2026, 11, 26), date(2026, 11, 26), 0),
        (date(2026, 11, 26), date(2026, 11, 30), 2),  # Fri, Mon
        (date(2026, 11, 30), date(2026, 11, 26), -2),
        (date(2026, 9, 30), date(2026, 10, 12), 4),  # 10-08, 10-09, 10-10 (调休), 10-12
        (date(2026, 12, 31), date(2027, 1, 8), 6),  # 2027 falls back to Mon–Fri
    ],
)
def test_working_days_between(a: date, b: date, n: int) -> None:
    assert working_days_between(a, b) == n
