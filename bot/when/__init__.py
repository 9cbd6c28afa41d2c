"""Time phrases: ``parse_when`` for a whole text, ``split_when`` for a ``/remind`` argument string.

The rule grammar (``grammar`` + ``resolve``, whose docstring holds the rules) reads Chinese and
common English phrasings; dateparser is a strict fallback for other English (``fallback``).
Both functions return an aware datetime in ``tz`` strictly after ``now``, or raise WhenError.
A naive ``now`` is taken to be wall-clock time in ``tz``.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.when import fallback
from bot.when.errors import WhenError, past, unknown
from bot.when.grammar import scan
from bot.when.normalize import has_cjk, normalize
from bot.when.resolve import resolve

__all__ = ["WhenError", "parse_when", "split_when"]

SEPARATORS = " \t\r\n,，:：;；、"
TRAILING = SEPARATORS + ".。!！"
MAX_FALLBACK_WORDS = 6


def _aware(now: datetime, tz: ZoneInfo) -> datetime:
    return now.replace(tzinfo=tz) if now.tzinfo is None else now.astimezone(tz)


def _fallback(text: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    if has_cjk(text):
        return None
    found = fallback.parse(text, now=now, tz=tz)
    if found is not None and found <= now:
        raise past(found)
    return found


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment the whole ``text`` names (e.g. 明天下午3点, 11月20日 9:00, in 2 hours)."""
    now = _aware(now, tz)
    norm = normalize(text)
    start = len(norm) - len(norm.lstrip())
    phrase, end = scan(norm, start)
    if end > start and not norm[end:].strip(TRAILING):
        return resolve(phrase, now, tz)
    found = _fallback(norm.strip(TRAILING), now, tz)
    if found is None:
        raise unknown(text)
    return found


def split_when(args: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, str]:
    """The longest time phrase at the start of ``args`` and the rest (may be empty), e.g.
    ``明天下午3点 所有镇街 提交宣传资料`` → (tomorrow 15:00, ``所有镇街 提交宣传资料``)."""
    now = _aware(now, tz)
    norm = normalize(args)
    start = len(norm) - len(norm.lstrip())
    phrase, end = scan(norm, start)
    if end > start:
        return resolve(phrase, now, tz), args[end:].lstrip(SEPARATORS)
    words = list(re.finditer(r"\S+", norm))[:MAX_FALLBACK_WORDS]
    for last in reversed(words):
        found = _fallback(norm[start : last.end()].rstrip(TRAILING), now, tz)
        if found is not None:
            return found, args[last.end() :].lstrip(SEPARATORS)
    raise unknown(args.split("\n")[0])
