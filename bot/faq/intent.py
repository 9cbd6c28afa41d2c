"""What a question asks for (why, what, when, where, how long, ...), by the rules in
``config/faq/intents.yaml``; the matcher uses it between close candidates and to abstain when the
best entry does not answer what was asked (a place, opening hours, a named community)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PLACE = "place"  # the kind a question naming a community, estate or building asks


@dataclass(frozen=True)
class Intents:
    """Kinds of question, each a set of patterns; ``strict`` kinds must be answered in kind."""

    kinds: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    strict: frozenset[str] = frozenset()
    places: Sequence[re.Pattern[str]] = ()

    def of(self, normalized: str) -> frozenset[str]:
        """The kinds asked in ``normalized`` (text through normalize_text and the dialect)."""
        found = {kind for kind, rx in self.kinds.items() if rx.search(normalized)}
        if any(rx.search(normalized) for rx in self.places):
            found.add(PLACE)
        return frozenset(found)

    def unanswered(self, asked: frozenset[str], offered: frozenset[str]) -> frozenset[str]:
        """The strict kinds asked that an entry asking ``offered`` does not answer."""
        return (asked & (self.strict | {PLACE})) - offered

    @classmethod
    def load(cls, path: str | Path) -> Intents:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        kinds = data.get("kinds") if isinstance(data, dict) else None
        if not isinstance(kinds, dict):
            raise ValueError(f"{path}: expected 'kinds: {{name: {{patterns: [...]}}}}'")
        compiled: dict[str, re.Pattern[str]] = {}
        strict: set[str] = set()
        for name, spec in kinds.items():
            patterns = spec.get("patterns") if isinstance(spec, dict) else None
            if not isinstance(patterns, list) or not all(isinstance(x, str) for x in patterns):
                raise ValueError(f"{path}: kind {name!r}: 'patterns' must be a list of regexes")
            compiled[str(name)] = _compile(path, patterns)
            if spec.get("strict") is True:
                strict.add(str(name))
        places = data.get("places", [])
        if not isinstance(places, list) or not all(isinstance(x, str) for x in places):
            raise ValueError(f"{path}: 'places' must be a list of regexes")
        return cls(compiled, frozenset(strict), [_compile(path, [x]) for x in places])


def _compile(path: str | Path, patterns: list[str]) -> re.Pattern[str]:
    try:
        return re.compile("|".join(f"(?:{x})" for x in patterns))
    except re.error as exc:
        raise ValueError(f"{path}: bad pattern: {exc}") from None
