"""Queries for the web dashboard's login links and sessions. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models.core import Campaign, Task
from storage.models.evidence import Report
from storage.models.questions import Question
from storage.models.reminders import Reminder
from storage.models.web import WebLogin, WebSession


def add_login(
    session: Session, *, digest: str, user_id: int, now: datetime, expires_at: datetime
) -> WebLogin:
    row = WebLogin(digest=digest, user_id=user_id, created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def login_by_digest(session: Session, digest: str) -> WebLogin | None:
    return session.scalars(select(WebLogin).where(WebLogin.digest == digest)).first()


def use_login(session: Session, login_id: int, *, now: datetime) -> bool:
    """Mark the link used; False when another request used it first (single use under races)."""
    done = session.execute(
        update(WebLogin)
        .where(WebLogin.id == login_id, WebLogin.used_at.is_(None))
        .values(used_at=now)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def add_session(session: Session, row: WebSession) -> WebSession:
    session.add(row)
    session.flush()
    return row


def session_by_digest(session: Session, digest: str) -> WebSession | None:
    return session.scalars(select(WebSession).where(WebSession.digest == digest)).first()


def answered_questions(session: Session, campaign_id: int, *, limit: int = 20) -> list[Question]:
    """The latest answered questions (the dashboard turns an answer into a FAQ entry)."""
    query = select(Question).where(
        Question.campaign_id == campaign_id, Question.state == "answered"
    )
    return list(session.scalars(query.order_by(Question.answered_at.desc()).limit(limit)))


def reminders_sent(session: Session, unit_id: int, *, limit: int = 20) -> list[Reminder]:
    """The reminders this unit was sent, latest first."""
    query = select(Reminder).where(Reminder.unit_id == unit_id, Reminder.state == "sent")
    return list(session.scalars(query.order_by(Reminder.due_at.desc()).limit(limit)))


def task_by_number(session: Session, campaign_id: int, number: int) -> Task | None:
    query = select(Task).where(Task.campaign_id == campaign_id, Task.number == number)
    return session.scalars(query).first()


def evidence_fingerprint(session: Session) -> tuple[Any, ...]:
    """Changes whenever a report is added or changes state or is reviewed: reports by state
    with their highest id, and the latest review time. Two index-only scans (no campaign filter:
    that would read the table), ~20 ms each at 200 000 reports on SQLite."""
    by_state = session.execute(
        select(Report.state, func.count(), func.max(Report.id)).group_by(Report.state)
    ).all()
    reviewed = session.scalar(select(func.max(Report.reviewed_at)))
    return (tuple(sorted(tuple(r) for r in by_state)), reviewed)


def campaign_fingerprint(session: Session, campaign_id: int, *, now: datetime) -> tuple[Any, ...]:
    """Changes when the campaign is reloaded or one of its deadlines passes."""
    campaign = session.get(Campaign, campaign_id)
    passed = session.scalar(
        select(func.count(Task.id)).where(Task.campaign_id == campaign_id, Task.deadline < now)
    )
    if campaign is None:
        return (None, None, passed)
    return (campaign.loaded_at, campaign.content_hash, passed)
