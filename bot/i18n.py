"""Message catalogues: ``config/messages/<locale>/*.yaml``, one file per capability.

Keys are dotted paths (``core.help.title``: file ``core.yaml``, then the nested keys). A key
missing in a locale falls back to zh-CN, then to the key itself, so a typo shows, never crashes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.settings import ROOT

DEFAULT_LOCALE = "zh-CN"
MESSAGES = ROOT / "config" / "messages"


class Catalog:
    def __init__(self, root: Path = MESSAGES) -> None:
        self.texts: dict[str, dict[str, str]] = {}
        for locale_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            flat: dict[str, str] = {}
            for file in sorted(locale_dir.glob("*.yaml")):
                data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
                _flatten(file.stem, data, flat)
            self.texts[locale_dir.name] = flat

    @property
    def locales(self) -> list[str]:
        return sorted(self.texts)

    def has(self, key: str, locale: str = DEFAULT_LOCALE) -> bool:
        return key in self.texts.get(locale, {})

    def t(self, locale: str | None, key: str, /, **values: Any) -> str:
        text = self.texts.get(locale or DEFAULT_LOCALE, {}).get(key)
        if text is None:
            text = self.texts.get(DEFAULT_LOCALE, {}).get(key, key)
        if values:
            try:
                return text.format(**values)
            except (KeyError, IndexError, ValueError):
                return text
        return text


def _flatten(prefix: str, data: Any, out: dict[str, str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            _flatten(f"{prefix}.{key}", value, out)
    else:
        out[prefix] = str(data)
