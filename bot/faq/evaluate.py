"""Measure a matcher on a TSV set (question, expected id or `-` for "should not answer")."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.faq.matcher import Matcher

NO_ANSWER = "-"


@dataclass(frozen=True)
class Miss:
    question: str
    expected: str | None
    got: str | None
    score: float


@dataclass
class EvalResult:
    answerable: int = 0
    correct: int = 0
    chitchat: int = 0
    chitchat_answered: int = 0
    misses: list[Miss] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.correct / self.answerable if self.answerable else 0.0

    @property
    def chitchat_rate(self) -> float:
        return self.chitchat_answered / self.chitchat if self.chitchat else 0.0


def read_eval_set(path: str | Path) -> list[tuple[str, str | None]]:
    """Rows of (question, expected id or None); a first line `question...` is a header."""
    rows: list[tuple[str, str | None]] = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or (number == 1 and line.startswith("question")):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise ValueError(f"{path}: line {number}: expected 'question<TAB>id' (or '-')")
        expected = parts[1].strip()
        rows.append((parts[0].strip(), None if expected == NO_ANSWER else expected))
    return rows


def evaluate(matcher: Matcher, rows: list[tuple[str, str | None]]) -> EvalResult:
    result = EvalResult()
    for question, expected in rows:
        match = matcher.match(question)
        if expected is None:
            result.chitchat += 1
            result.chitchat_answered += match.entry_id is not None
        else:
            result.answerable += 1
            result.correct += match.entry_id == expected
        if match.entry_id != expected:
            result.misses.append(Miss(question, expected, match.entry_id, match.score))
    return result


def _percent(part: int, whole: int) -> str:
    share = 100.0 * part / whole if whole else 0.0
    return f"{share:.1f}% ({part}/{whole})"


def format_report(result: EvalResult, *, show_misses: bool = True) -> list[str]:
    lines = []
    if show_misses:
        for miss in result.misses:
            expected = miss.expected or NO_ANSWER
            got = miss.got or NO_ANSWER
            lines.append(
                f"miss: {miss.question}\texpected {expected}\tgot {got} ({miss.score:.2f})"
            )
    lines.append(f"top-1: {_percent(result.correct, result.answerable)}")
    lines.append(f"chit-chat answered: {_percent(result.chitchat_answered, result.chitchat)}")
    return lines
