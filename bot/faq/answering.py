"""When the bot answers a resident, and what it does when it does not.

Private chat: the best answer; below the threshold up to three suggested questions as buttons,
or the question goes to the staff queue. Groups: only confident answers (or when the bot is
mentioned or replied to), never small talk, not the same entry twice within ten minutes in one
group (the earlier answer is pointed to instead), at most a few answers a minute. Complaints and
impostor reports are queued as urgent and pushed to the coordinators at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.orm import Session

from bot.faq.kb import FaqEntry
from bot.faq.normalize import normalize_text
from storage import outbox, questions
from storage.models.questions import Question

if TYPE_CHECKING:
    from bot.faq.matcher import Match

REPEAT_WINDOW = timedelta(minutes=10)
GROUP_ANSWERS_PER_MINUTE = 3
SUGGEST_FLOOR = 0.2  # a candidate below this score is not worth suggesting
MAX_SUGGESTIONS = 3
# Seven or more digits, allowing the blanks and dashes people type inside phone numbers.
_DIGIT_RUN = re.compile(r"\d(?:[\s\-]?\d){6,}")


def no_match() -> Match:
    """The matcher's abstention (imports the matcher: numpy loads with the first need)."""
    from bot.faq.matcher import Match

    return Match(None, 0.0, [])


def mask_digits(text: str) -> str:
    """Hide phone numbers and id numbers: every run of 7+ digits becomes ``*``."""
    return _DIGIT_RUN.sub(lambda m: "*" * len(re.sub(r"\D", "", m.group(0))), text)


def is_complaint(text: str, words: Sequence[str]) -> bool:
    normalized = normalize_text(text)
    return any(w and normalize_text(w) in normalized for w in words)


def suggestions(
    match: Match, entries: dict[str, FaqEntry], *, floor: float = SUGGEST_FLOOR
) -> list[FaqEntry]:
    """Up to three candidate entries worth offering as buttons."""
    found = [entries[i] for i, score in match.candidates if score >= floor and i in entries]
    return found[:MAX_SUGGESTIONS]


Action = Literal["answer", "point", "quiet"]


@dataclass(frozen=True)
class GroupVerdict:
    action: Action
    point_to: int | None = None  # the message to reply to when pointing at an earlier answer


def group_verdict(
    session: Session,
    *,
    chat_id: int,
    entry_id: str,
    update_id: int | None,
    message_id: int | None,
    now: datetime,
    window: timedelta = REPEAT_WINDOW,
    per_minute: int = GROUP_ANSWERS_PER_MINUTE,
) -> GroupVerdict:
    """Answer, point to the earlier answer of the same entry, or stay quiet (rate limit).

    The same update processed again gets the same verdict (its log row is found first).
    """
    if update_id is not None:
        mine = questions.answer_logged(session, update_id)
        if mine is not None:
            return GroupVerdict("answer")
    earlier = questions.last_answer(session, chat_id, entry_id, since=now - window)
    if earlier is not None:
        pointed = questions.sent_reply_id(session, earlier.update_id) or earlier.message_id
        return GroupVerdict("point", pointed)
    if questions.answers_since(session, chat_id, now - timedelta(minutes=1)) >= per_minute:
        return GroupVerdict("quiet")
    questions.log_answer(
        session,
        chat_id=chat_id,
        entry_id=entry_id,
        message_id=message_id,
        update_id=update_id,
        now=now,
    )
    return GroupVerdict("answer")


@dataclass
class Asked:
    """A resident's message, with where it came from."""

    campaign_id: int | None
    chat_id: int
    chat_type: str
    user_id: int
    message_id: int | None
    update_id: int | None
    text: str
    match: Match = field(default_factory=no_match)


def queue_question(
    session: Session,
    asked: Asked,
    *,
    now: datetime,
    state: str = "open",
    complaint: bool = False,
    coordinators: frozenset[int] = frozenset(),
    notice: Callable[[Question], str] | None = None,
) -> Question:
    """Store the question (once per update); a complaint is urgent and pushed to coordinators."""
    row, created = questions.add_question(
        session,
        campaign_id=asked.campaign_id,
        chat_id=asked.chat_id,
        chat_type=asked.chat_type,
        user_id=asked.user_id,
        message_id=asked.message_id,
        update_id=asked.update_id,
        text=asked.text,
        masked_text=mask_digits(asked.text),
        matched_entry_id=asked.match.entry_id,
        score=asked.match.score,
        state=state,
        urgent=complaint,
        kind="complaint" if complaint else "question",
        now=now,
    )
    if complaint and notice is not None:
        notify_coordinators(
            session,
            coordinators,
            text=notice(row),
            key=f"faq:urgent:{row.id}",
            now=now,
            question_id=row.id,  # a staff reply to this notice answers the question
        )
    if not created and state == "open" and row.state == "suggested":
        row.state = "open"
    return row


def notify_coordinators(
    session: Session,
    admins: frozenset[int],
    *,
    text: str,
    key: str,
    now: datetime,
    markup: dict[str, Any] | None = None,
    question_id: int | None = None,
) -> None:
    """Queue a private message to every coordinator (once per ``key``), sent at once; a notice
    of a question records its id (the Bot API ignores the field)."""
    payload: dict[str, Any] = {"method": "sendMessage", "text": text}
    if markup:
        payload["reply_markup"] = markup
    if question_id is not None:
        payload["question_id"] = question_id
    for coordinator in questions.coordinator_ids(session, admins):
        outbox.add(
            session,
            chat_id=coordinator,
            payload=payload,
            now=now,
            kind="notice",
            priority=1,
            dedupe_key=f"{key}:{coordinator}",
        )
