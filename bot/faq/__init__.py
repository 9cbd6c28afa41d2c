"""Residents' FAQ: loading FAQ files, normalising questions and matching them to entries."""

from bot.faq.kb import FaqEntry, FaqError, FaqFile, load_faq, parse_faq
from bot.faq.matcher import Match, Matcher, build_matcher

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
