"""Turn a parsed ``Phrase`` into an aware datetime, given ``now``.

The rules (a contract, tested in ``tests/unit/test_when.py``):

======================  =================================================================
phrase                  means
======================  =================================================================
a date, no time         09:00 that day (明天, 下周一, 20号, 11月20日, next monday)
part of day, no time    早上 08:00 · 上午 09:00 · 中午 12:00 · 下午 15:00 · 傍晚 18:00 ·
                        晚上/今晚 20:00 (morning/afternoon/evening/tonight alike);
                        凌晨 with a date = 00:00 of that date (后天凌晨); 凌晨 alone is
                        refused (say 凌晨5点)
N点 with a part         凌晨 0–6 (凌晨12点 = 00:00) · 早上 0–11 · 上午 0–12 ·
                        中午 11–13, 1–2 → +12 · 下午 1–11 → +12, 12–23 as is ·
                        傍晚 4–8 → +12 · 晚上 5–11 → +12, 17–23 as is;
                        晚上12点/0点/24点 = 00:00 the next day; 晚上1–4点 refused
N点 without a part      1–6 → 13:00–18:00 (a work reminder, nobody means 3 a.m.; write 凌晨3点
                        or 03:00 for that); 0 and 7–23 as written; 24点 = 00:00 the next day
a time, no date         today if still ahead, else tomorrow
明天 before 03:00        the day that is dawning (at 01:00 明天上午9点 is 8 hours away)
bare weekday (周五)      the next such day strictly after today: never today (but a deadline,
                        周五下班前 on a Friday morning, is today's while still ahead)
本周五 / 这周五          this week's Friday (weeks start on Monday), even if that is past
下周一 / 下下周一        Monday of next week / of the week after (next monday alike)
上周五 / 昨天 / 前天      resolve to the past (``coordbot when`` prints it; /remind refuses it)
N天前 / 半小时前          that long before now (the date moves, the time of day is kept)
N秒后 / N年后 / 一个钟后    seconds, years, 钟 = an hour; 过后 = 后
M月D日 / 12/5 / dec 5    this year, or next year if the date is before today
D号                      this month, or the next month that has day D if it is before today
下个月1号 / 月底          day 1 of next month / last day of this month (下个月底: of next month)
N天后 / N周后 / N个月后    the date moves, the time of day is kept unless one is given
N小时后 / N分钟后 / 半小时后 exactly that long after now
impossible dates/times  refused (2月30日, 13月1日, 明天25点, 10点61分)
not after now           refused as past (时间已过) by ``parse_when`` unless allow_past
deadline phrases        see ``bot.when.office`` (下班前, 五日内, 三个工作日内, 国庆后 …)
======================  =================================================================
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.when.errors import ambiguous, invalid
from bot.when.office import DEFAULT_OFFICE, OfficeHours, needs_office, resolve_deadline
from bot.when.phrase import Phrase

DEFAULT_HOUR = 9
LATE_NIGHT_END = 3  # before 03:00, "tomorrow" is said of the coming morning (today's date)
PART_DEFAULT = {"早上": 8, "上午": 9, "中午": 12, "下午": 15, "傍晚": 18, "晚上": 20}
# part of day -> (low, high, hours added) ranges a written hour may take
PART_RANGES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "凌晨": ((0, 6, 0), (12, 12, -12)),
    "早上": ((0, 11, 0),),
    "上午": ((0, 12, 0),),
    "中午": ((11, 13, 0), (1, 2, 12)),
    "下午": ((1, 11, 12), (12, 23, 0)),
    "傍晚": ((4, 8, 12), (16, 20, 0)),
    "晚上": ((5, 11, 12), (17, 23, 0)),
}


def clock_of(ph: Phrase) -> tuple[int, int, int] | None:
    """(days carried, hour, minute) of the phrase's clock time, or None if it names none."""
    if ph.hour is None:
        if ph.part is None:
            return None
        if ph.part == "凌晨" and "date" in ph.kinds:
            return 0, 0, 0
        if ph.part not in PART_DEFAULT:
            raise ambiguous("只写了“凌晨”，请写具体钟点，如凌晨5点", "give a clock time, e.g. 5am")
        return 0, PART_DEFAULT[ph.part], 0
    h, mi = ph.hour, ph.minute
    if mi > 59:
        raise invalid(f"{h}点{mi}分", f"{h}:{mi:02d}")
    if ph.ampm:
        if not 1 <= h <= 12:
            raise invalid(f"{h}{ph.ampm}", f"{h}{ph.ampm}")
        return 0, h % 12 + (12 if ph.ampm == "pm" else 0), mi
    if h == 24 or (ph.part == "晚上" and h in (0, 12)):
        if mi or ph.part not in (None, "晚上"):
            raise invalid(f"{h}点{mi}分", f"{h}:{mi:02d}")
        return 1, 0, 0
    if h > 23:
        raise invalid(f"{h}点", f"{h}:{mi:02d}")
    if ph.part is None:
        return 0, h + 12 if (not ph.clock24 and 1 <= h <= 6) else h, mi
    for low, high, add in PART_RANGES[ph.part]:
        if low <= h <= high:
            return 0, h + add, mi
    if ph.part == "晚上" and 1 <= h <= 4:
        raise ambiguous(f"晚上{h}点（是凌晨{h}点吗？）", f"{h} at night (write {h}am)")
    raise invalid(f"{ph.part}{h}点", f"{h}:{mi:02d} in the {ph.part}")


