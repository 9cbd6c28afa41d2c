"""Reading ``/done`` arguments: a task reference and quota counts, in Chinese or English.

``parse_done("9 海报120 标语十二条", items)`` → task ref ``"9"``, counts ``{"posters": 120,
"banners": 12}``. Counts are ``<item word>[=:]<number>[measure]``, where the word is an item's
key, name or alias (``posters=120``, ``海报 120 张``, ``标语十二条``; full-width digits too); a
word that is not an item is named back in ``unknown``. What is left is the task reference.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.ids import parse_id

CN_DIGITS = "零〇一二两三四五六七八九十百千万"
MEASURES = "张条幅块个份处面幅套次"
MAX_COUNT = 1_000_000
TASK_WORDS = ("任务", "task", "第", "no", "#")

PAIR = re.compile(
    rf"(?P<word>[A-Za-z_]+|[^\W\d_]+?)\s*[=:]?\s*"
    rf"(?P<num>\d+|[{CN_DIGITS}]+)(?:\s*(?P<measure>[{MEASURES}]|pcs\b))?",
    re.IGNORECASE,
)
NEGATIVE = re.compile(  # 海报-5, posters=-3: a sign before the number
    rf"(?P<word>[A-Za-z_]+|[^\W\d_]+?)\s*[=:]?\s*[-−–—]\s*(?:\d+|[{CN_DIGITS}]+)", re.IGNORECASE
)
TASK_NUMBER = re.compile(r"^(?:任务|task|第|no\.?|#)?\s*#?\s*(\d+)\s*(?:项|号)?(?:\s|$)", re.I)


class ItemLike(Protocol):
    key: str
    name: str
    aliases: list[str]


@dataclass
class DoneArgs:
    task_ref: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    too_large: list[str] = field(default_factory=list)
    negative: list[str] = field(default_factory=list)  # 海报-5
    missing: list[str] = field(default_factory=list)  # an item named without a number

    @property
    def task_number(self) -> int | None:
        match = TASK_NUMBER.match(self.task_ref)
        return parse_id(match.group(1)) if match else None


def normalize(text: str) -> str:
    """Full-width digits, letters and signs to ASCII (NFKC); runs of blanks to one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def to_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    import cn2an  # ~4 MB and 0.1 s: loaded by the first number written in characters

    try:
        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    return int(value) if float(value).is_integer() else None


def item_words(items: Sequence[ItemLike]) -> dict[str, str]:
    """Every word meaning an item (casefolded) → its key."""
    words: dict[str, str] = {}
    for item in items:
        for word in (item.key, item.name, *(item.aliases or [])):
            words.setdefault(word.casefold(), item.key)
    return words


def _known(word: str, words: dict[str, str]) -> tuple[str, str] | None:
    """(prefix left over, key) for the longest known suffix of ``word``, e.g. 完成海报 → 海报."""
    folded = word.casefold()
    for start in range(len(folded)):
        key = words.get(folded[start:])
        if key is not None:
            return word[:start], key
    return None


def parse_done(args_text: str, items: Sequence[ItemLike]) -> DoneArgs:
    text = normalize(args_text)
    words = item_words(items)
    out = DoneArgs()
    for bad in NEGATIVE.finditer(text):
        if _known(bad.group("word"), words) is not None:
            out.negative.append(bad.group(0))
    text = NEGATIVE.sub(lambda m: " " if m.group(0) in out.negative else m.group(0), text)
    rest: list[str] = []
    pos = 0
    for match in PAIR.finditer(text):
        word, number = match.group("word"), to_number(match.group("num"))
        if word.casefold() in TASK_WORDS or number is None:
            continue  # "任务9" is a task reference, not a count
        rest.append(text[pos : match.start()])
        pos = match.end()
        found = _known(word, words)
        if found is None:
            out.unknown.append(word)
            continue
        prefix, key = found
        rest.append(prefix)
        if number > MAX_COUNT:
            out.too_large.append(match.group(0))
            continue
        out.counts[key] = out.counts.get(key, 0) + number
    rest.append(text[pos:])
    out.task_ref = " ".join("".join(rest).strip(" ,，、;；。.").split())
    numbered = TASK_NUMBER.match(out.task_ref)
    if numbered:  # "9 海报": an item with no number (without a task number it is a title word)
        leftover = out.task_ref[numbered.end() :].split()
        out.missing = [w for w in leftover if w.strip(" ,，、;；。.").casefold() in words]
    return out
