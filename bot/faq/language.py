"""The words the FAQ matcher reads by: synonyms, small talk, Cantonese, question intents, all
files under ``config/faq/`` (each optional), loaded together for ``build_matcher``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.faq.intent import Intents
from bot.faq.normalize import Dialect, Synonyms

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config" / "faq"


def language_config(
    config_dir: Path = CONFIG_DIR, *, synonyms: Path | None = None, chitchat: Path | None = None
) -> dict[str, Any]:
    """``build_matcher`` keyword arguments from ``config_dir`` (a file given overrides its
    default); a broken file raises ValueError naming it."""
    from bot.faq.matcher import load_chitchat, load_social

    syn = synonyms or config_dir / "synonyms.yaml"
    chat = chitchat or config_dir / "chitchat.yaml"
    dialect = config_dir / "cantonese.yaml"
    intents = config_dir / "intents.yaml"
    return {
        "synonyms": Synonyms.load(syn) if syn.is_file() else None,
        "chitchat": load_chitchat(chat) if chat.is_file() else (),
        "social": load_social(chat) if chat.is_file() else None,
        "dialect": Dialect.load(dialect) if dialect.is_file() else None,
        "intents": Intents.load(intents) if intents.is_file() else None,
    }