def resolve(
    ph: Phrase, now: datetime, tz: ZoneInfo, office: OfficeHours = DEFAULT_OFFICE
) -> datetime:
    """The moment ``ph`` names, aware in ``tz`` (possibly in the past); raise WhenError if
    impossible."""
    now = now.astimezone(tz)
    if ph.rel_delta is not None:
        return (now.astimezone(UTC) + ph.rel_delta).astimezone(tz).replace(microsecond=0)
    clock = clock_of(ph)
    if ph.day_offset == 1 and now.hour < LATE_NIGHT_END:
        ph.day_offset = 0  # at 01:00, 明天 is the day that is dawning: today's date
    day = _date_of(ph, now.date())
    if needs_office(ph):
        if ph.weekday is not None and ph.week is None and day is not None:
            # a deadline on a bare weekday (周五下班前 on a Friday morning) is this one while
            # it is still ahead, else next week's
            this = now.date() + timedelta(days=(ph.weekday - now.weekday()) % 7)
            at = resolve_deadline(ph, this, clock, now, tz, office)
            if at > now:
                return at.replace(second=ph.second)
        return resolve_deadline(ph, day, clock, now, tz, office).replace(second=ph.second)
    if day is None:  # a clock time alone: today if still ahead, else tomorrow
        assert clock is not None
        at = _at(now.date(), clock, tz, ph.second)
        return at if at > now else _at(now.date() + timedelta(days=1), clock, tz, ph.second)
    if clock is None:
        keep = ph.rel_days or ph.rel_months
        clock = (0, now.hour, now.minute) if keep else (0, DEFAULT_HOUR, 0)
        if keep:
            return _at(day, clock, tz, now.second)
    return _at(day, clock, tz, ph.second)


def _at(day: date, clock: tuple[int, int, int], tz: ZoneInfo, second: int = 0) -> datetime:
    carry, hour, minute = clock
    if not 0 <= second <= 59:
        raise invalid(f"{second}秒", f"second {second}")
    return datetime.combine(day + timedelta(days=carry), time(hour, minute, second), tzinfo=tz)


def _date_of(ph: Phrase, today: date) -> date | None:
    if ph.month is not None and ph.day is not None:
        return _month_and_day(ph, today)
    if ph.month_end:
        y, m = _add_months(today.year, today.month, ph.month_offset or 0)
        return date(y, m, calendar.monthrange(y, m)[1])
    if ph.day is not None:
        return _day_of_month(ph.day, ph.month_offset, today)
    if ph.day_offset is not None:
        return today + timedelta(days=ph.day_offset)
    if ph.weekday is not None:
        if ph.week is None:
            return today + timedelta(days=(ph.weekday - today.weekday()) % 7 or 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * ph.week + ph.weekday)
    if ph.rel_days or ph.rel_months or "date" in ph.kinds:
        y, m = _add_months(today.year, today.month, ph.rel_months)
        moved = date(y, m, min(today.day, calendar.monthrange(y, m)[1]))
        return moved + timedelta(days=ph.rel_days)
    return None


def _month_and_day(ph: Phrase, today: date) -> date:
    m, d = ph.month, ph.day
    assert m is not None and d is not None
    if _valid(2000, m, d) is None:  # 2000 is a leap year: catches 2月30日, 13月1日, 4月31日
        raise invalid(f"{m}月{d}日", f"month {m}, day {d}")
    if ph.year is not None or ph.year_offset is not None:
        year = ph.year if ph.year is not None else today.year + (ph.year_offset or 0)
        found = _valid(year, m, d)
        if found is None:
            raise invalid(f"{year}年{m}月{d}日", f"{year}-{m:02d}-{d:02d}")
        return found
    for year in range(today.year, today.year + 9):  # 2月29日 waits for a leap year
        found = _valid(year, m, d)
        if found is not None and found >= today:
            return found
    raise invalid(f"{m}月{d}日", f"month {m}, day {d}")  # pragma: no cover


def _day_of_month(d: int, offset: int | None, today: date) -> date:
    if not 1 <= d <= 31:
        raise invalid(f"{d}号", f"day {d}")
    if offset is not None:
        y, m = _add_months(today.year, today.month, offset)
        found = _valid(y, m, d)
        if found is None:
            raise invalid(f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}")
        return found
    for step in range(4):
        y, m = _add_months(today.year, today.month, step)
        found = _valid(y, m, d)
        if found is not None and found >= today:
            return found
    raise invalid(f"{d}号", f"day {d}")  # pragma: no cover


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
