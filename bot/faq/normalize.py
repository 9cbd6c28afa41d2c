"""Question normalisation: Traditional → Simplified, NFKC, no punctuation/emoji/space, synonyms."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

_LOCK = threading.Lock()
_CONVERTER = None

# Keep letters, digits and CJK ideographs; everything else (punctuation, emoji, spaces) goes.
_DROP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _t2s(text: str) -> str:
    global _CONVERTER
    if _CONVERTER is None:
        with _LOCK:
            if _CONVERTER is None:
                import opencc

                _CONVERTER = opencc.OpenCC("t2s")
    return str(_CONVERTER.convert(text))


def normalize_text(text: str) -> str:
    """Simplified Chinese, half-width, lower case, without punctuation, emoji or whitespace."""
    # Residents' questions repeat, as do the complaint words: short texts are remembered.
    return _normalize_short(text) if len(text) <= SHORT else _normalize(text)


SHORT = 256  # characters: 8192 such texts remembered cost ~8 MB at worst


@functools.lru_cache(maxsize=8192)
def _normalize_short(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _t2s(text)
    return _DROP.sub("", text)


class Synonyms:
    """Replaces every variant by its canonical form, longest variant first."""

    def __init__(
        self, groups: Mapping[str, list[str]] | None = None, stopwords: list[str] | None = None
    ) -> None:
        stops = [w for w in (normalize_text(x) for x in stopwords or []) if w]
        self._stops = re.compile("|".join(map(re.escape, sorted(stops, key=len, reverse=True))))
        self._has_stops = bool(stops)
        table: dict[str, str] = {}
        for canonical, variants in (groups or {}).items():
            canon = normalize_text(canonical)
            for variant in variants:
                key = normalize_text(variant)
                if key and key != canon:
                    table[key] = canon
        self.table = table
        keys = sorted(table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def apply(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.table[m.group(0)], text)

    def strip_stopwords(self, text: str) -> str:
        """Drop function words; keeps the text unchanged if nothing would be left."""
        if not self._has_stops:
            return text
        return self._stops.sub("", text) or text

    @classmethod
    def load(cls, path: str | Path) -> Synonyms:
        """Read `synonyms: {canonical: [variant, ...]}` and optional `stopwords: [...]` (YAML)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        groups = data.get("synonyms") if isinstance(data, dict) else None
        stops = data.get("stopwords", []) if isinstance(data, dict) else None
        if not isinstance(groups, dict) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in groups.values()
        ):
            raise ValueError(f"{path}: expected 'synonyms: {{canonical: [variants]}}'")
        if not isinstance(stops, list) or not all(isinstance(x, str) for x in stops):
            raise ValueError(f"{path}: 'stopwords' must be a list of words")
        return cls({str(k): list(v) for k, v in groups.items()}, stops)


class Dialect:
    """Rewrites a dialect's words into Mandarin (``config/faq/cantonese.yaml``), longest form
    first, on text already normalised (Simplified: OpenCC has done the script)."""

    def __init__(
        self, words: Mapping[str, str] | None = None, particles: Sequence[str] = ()
    ) -> None:
        table = {normalize_text(k): normalize_text(v) for k, v in (words or {}).items()}
        table.update({normalize_text(p): "" for p in particles})
        self.table = {k: v for k, v in table.items() if k and k != v}
        keys = sorted(self.table, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, keys))) if keys else None

    def apply(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self.table[m.group(0)], text) or text

    @classmethod
    def load(cls, path: str | Path) -> Dialect:
        """Read ``words: {dialect form: Mandarin}`` and optional ``particles: [...]`` (YAML)."""
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        words = data.get("words") if isinstance(data, dict) else None
        particles = data.get("particles", []) if isinstance(data, dict) else None
        if not isinstance(words, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in words.items()
        ):
            raise ValueError(f"{path}: expected 'words: {{dialect form: Mandarin}}'")
        if not isinstance(particles, list) or not all(isinstance(x, str) for x in particles):
            raise ValueError(f"{path}: 'particles' must be a list of words")
        return cls(words, particles)


def normalize_question(
    text: str, synonyms: Synonyms | None = None, dialect: Dialect | None = None
) -> str:
    """Full pipeline used for both KB texts and incoming questions."""
    text = normalize_text(text)
    if dialect is not None:
        text = dialect.apply(text)
    return synonyms.apply(text) if synonyms is not None else text
