"""Rule grammar for time phrases (Chinese first, the common English forms too).

``scan(text, pos)`` reads components greedily from ``pos`` of a *normalised* text (see
``normalize``) and returns what it read as a ``Phrase`` plus the offset where it stopped. Each
kind of component (``date``, ``part`` of day, clock ``time``, relative ``rel``) is read at most
once, in any order, optionally separated by spaces, commas, 的, at, on. ``resolve`` (in
``bot.when.resolve``) turns a Phrase into a datetime.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from bot.when.errors import invalid
from bot.when.phrase import (
    CN_WEEKDAYS,
    EN_MONTHS,
    EN_WEEKDAYS,
    NUM,
    PART_ALIASES,
    Phrase,
    to_int,
    to_year,
)

Handler = Callable[[re.Match[str], Phrase], None]
COMPONENTS: list[tuple[tuple[str, ...], re.Pattern[str], Handler]] = []
AFTER_A_DATE: set[Handler] = set()  # suffixes (前, 后第一个工作日) that only follow a date


def component(*kinds: str, pattern: str, after_date: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMPONENTS.append((kinds, re.compile(pattern), fn))
        if after_date:
            AFTER_A_DATE.add(fn)
        return fn

    return register


UNIT = r"(?P<unit>秒钟|秒|分钟|分|小时|钟头|钟|天|日|周|星期|礼拜|个月|月|年)"
# 后: from now on; 前: ago (but "20日前" is "before the 20th", see _before); 内: within
DIRECTION = r"(?P<dir>之后|以后|过后|后|之内|以内|内|(?<!日)(?:之前|以前|前)(?!天))"


@component("date", "part", "time", "rel", pattern=(
    rf"(?:(?P<n>{NUM}|几)\s*个?\s*(?P<half>半)?|(?P<onlyhalf>半))\s*个?\s*{UNIT}\s*{DIRECTION}"
))  # fmt: skip
def _cn_relative(m: re.Match[str], ph: Phrase) -> None:
    n = (3 if m["n"] == "几" else to_int(m["n"])) if m["n"] else 0  # 几: a few, read as 3
    half = bool(m["half"] or m["onlyhalf"])
    sign = -1 if m["dir"].endswith("前") else 1
    _relative(ph, n, half, m["unit"], sign=sign, within="内" in m["dir"])


WORKDAYS = rf"(?P<n>{NUM})\s*个\s*工作日\s*(?P<dir>之内|以内|内|之后|以后|后)"


@component("date", "rel", pattern=WORKDAYS)
def _workdays(m: re.Match[str], ph: Phrase) -> None:
    ph.workdays = to_int(m["n"])
    if ph.workdays < 1:
        raise invalid(m[0], m[0])
    if "内" in m["dir"]:
        ph.rule = "within"


EN_UNIT = r"(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\b"
EN_N = r"(?P<n>\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|twelve)"


@component("date", "part", "time", "rel", pattern=(
    rf"in\s+(?:(?P<onlyhalf>half)\s+an?|{EN_N})\s+{EN_UNIT}(?P<half>\s+and\s+a\s+half\b)?"
))  # fmt: skip
def _en_in(m: re.Match[str], ph: Phrase) -> None:
    _en_relative(m, ph)


@component("date", "part", "time", "rel", pattern=rf"{EN_N}\s+{EN_UNIT}\s+(?:later\b|from\s+now\b)")
def _en_relative(m: re.Match[str], ph: Phrase) -> None:
    n = to_int(m["n"]) if m["n"] else 0
    unit = {"m": "分钟", "h": "小时", "d": "天", "w": "周"}[m["unit"][0]]
    if m["unit"].startswith("mo"):
        unit = "月"
    groups = m.groupdict()
    _relative(ph, n, bool(groups.get("half") or groups.get("onlyhalf")), unit)


def _relative(
    ph: Phrase, n: int, half: bool, unit: str, *, sign: int = 1, within: bool = False
) -> None:
    n, extra = sign * n, sign * 0.5 if half else 0
    if unit in ("秒钟", "秒"):
        ph.rel_delta = timedelta(seconds=n + extra)
    elif unit in ("分钟", "分"):
        ph.rel_delta = timedelta(minutes=n + extra)
    elif unit in ("小时", "钟头", "钟"):
        ph.rel_delta = timedelta(hours=n + extra)
    elif half:
        raise invalid(f"半{unit}", f"half a {unit}")
    elif unit in ("天", "日"):
        ph.rel_days = n
    elif unit in ("周", "星期", "礼拜"):
        ph.rel_days = 7 * n
    elif unit == "年":
        ph.rel_months = 12 * n
    else:
        ph.rel_months = n
    if within and ph.rel_delta is None:
        ph.rule = "within"  # the end of the N-th day (office hours' end)
    if ph.rel_delta is None:  # day-sized: a clock time or part of day may follow
        ph.kinds.add("date")
    else:
        ph.kinds.update({"date", "part", "time", "rel"})


@component("date", pattern=r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)")
def _iso_date(m: re.Match[str], ph: Phrase) -> None:
    ph.year, ph.month, ph.day = int(m["y"]), int(m["m"]), int(m["d"])


@component("date", pattern=(
    rf"(?:(?P<y>\d{{4}}|[零〇一二三四五六七八九]{{4}})\s*年\s*,?\s*|(?P<yw>今年|明年|后年))?"
    rf"\s*(?P<m>{NUM})\s*月份?\s*(?P<d>{NUM})\s*[日号]?"
))  # fmt: skip
def _cn_date(m: re.Match[str], ph: Phrase) -> None:
    if m["y"]:
        ph.year = to_year(m["y"])
    elif m["yw"]:
        ph.year_offset = {"今年": 0, "明年": 1, "后年": 2}[m["yw"]]
    ph.month, ph.day = to_int(m["m"]), to_int(m["d"])


@component("date", pattern=r"(?P<m>\d{1,2})/(?P<d>\d{1,2})(?![/\d])")
def _slash_date(m: re.Match[str], ph: Phrase) -> None:
    ph.month, ph.day = int(m["m"]), int(m["d"])


MONTH_PREFIX = r"(?P<pre>下下个?|下个?|这个?|本)?"


@component("date", pattern=rf"{MONTH_PREFIX}月(?P<d>{NUM})\s*[号日]")
def _month_day(m: re.Match[str], ph: Phrase) -> None:
    ph.month_offset = _month_offset(m["pre"])
    ph.day = to_int(m["d"])


@component("date", pattern=rf"{MONTH_PREFIX}月[底末]")
def _month_end(m: re.Match[str], ph: Phrase) -> None:
    ph.month_offset = _month_offset(m["pre"])
    ph.month_end = True


def _month_offset(prefix: str | None) -> int:
    return 2 if prefix and prefix.startswith("下下") else 1 if prefix and prefix[0] == "下" else 0


@component("date", pattern=rf"(?P<d>{NUM})\s*[号日](?![楼院室线门口房栋座仓库])")
def _day_of_month(m: re.Match[str], ph: Phrase) -> None:
    ph.day = to_int(m["d"])


DAY_WORDS = {
    "今天": (0, None), "今日": (0, None), "明天": (1, None), "明日": (1, None),
    "后天": (2, None), "大后天": (3, None), "昨天": (-1, None), "前天": (-2, None),
    "昨日": (-1, None), "前晚": (-2, "晚上"), "大前晚": (-3, "晚上"), "后早": (2, "早上"),
    "大后早": (3, "早上"), "大前天": (-3, None), "昨晚": (-1, "晚上"), "昨夜": (-1, "晚上"),
    "今晚": (0, "晚上"), "今夜": (0, "晚上"), "明晚": (1, "晚上"), "今早": (0, "早上"),
    "明早": (1, "早上"), "明晨": (1, "早上"),
    "today": (0, None), "tomorrow": (1, None), "tmr": (1, None), "tmrw": (1, None),
    "tonight": (0, "晚上"), "yesterday": (-1, None),
    "this morning": (0, "上午"), "this afternoon": (0, "下午"), "this evening": (0, "晚上"),
}  # fmt: skip


@component("date", "part", pattern=(
    r"今晚|今夜|明晚|今早|明早|明晨|昨晚|昨夜|大前晚|前晚|大后早|后早|tonight\b|this\s+(?:morning|afternoon|evening)\b"
))  # fmt: skip
def _day_and_part(m: re.Match[str], ph: Phrase) -> None:
    ph.day_offset, ph.part = DAY_WORDS[re.sub(r"\s+", " ", m[0])]


@component("date", pattern=(
    r"大后天|大前天|后天|今天|今日|明天|明日|昨天|昨日|前天"
    r"|(?:the\s+)?day\s+after\s+tomorrow\b|today\b|tomorrow\b|tmrw?\b|yesterday\b"
))  # fmt: skip
def _day_word(m: re.Match[str], ph: Phrase) -> None:
    ph.day_offset = 2 if "after" in m[0] else DAY_WORDS[m[0]][0]


@component("date", pattern=(
    r"(?P<pre>下下个?|下个?|这个?|本|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
))  # fmt: skip
def _cn_weekday(m: re.Match[str], ph: Phrase) -> None:
    wd = m["wd"]
    ph.weekday = int(wd) - 1 if wd.isdigit() else CN_WEEKDAYS[wd]
    pre = m["pre"] or ""
    ph.week = (
        None if not pre else 2 if pre.startswith("下下") else 1 if pre[0] == "下"
        else -1 if pre[0] == "上" else 0
    )  # fmt: skip


@component("date", pattern=(
    r"(?:(?P<pre>this|next|coming)\s+)?(?P<wd>mon|tue|wed|thu|fri|sat|sun)"
    r"(?:day|sday|nesday|rsday|urday|s|r|rs)?\b"
))  # fmt: skip
def _en_weekday(m: re.Match[str], ph: Phrase) -> None:
    ph.weekday = EN_WEEKDAYS[m["wd"]]
    ph.week = {"this": 0, "next": 1}.get(m["pre"] or "")


EN_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"


@component("date", pattern=(
    rf"(?:{EN_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{EN_MONTH.replace('mon>', 'mon2>')})"
    r"(?:,?\s+(?P<y>\d{4})\b)?"
))  # fmt: skip
def _en_date(m: re.Match[str], ph: Phrase) -> None:
    ph.month = EN_MONTHS[m["mon"] or m["mon2"]]
    ph.day = int(m["d"] or m["d2"])
    ph.year = int(m["y"]) if m["y"] else None


@component("part", pattern=(
    r"(?:凌晨|半夜|清晨|早晨|早上|上午|中午|午间|正午|下午|傍晚|晚上|夜晚|夜里|夜间|晚间)"
    r"(?![茶饭餐]|上班|下班)"
    rf"|[早晚](?=\s*{NUM}\s*[点时:])|(?:in\s+the\s+)?(?:morning|afternoon|evening)\b|at\s+night\b"
))  # fmt: skip
def _part(m: re.Match[str], ph: Phrase) -> None:
    ph.part = PART_ALIASES[m[0].split()[-1]]


AMPM = r"(?P<ap>a\.?m\.?|p\.?m\.?)(?![a-z])"


@component("time", pattern=rf"(?P<h>\d{{1,2}})(?::(?P<m>\d{{2}}))?\s*{AMPM}")
def _en_ampm(m: re.Match[str], ph: Phrase) -> None:
    ph.hour, ph.minute = int(m["h"]), int(m["m"] or 0)
    ph.ampm = m["ap"][0] + "m"


@component("time", pattern=r"noon\b|midnight\b")
def _noon(m: re.Match[str], ph: Phrase) -> None:
    ph.hour, ph.clock24 = (12, True) if m[0] == "noon" else (24, True)


@component("time", pattern=r"(?P<h>\d{1,2})\s*:\s*(?P<m>\d{2})(?::(?P<s>\d{2}))?(?!\d)")
def _colon_time(m: re.Match[str], ph: Phrase) -> None:
    ph.hour, ph.minute, ph.second = int(m["h"]), int(m["m"]), int(m["s"] or 0)
    ph.clock24 = m["h"].startswith("0") or ph.hour > 12


@component("time", pattern=(
    rf"(?P<h>{NUM})\s*(?:点钟?|时)(?:过?(?:(?P<half>半)|(?P<q>一刻|三刻)|(?P<sharp>整|正)"
    rf"|(?P<mn>{NUM})\s*分钟?|(?P<mn2>{NUM})(?![\d零〇一二两三四五六七八九十百个天号日月周小点时秒]|分钟)))?"
    rf"(?:\s*(?P<sec>{NUM})\s*秒钟?)?(?:\s*{AMPM})?"
))  # fmt: skip
def _cn_time(m: re.Match[str], ph: Phrase) -> None:
    ph.hour = to_int(m["h"])
    ph.clock24 = m["h"].startswith("0") or ph.hour > 12
    if m["half"]:
        ph.minute = 30
    elif m["q"]:
        ph.minute = 15 if m["q"] == "一刻" else 45
    elif m["mn"] or m["mn2"]:
        ph.minute = to_int(m["mn"] or m["mn2"])
    if m["sec"]:
        ph.second = to_int(m["sec"])
    if m["ap"]:
        ph.ampm = m["ap"][0] + "m"


@component("time", pattern=(
    r"at\s+(?P<h>\d{1,2})(?![\d:])(?!\s*(?:a\.?m|p\.?m|o'?clock))\b|(?P<h2>\d{1,2})\s*o'?clock\b"
))  # fmt: skip
def _en_bare_hour(m: re.Match[str], ph: Phrase) -> None:
    ph.hour = int(m["h"] or m["h2"])


FILLER = re.compile(r"(?:(?:at|on)\b|[,的])")
SPACE = re.compile(r"\s*")


def scan(text: str, pos: int = 0) -> tuple[Phrase, int]:
    """Read components from ``pos``; return the phrase and where the last one ended."""
    ph = Phrase()
    end = pos
    while True:
        start = SPACE.match(text, end).end()  # type: ignore[union-attr]
        got = _component_at(text, start, ph, attached=start == end)
        if got is None:
            filler = FILLER.match(text, start)
            if filler:
                got = _component_at(text, SPACE.match(text, filler.end()).end(), ph)  # type: ignore[union-attr]
        if got is None:
            return ph, end
        end = got


def _component_at(text: str, pos: int, ph: Phrase, *, attached: bool = False) -> int | None:
    """The first component at ``pos`` that the phrase does not have yet; a suffix such as 前
    only directly after a date (``attached``: "周五 前台" is Friday and a word)."""
    for kinds, pattern, handler in COMPONENTS:
        if ph.kinds.intersection(kinds):
            continue
        if handler in AFTER_A_DATE and not (attached and "date" in ph.kinds):
            continue
        m = pattern.match(text, pos)
        if m and m.end() > pos:
            handler(m, ph)
            ph.kinds.update(kinds if "rel" not in kinds else ())
            return m.end()
    return None
