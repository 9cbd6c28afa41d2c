"""Deadline phrases as offices write them (components of the grammar in ``bot.when.grammar``).

下班前 / 上班前 / 上午下班前 / 下午上班前, "X前" and "X后第一个工作日" after any date, 本周内,
月初, 季度末, 年底, and holidays by name: 春节前, 国庆后, 节后第一个工作日. ``bot.when.office``
turns what they read into a moment on a working day.
"""

from __future__ import annotations

import re

from bot.when.grammar import component
from bot.when.phrase import Phrase

BEFORE = r"(?:之前|以前|前)"
LAST = r"的?最后一个工作日"
FIRST = r"的?(?:第一个工作日|首个工作日|上班第一天|第一天上班)"
HOLIDAY_NAMES = r"春节|过年|国庆节?|元旦|清明节?|劳动节|端午节?|中秋节?|五一|十一"


@component("rule", "time", "part", pattern=rf"(?P<p>上午|中午)下班{BEFORE}")
def _lunch_start(m: re.Match[str], ph: Phrase) -> None:
    ph.rule = "lunch_start"


@component("rule", "time", "part", pattern=rf"下午上班{BEFORE}")
def _lunch_end(m: re.Match[str], ph: Phrase) -> None:
    ph.rule = "lunch_end"


@component("rule", "time", "part", pattern=rf"(?:早上|上午|下午)?(?P<w>上|下)班{BEFORE}")
def _office_edge(m: re.Match[str], ph: Phrase) -> None:
    ph.rule = "open" if m["w"] == "上" else "close"


@component(
    "rule", pattern=rf"{BEFORE}(?P<last>{LAST})?(?![天台面排列线夕方往来期后者])", after_date=True
)
def _before(m: re.Match[str], ph: Phrase) -> None:
    ph.rule = "before"  # 月底前最后一个工作日 = 月底前: the month's last working day


@component("rule", pattern=rf"(?:之后|以后|后){FIRST}", after_date=True)
def _after_first(m: re.Match[str], ph: Phrase) -> None:
    ph.rule = "after_first"


@component("date", "rule", pattern=r"下一?个工作日")
def _next_working_day(m: re.Match[str], ph: Phrase) -> None:
    ph.rule = "after_first"  # after today


def _offset(prefix: str | None) -> int:
    return 1 if prefix and prefix[0] in "下明" else 0


@component("date", "rule", pattern=r"(?P<pre>本|这个?|下个?)(?:周|星期|礼拜)(?:之内|以内|内)")
def _this_week(m: re.Match[str], ph: Phrase) -> None:
    ph.period, ph.period_offset, ph.rule = "week_end", _offset(m["pre"]), "within"


@component("date", pattern=r"(?P<pre>下个?|本|这个?)?月初")
def _month_start(m: re.Match[str], ph: Phrase) -> None:
    ph.period, ph.period_offset = "month_start", _offset(m["pre"])


@component("date", pattern=r"(?P<pre>本|这个?|下个?)?季度?(?:末|底)")
def _quarter_end(m: re.Match[str], ph: Phrase) -> None:
    ph.period, ph.period_offset = "quarter_end", _offset(m["pre"])


@component("date", pattern=r"(?P<pre>今|明)?年(?:底|末)")
def _year_end(m: re.Match[str], ph: Phrase) -> None:
    ph.period, ph.period_offset = "year_end", _offset(m["pre"])


@component("date", "rule", pattern=(
    rf"(?P<name>{HOLIDAY_NAMES}|节)(?P<edge>{BEFORE}(?:{LAST})?|(?:之后|以后|后)(?:{FIRST})?)"
))  # fmt: skip
def _holiday(m: re.Match[str], ph: Phrase) -> None:
    ph.holiday = "" if m["name"] == "节" else m["name"]
    ph.holiday_edge = "before" if m["edge"].lstrip("之以").startswith("前") else "after"
