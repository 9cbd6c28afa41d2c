"""Shared rendering: dates in the campaign's zone and the reader's language; long texts split."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TELEGRAM_LIMIT = 4096


def fmt_datetime(dt: datetime, tz: ZoneInfo, locale: str, *, with_time: bool = True) -> str:
    local = dt.astimezone(tz)
    if locale.startswith("zh"):
        text = f"{local.year}年{local.month}月{local.day}日(周{WEEKDAYS_ZH[local.weekday()]})"
    else:
        text = f"{local:%Y-%m-%d} ({WEEKDAYS_EN[local.weekday()]})"
    return f"{text} {local:%H:%M}" if with_time else text


def fmt_date(dt: datetime, tz: ZoneInfo, locale: str) -> str:
    return fmt_datetime(dt, tz, locale, with_time=False)


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split at line boundaries so that every part fits Telegram's limit."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than the limit: hard cut
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts
