"""Time phrases: ``parse_when`` for a whole text, ``split_when`` for a ``/remind`` argument string.

The rule grammar (``grammar`` + ``resolve``, whose docstring holds the rules) reads Chinese and
common English phrasings; dateparser is a strict fallback for other English (``fallback``).
Both functions return an aware datetime in ``tz`` strictly after ``now`` (or any time with
``allow_past=True``, as ``coordbot when`` reads), or raise WhenError. A naive ``now`` is taken
to be wall-clock time in ``tz``. Deadline phrases (下班前, 三个工作日内, 国庆后第一个工作日)
use ``office`` hours and the China workday calendar (``bot.when.office``).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.when import deadlines, fallback
from bot.when.errors import WhenError, past, unknown
from bot.when.grammar import scan
from bot.when.normalize import has_cjk, normalize
from bot.when.office import DEFAULT_OFFICE, OfficeHours
from bot.when.resolve import resolve

__all__ = ["DEFAULT_OFFICE", "OfficeHours", "WhenError", "parse_when", "split_when"]
_ = deadlines  # its components join the grammar when it is imported

SEPARATORS = " \t\r\n,，:：;；、"
TRAILING = SEPARATORS + ".。!！"
MAX_FALLBACK_WORDS = 6
RANGE = re.compile(r"\s*(?:至|到|-|~|ー|—|–)\s*")


def _aware(now: datetime, tz: ZoneInfo) -> datetime:
    return now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)


def _fallback(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    if has_cjk(text):
        return None
    return fallback.parse(text, now=now, tz=tz)


def _range_end(norm: str, end: int) -> bool:
    """Whether ``norm[end:]`` is the end of a range (至/到/- another phrase): a range means
    its start (e.g. 明天10点到11点, 今晚10点 - 明早6点)."""
    sep = RANGE.match(norm, end)
    if sep is None:
        return False
    _, stop = scan(norm, sep.end())
    return stop > sep.end() and not norm[stop:].strip(TRAILING)


def _checked(at: datetime, now: datetime, allow_past: bool) -> datetime:
    if not allow_past and at <= now:
        raise past(at)
    return at


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    office: OfficeHours = DEFAULT_OFFICE,
    allow_past: bool = False,
) -> datetime:
    """The moment the whole ``text`` names (e.g. 明天下午3点, 11月20日 9:00, in 2 hours)."""
    now = _aware(now, tz)
    norm = normalize(text)
    start = len(norm) - len(norm.lstrip())
    if norm.startswith("从", start) and RANGE.search(norm):
        start += 1  # 从今早8点至下午5点: the range's start
    phrase, end = scan(norm, start)
    if end > start and (not norm[end:].strip(TRAILING) or _range_end(norm, end)):
        return _checked(resolve(phrase, now, tz, office), now, allow_past)
    found = _fallback(norm.strip(TRAILING), now, tz)
    if found is None:
        raise unknown(text)
    return _checked(found, now, allow_past)


def split_when(
    args: str,
    *,
    now: datetime,
    tz: ZoneInfo,
    office: OfficeHours = DEFAULT_OFFICE,
    allow_past: bool = False,
) -> tuple[datetime, str]:
    """The longest time phrase at the start of ``args`` and the rest (may be empty), e.g.
    ``明天下午3点 所有镇街 提交宣传资料`` → (tomorrow 15:00, ``所有镇街 提交宣传资料``)."""
    now = _aware(now, tz)
    norm = normalize(args)
    start = len(norm) - len(norm.lstrip())
    phrase, end = scan(norm, start)
    if end > start:
        at = _checked(resolve(phrase, now, tz, office), now, allow_past)
        return at, args[end:].lstrip(SEPARATORS)
    words = list(re.finditer(r"\S+", norm))[:MAX_FALLBACK_WORDS]
    for last in reversed(words):
        found = _fallback(norm[start : last.end()].rstrip(TRAILING), now, tz)
        if found is not None:
            return _checked(found, now, allow_past), args[last.end() :].lstrip(SEPARATORS)
    raise unknown(args.split("\n")[0])
