"""Residents' FAQ: loading FAQ files, normalising questions and matching them to entries.

The matcher (numpy, and the e5 model when used) is imported on first use, not with the package.
"""

from typing import TYPE_CHECKING, Any

from bot.faq.kb import FaqEntry, FaqError, FaqFile, load_faq, parse_faq

if TYPE_CHECKING:
    from bot.faq.matcher import Match, Matcher, build_matcher

LAZY = ("Match", "Matcher", "build_matcher")


def __getattr__(name: str) -> Any:
    if name in LAZY:
        from bot.faq import matcher

        return getattr(matcher, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FaqEntry",
    "FaqError",
    "FaqFile",
    "Match",
    "Matcher",
    "build_matcher",
    "load_faq",
    "parse_faq",
]
