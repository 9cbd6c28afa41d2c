"""Residents' questions, the group answer log and live FAQ entry rows. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.core import User
from storage.models.intake import OutboxMessage
from storage.models.questions import FaqAnswerLog, FaqEntryRow, Question


def add_question(
    session: Session,
    *,
    campaign_id: int | None,
    chat_id: int,
    chat_type: str,
    user_id: int,
    message_id: int | None,
    update_id: int | None,
    text: str,
    masked_text: str,
    now: datetime,
    matched_entry_id: str | None = None,
    score: float = 0.0,
    state: str = "open",
    urgent: bool = False,
    kind: str = "question",
) -> tuple[Question, bool]:
    """Store a question; the same update again returns the stored row (``created`` False)."""
    if update_id is not None:
        existing = session.scalar(select(Question).where(Question.update_id == update_id))
        if existing is not None:
            return existing, False
    row = Question(
        campaign_id=campaign_id,
        chat_id=chat_id,
        chat_type=chat_type,
        user_id=user_id,
        message_id=message_id,
        update_id=update_id,
        text=text,
        masked_text=masked_text,
        matched_entry_id=matched_entry_id,
        score=score,
        state=state,
        urgent=urgent,
        kind=kind,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, True


def get_question(session: Session, question_id: int) -> Question | None:
    return session.get(Question, question_id)


def open_questions(session: Session, campaign_id: int | None, *, limit: int = 20) -> list[Question]:
    """The queue: urgent first, then oldest first."""
    query = select(Question).where(Question.state == "open")
    if campaign_id is not None:
        query = query.where(Question.campaign_id == campaign_id)
    query = query.order_by(Question.urgent.desc(), Question.created_at, Question.id)
    return list(session.scalars(query.limit(limit)))


def count_open(session: Session, campaign_id: int | None) -> int:
    query = select(func.count(Question.id)).where(Question.state == "open")
    if campaign_id is not None:
        query = query.where(Question.campaign_id == campaign_id)
    return int(session.scalar(query) or 0)


def coordinator_ids(session: Session, extra: frozenset[int] = frozenset()) -> list[int]:
    """Coordinators known to the bot (stored role) plus those from settings."""
    stored = session.scalars(select(User.id).where(User.role == "coordinator"))
    return sorted(set(stored) | set(extra))


def started_bot(session: Session, user_id: int) -> bool:
    user = session.get(User, user_id)
    return bool(user is not None and user.started_bot)


# -- group etiquette -------------------------------------------------------------------------
def answer_logged(session: Session, update_id: int) -> FaqAnswerLog | None:
    return session.scalar(select(FaqAnswerLog).where(FaqAnswerLog.update_id == update_id))


def last_answer(
    session: Session, chat_id: int, entry_id: str, *, since: datetime
) -> FaqAnswerLog | None:
    query = (
        select(FaqAnswerLog)
        .where(FaqAnswerLog.chat_id == chat_id, FaqAnswerLog.entry_id == entry_id)
        .where(FaqAnswerLog.answered_at >= since)
        .order_by(FaqAnswerLog.answered_at.desc(), FaqAnswerLog.id.desc())
    )
    return session.scalars(query.limit(1)).first()


def answers_since(session: Session, chat_id: int, since: datetime) -> int:
    query = select(func.count(FaqAnswerLog.id)).where(
        FaqAnswerLog.chat_id == chat_id, FaqAnswerLog.answered_at >= since
    )
    return int(session.scalar(query) or 0)


def log_answer(
    session: Session,
    *,
    chat_id: int,
    entry_id: str,
    message_id: int | None,
    update_id: int | None,
    now: datetime,
) -> FaqAnswerLog:
    row = FaqAnswerLog(
        chat_id=chat_id,
        entry_id=entry_id,
        message_id=message_id,
        update_id=update_id,
        answered_at=now,
    )
    session.add(row)
    session.flush()
    return row


def sent_reply_id(session: Session, update_id: int | None) -> int | None:
    """The message id of the bot's first reply to an update (replies are keyed by update id)."""
    if update_id is None:
        return None
    query = (
        select(OutboxMessage.sent_message_id)
        .where(OutboxMessage.dedupe_key.like(f"reply:{update_id}:%"))
        .where(OutboxMessage.sent_message_id.is_not(None))
        .order_by(OutboxMessage.id)
    )
    return session.scalars(query.limit(1)).first()


# -- live FAQ entries ------------------------------------------------------------------------
def entry_rows(session: Session, campaign_id: int) -> list[FaqEntryRow]:
    query = select(FaqEntryRow).where(FaqEntryRow.campaign_id == campaign_id)
    return list(session.scalars(query.order_by(FaqEntryRow.id)))


def get_entry_row(session: Session, campaign_id: int, entry_id: str) -> FaqEntryRow | None:
    query = select(FaqEntryRow).where(
        FaqEntryRow.campaign_id == campaign_id, FaqEntryRow.entry_id == entry_id
    )
    return session.scalars(query).one_or_none()


def put_entry_row(
    session: Session,
    *,
    campaign_id: int,
    entry_id: str,
    question: str,
    answer: str,
    state: str,
    now: datetime,
    alt: list[str] | None = None,
    tags: list[str] | None = None,
    proposed_by: int | None = None,
    approved_by: int | None = None,
) -> FaqEntryRow:
    """Insert or overwrite the row for ``entry_id``."""
    row = get_entry_row(session, campaign_id, entry_id)
    if row is None:
        row = FaqEntryRow(campaign_id=campaign_id, entry_id=entry_id)
        session.add(row)
    row.question, row.answer, row.state = question, answer, state
    row.alt, row.tags = list(alt or []), list(tags or [])
    row.proposed_by, row.approved_by, row.updated_at = proposed_by, approved_by, now
    session.flush()
    return row


# -- the suggestion flow and the notices sent to staff ------------------------------------------
def latest_suggested(session: Session, user_id: int, *, since: datetime) -> Question | None:
    """The user's newest question answered with suggestions, whether they chose one yet or not
    (``closed``: they may still pick another, or none of them)."""
    query = (
        select(Question)
        .where(Question.user_id == user_id, Question.state.in_(("suggested", "closed")))
        .where(Question.created_at >= since)
        .order_by(Question.id.desc())
    )
    return session.scalars(query.limit(1)).first()


def sent_payload(session: Session, chat_id: int, message_id: int) -> dict[str, Any] | None:
    """The payload of the outbox row that became message ``message_id`` in ``chat_id``."""
    query = select(OutboxMessage.payload).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.sent_message_id == message_id
    )
    return session.scalars(query.limit(1)).first()
