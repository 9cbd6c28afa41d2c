"""The one error the time parser raises: a bilingual, one-line explanation."""

from __future__ import annotations

from datetime import datetime


class WhenError(ValueError):
    """A time phrase was not understood, names an impossible time, or lies in the past.

    ``zh`` and ``en`` are one-line messages for the user; ``code`` is one of
    ``unknown`` (not a time phrase), ``invalid`` (e.g. 2月30日, 25点), ``ambiguous``
    (e.g. 晚上2点), ``past`` (resolved, but not after ``now``) or ``no_calendar`` (a working-day
    phrase needs a year whose holidays are not known).
    """

    def __init__(self, message_zh: str, message_en: str, *, code: str = "unknown") -> None:
        super().__init__(f"{message_zh} / {message_en}")
        self.zh = message_zh
        self.en = message_en
        self.code = code

    def message(self, locale: str | None) -> str:
        return self.en if (locale or "").startswith("en") else self.zh


def unknown(text: str) -> WhenError:
    shown = text.strip()[:40]
    return WhenError(
        f"看不懂这个时间：“{shown}”（例如：明天下午3点、11月20日 9:00、3天后）",
        f"Could not understand the time {shown!r}"
        " (e.g. tomorrow 3pm, 2026-12-05 14:00, in 2 hours)",
        code="unknown",
    )


def invalid(what_zh: str, what_en: str) -> WhenError:
    return WhenError(f"不存在的时间：{what_zh}", f"No such time: {what_en}", code="invalid")


def ambiguous(what_zh: str, what_en: str) -> WhenError:
    return WhenError(f"时间不明确：{what_zh}", f"Ambiguous time: {what_en}", code="ambiguous")


def past(at: datetime) -> WhenError:
    shown = at.strftime("%Y-%m-%d %H:%M")
    return WhenError(f"时间已过：{shown}", f"That time has already passed: {shown}", code="past")


def no_calendar(year: int) -> WhenError:
    return WhenError(
        f"{year}年的节假日安排尚未录入（config/calendars/cn-holidays.yaml），无法推算工作日",
        f"No holiday calendar for {year} yet (config/calendars/cn-holidays.yaml):"
        " cannot count working days",
        code="no_calendar",
    )
