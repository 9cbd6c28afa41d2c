"""dateparser as a strict fallback, for English phrasings the rule grammar does not know.

Only text without Chinese characters comes here (for Chinese the grammar is the contract), and
only when every word in it is a time word and it names a date or clock anchor: dateparser will
happily read a date into "5 units" or "next meeting". dateparser is imported lazily (slow).
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo


def _words(text: str) -> list[str]:
    return text.split()


MONTHS = _words("jan feb mar apr may jun jul aug sep sept oct nov dec")
MONTH_NAMES = _words("january february march april june july august september october november")
MONTH_NAMES.append("december")
WEEKDAYS = _words("mon tue tues wed thu thur thurs fri sat sun monday tuesday wednesday thursday")
WEEKDAYS += _words("friday saturday sunday")
UNITS = _words("minute minutes min mins hour hours hr hrs day days week weeks month months")
ANCHORS = frozenset(
    [
        *MONTHS,
        *MONTH_NAMES,
        *WEEKDAYS,
        *_words("today tomorrow tonight yesterday noon midnight am pm"),
    ]
)
NUMBER_WORDS = _words("a an one two three four five six seven eight nine ten eleven twelve")
FILLERS = frozenset(
    [
        *UNITS,
        *NUMBER_WORDS,
        *_words("fortnight in at on of the and after from now later ago next this last coming"),
        *_words("st nd rd th m morning afternoon evening night o clock oclock half quarter"),
        *_words("past to year years"),
    ]
)
CLOCK = re.compile(r"\d{1,2}:\d{2}|\b(?:am|pm|a\.m|p\.m|noon|midnight|o'?clock)\b|\d\s*[ap]\.?m\b")
RELATIVE = re.compile(r"\b(?:in|later|ago|from now|hours?|hrs?|minutes?|mins?)\b")
DATE_SHAPE = re.compile(r"\d{1,4}\s*[-/.:]\s*\d{1,2}")


def acceptable(text: str) -> bool:
    """Every word is a time word, and a date or clock word, a date shape or a counted unit
    ("in 2 weeks", "a fortnight") anchors it: "next week" alone is too vague."""
    words = re.findall(r"[a-z]+", text)
    if any(w not in ANCHORS and w not in FILLERS for w in words):
        return False
    counted = any(w in UNITS or w == "fortnight" for w in words) and (
        bool(re.search(r"\d", text)) or any(w in NUMBER_WORDS for w in words)
    )
    return counted or any(w in ANCHORS for w in words) or bool(DATE_SHAPE.search(text))


def parse(text: str, *, now: datetime, tz: ZoneInfo) -> datetime | None:
    """What dateparser reads in normalised ``text``, aware in tz; None if rejected or unread."""
    if not acceptable(text):
        return None
    import dateparser

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": now.astimezone(tz).replace(tzinfo=None),
        "TIMEZONE": tz.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    try:
        found = dateparser.parse(text, languages=["zh", "en"], settings=settings)  # type: ignore[arg-type]
    except Exception:  # dateparser raises odd things on odd input; treat as not understood
        return None
    if found is None:
        return None
    found = found.astimezone(tz).replace(microsecond=0)
    if not CLOCK.search(text) and not RELATIVE.search(text):
        found = found.replace(hour=9, minute=0, second=0)
    return found
