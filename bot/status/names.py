"""Which unit a typed name means: full names, aliases, unique fragments and close typos.

``虎门`` (an alias) and ``虎门镇`` match exactly; ``虎們镇`` (Traditional) becomes ``虎们镇`` and is
a close typo of ``虎门镇``, so it is offered as "did you mean 虎门镇?" and not silently taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import opencc

TYPO_CUTOFF = 60.0  # one wrong character in a three-character name scores 66.7
MAX_SUGGESTIONS = 3
_BLANKS = re.compile(r"[\s\u3000·・\-_]+")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=16384)
def normalize_name(text: str) -> str:
    """Full-width to half-width, Traditional to Simplified, no blanks, Latin lower case."""
    flat = unicodedata.normalize("NFKC", text).casefold()
    return _BLANKS.sub("", _t2s().convert(flat))


@dataclass(frozen=True)
class UnitName:
    id: int
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class NameMatch:
    """``unit`` when the text names exactly one unit; else the closest names, best first."""

    unit: UnitName | None
    suggestions: list[UnitName] = field(default_factory=list)
    exact: bool = False  # a full name or an alias, not a fragment


class UnitNames:
    """A small index over a campaign's unit names (built per query; units are few)."""

    def __init__(self, units: Iterable[UnitName]) -> None:
        self.units = list(units)
        self.words: list[tuple[str, UnitName]] = []
        for unit in self.units:
            for word in (unit.name, *unit.aliases):
                norm = normalize_name(word)
                if norm:
                    self.words.append((norm, unit))

    def match(self, text: str) -> NameMatch:
        wanted = normalize_name(text)
        if not wanted:
            return NameMatch(None)
        exact = {u.id: u for w, u in self.words if w == wanted}
        if len(exact) == 1:
            return NameMatch(next(iter(exact.values())), exact=True)
        if exact:
            return NameMatch(None, list(exact.values())[:MAX_SUGGESTIONS])
        if len(wanted) >= 2:
            within = {u.id: u for w, u in self.words if wanted in w}
            if len(within) == 1:
                return NameMatch(next(iter(within.values())))
            if within:
                return NameMatch(None, list(within.values())[:MAX_SUGGESTIONS])
        return NameMatch(None, self.close(wanted))

    def close(self, wanted: str) -> list[UnitName]:
        """Units whose name or an alias is a close typo of ``wanted`` (already normalised)."""
        from rapidfuzz import fuzz  # loaded by the first typo, not with the bot

        best: dict[int, float] = {}
        for word, unit in self.words:
            score = fuzz.ratio(wanted, word)
            if score >= TYPO_CUTOFF and score > best.get(unit.id, 0.0):
                best[unit.id] = score
        by_id = {u.id: u for u in self.units}
        ranked = sorted(best, key=lambda uid: (-best[uid], uid))
        return [by_id[uid] for uid in ranked[:MAX_SUGGESTIONS]]
