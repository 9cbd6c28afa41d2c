"""Queries over evidence reports and files. Flush at most; never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.evidence import (
    COUNTING_STATES,
    LIVE_STATES,
    REVIEW_STATES,
    EvidenceFile,
    Report,
)


def get_report(session: Session, report_id: int) -> Report | None:
    return session.get(Report, report_id)


def report_by_message(session: Session, chat_id: int, message_id: int) -> Report | None:
    query = select(Report).where(Report.chat_id == chat_id, Report.message_id == message_id)
    return session.scalars(query).one_or_none()


def album_report(session: Session, chat_id: int, media_group_id: str) -> Report | None:
    query = select(Report).where(Report.chat_id == chat_id, Report.media_group_id == media_group_id)
    return session.scalars(query.order_by(Report.id).limit(1)).first()


def add_report(session: Session, **fields: Any) -> Report:
    fields.setdefault("counts", {})
    report = Report(**fields)
    session.add(report)
    session.flush()
    return report


def file_of_message(session: Session, chat_id: int, message_id: int) -> EvidenceFile | None:
    query = select(EvidenceFile).where(
        EvidenceFile.chat_id == chat_id, EvidenceFile.message_id == message_id
    )
    return session.scalars(query.limit(1)).first()


def add_file(session: Session, report: Report, **fields: Any) -> EvidenceFile:
    row = EvidenceFile(report_id=report.id, **fields)
    session.add(row)
    session.flush()
    report.files.append(row)
    return row


def live_files_with_sha(
    session: Session, *, campaign_id: int, sha256: str, exclude_report: int
) -> list[tuple[EvidenceFile, Report]]:
    """Files with these bytes in the campaign's live reports (not rejected, withdrawn, ...)."""
    query = (
        select(EvidenceFile, Report)
        .join(Report, Report.id == EvidenceFile.report_id)
        .where(EvidenceFile.sha256 == sha256, Report.id != exclude_report)
        .where(Report.campaign_id == campaign_id, Report.state.in_(LIVE_STATES))
    )
    return [(f, r) for f, r in session.execute(query.order_by(EvidenceFile.id))]


def live_phashes(
    session: Session, *, campaign_id: int, exclude_report: int
) -> list[tuple[str, str, int]]:
    """(phash, sha256, report id) of the images in the campaign's live reports."""
    query = (
        select(EvidenceFile.phash, EvidenceFile.sha256, Report.id)
        .join(Report, Report.id == EvidenceFile.report_id)
        .where(Report.campaign_id == campaign_id, Report.id != exclude_report)
        .where(Report.state.in_(LIVE_STATES), EvidenceFile.phash.is_not(None))
    )
    return [(str(p), str(h), int(r)) for p, h, r in session.execute(query.order_by(Report.id))]


def same_text_reports(session: Session, *, report: Report, since: datetime) -> list[Report]:
    """Earlier live reports of the unit for the task with the same counts, since ``since``."""
    query = (
        select(Report)
        .where(Report.unit_id == report.unit_id, Report.task_id == report.task_id)
        .where(Report.id != report.id, Report.created_at >= since)
        .where(Report.state.in_(("pending", "held", "accepted")))
    )
    rows = session.scalars(query.order_by(Report.id)).all()
    return [r for r in rows if (r.counts or {}) == (report.counts or {})]


def counted_reports(session: Session, *, task_id: int, unit_id: int | None = None) -> list[Report]:
    query = select(Report).where(Report.task_id == task_id, Report.state.in_(COUNTING_STATES))
    if unit_id is not None:
        query = query.where(Report.unit_id == unit_id)
    return list(session.scalars(query.order_by(Report.id)))


def pending_reports(session: Session, campaign_id: int, *, limit: int = 5) -> list[Report]:
    """Reports waiting for review (held ones too), oldest first."""
    query = select(Report).where(Report.campaign_id == campaign_id, Report.state.in_(REVIEW_STATES))
    return list(session.scalars(query.order_by(Report.created_at, Report.id).limit(limit)))


def count_pending(session: Session, campaign_id: int) -> int:
    query = select(Report.id).where(
        Report.campaign_id == campaign_id, Report.state.in_(REVIEW_STATES)
    )
    return len(session.scalars(query).all())


def latest_report_of(
    session: Session,
    user_id: int,
    *,
    since: datetime,
    states: Sequence[str],
    chat_id: int | None = None,
) -> Report | None:
    query = select(Report).where(
        Report.user_id == user_id, Report.created_at >= since, Report.state.in_(states)
    )
    if chat_id is not None:
        query = query.where(Report.chat_id == chat_id)
    return session.scalars(query.order_by(Report.created_at.desc(), Report.id.desc())).first()


def unacknowledged_albums(session: Session) -> list[Report]:
    """Albums still collecting or never acknowledged (the process stopped in between)."""
    query = select(Report).where(
        Report.media_group_id.is_not(None),
        Report.acknowledged_at.is_(None),
        Report.state != "discarded",
    )
    return list(session.scalars(query.order_by(Report.id)))


def stored_paths(session: Session) -> set[str]:
    """Every media path some evidence row refers to."""
    return set(session.scalars(select(EvidenceFile.path).distinct()))
