"""What a time phrase said (``Phrase``), and the vocabulary the grammar reads it with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.when.errors import invalid

NUM = r"(?:\d{1,4}|[零〇一二两三四五六七八九十百]{1,4})"
CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
EN_WEEKDAYS = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
EN_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12,
}  # fmt: skip
PART_ALIASES = {
    "凌晨": "凌晨", "半夜": "凌晨", "清晨": "早上", "早晨": "早上", "早上": "早上", "早": "早上",
    "上午": "上午", "中午": "中午", "午间": "中午", "正午": "中午", "下午": "下午",
    "傍晚": "傍晚", "晚上": "晚上", "夜里": "晚上", "夜间": "晚上", "晚间": "晚上", "晚": "晚上",
    "夜晚": "晚上",
    "morning": "上午", "afternoon": "下午", "evening": "晚上", "night": "晚上",
}  # fmt: skip


@dataclass
class Phrase:
    """What a phrase said, before it is resolved against ``now``."""

    year: int | None = None
    year_offset: int | None = None  # 今年 0, 明年 1
    month: int | None = None
    day: int | None = None
    month_offset: int | None = None  # with a bare day ("下个月1号") or month_end
    month_end: bool = False
    day_offset: int | None = None  # 今天 0, 明天 1, 后天 2, 昨天 -1
    weekday: int | None = None  # 0 = Monday
    week: int | None = None  # None: bare weekday; 0 this week, 1 next week, 2, -1
    rel_days: int = 0  # "3天后": date moves, time of day kept
    rel_months: int = 0
    rel_delta: timedelta | None = None  # "2小时后": exactly from now
    part: str | None = None  # canonical Chinese part of day, see PART_ALIASES
    hour: int | None = None
    minute: int = 0
    second: int = 0
    clock24: bool = False  # "03:00", "15点": never moved to the afternoon
    ampm: str | None = None  # "am" / "pm"
    kinds: set[str] = field(default_factory=set)
    # deadline phrases (see bot.when.office): how the date moves onto a working day
    rule: str | None = None  # before, after_first, open, close, lunch_start, lunch_end, within
    workdays: int | None = None  # "3个工作日内/后": the N-th working day after today
    holiday: str | None = None  # 春节, 国庆节 …; "" for 节 (the current or next holiday)
    holiday_edge: str | None = None  # "before" / "after" the holiday
    period: str | None = None  # week_end, month_start, quarter_end, year_end
    period_offset: int = 0


CN_DIGITS = {"零": 0, "〇": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}  # fmt: skip


def to_year(s: str) -> int:
    """2016, or 二零一六 written digit by digit."""
    return int(s) if s.isdigit() else int("".join(str(CN_DIGITS[c]) for c in s))


def to_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s in EN_NUMBERS:
        return EN_NUMBERS[s]
    import cn2an  # ~4 MB and 0.1 s: loaded by the first number written in characters

    try:
        return int(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError, TypeError):
        raise invalid(s, s) from None
