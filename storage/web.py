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


def task_fingerprints(session: Session) -> dict[int, tuple[tuple[str, int, int], ...]]:
    """Per task: its reports by state, with the highest id of each. A report added or moved to
    another state changes its task's figures. One index-only scan (``task_id, state``; no
    campaign filter, which would read the table): ~20 ms at 200 000 reports on SQLite."""
    rows = session.execute(
        select(Report.task_id, Report.state, func.count(), func.max(Report.id)).group_by(
            Report.task_id, Report.state
        )
    )
    out: dict[int, list[tuple[str, int, int]]] = {}
    for task_id, state, n, top in rows:
        if task_id is not None:
            out.setdefault(task_id, []).append((state, int(n), int(top or 0)))
    return {task_id: tuple(sorted(found)) for task_id, found in out.items()}


def latest_review(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Report.reviewed_at)))


def tasks_reviewed_since(session: Session, since: datetime | None) -> set[int]:
    query = select(Report.task_id).distinct().where(Report.task_id.is_not(None))
    query = query.where(
        Report.reviewed_at > since if since is not None else Report.reviewed_at.is_not(None)
    )
    return {int(t) for t in session.scalars(query) if t is not None}


def campaign_fingerprint(session: Session, campaign_id: int, *, now: datetime) -> tuple[Any, ...]:
    """Changes when the campaign is reloaded or one of its deadlines passes."""
    campaign = session.get(Campaign, campaign_id)
    passed = session.scalar(
        select(func.count(Task.id)).where(Task.campaign_id == campaign_id, Task.deadline < now)
    )
    if campaign is None:
        return (None, None, passed)
    return (campaign.loaded_at, campaign.content_hash, passed)
