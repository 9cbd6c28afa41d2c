"""Text normalisation that keeps every character's position (so a prefix maps back).

Full-width forms become ASCII (NFKC), Traditional characters become Simplified (OpenCC t2s),
letters become lower case; each step is applied per character whenever it would change the
length, so ``normalize(s)[:n]`` always corresponds to ``s[:n]``.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _one(ch: str) -> str:
    out = unicodedata.normalize("NFKC", ch).lower()
    return out if len(out) == 1 else ch


def normalize(text: str) -> str:
    flat = "".join(_one(ch) for ch in text)
    simple = _t2s().convert(flat)
    if len(simple) != len(flat):
        simple = "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in flat)
    return simple


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)
