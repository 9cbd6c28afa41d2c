"""What the review gallery shows: pending reports with their files (ids to serve them by)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import evidence
from storage.models.core import Task, Unit
from storage.models.evidence import Report

GALLERY_SIZE = 60


@dataclass(frozen=True)
class Photo:
    file_id: int
    mime: str
    repeat: bool

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


@dataclass(frozen=True)
class Card:
    report_id: int
    unit_name: str
    unit_id: int
    task_number: int | None
    task_title: str
    counts: dict[str, int]
    created_at: datetime
    flag_reason: str
    photos: list[Photo]
    state: str = "pending"
    reject_reason: str = ""


def card(session: Session, report: Report) -> Card:
    unit = session.get(Unit, report.unit_id)
    task = session.get(Task, report.task_id) if report.task_id is not None else None
    return Card(
        report.id,
        unit.name if unit else "?",
        report.unit_id,
        task.number if task else None,
        task.title if task else "",
        {k: v for k, v in (report.counts or {}).items() if isinstance(v, int)},
        report.created_at,
        (report.flag_reason or "") if report.flagged else "",
        [Photo(f.id, f.mime, f.duplicate_of is not None) for f in report.files],
        report.state,
        report.reject_reason or "",
    )


def gallery(session: Session, *, campaign_id: int) -> tuple[list[Card], int, int]:
    """The oldest pending reports (flagged first), how many are pending, how many flagged."""
    reports = evidence.pending_reports(session, campaign_id, limit=GALLERY_SIZE)
    cards = [card(session, r) for r in reports]
    cards.sort(key=lambda c: (not c.flag_reason, c.created_at))
    total = evidence.count_pending(session, campaign_id)
    return cards, total, sum(1 for c in cards if c.flag_reason)


def unit_reports(
    session: Session, *, unit_id: int, task_id: int | None = None, limit: int = 100
) -> list[Card]:
    query = select(Report).where(Report.unit_id == unit_id, Report.state != "collecting")
    if task_id is not None:
        query = query.where(Report.task_id == task_id)
    rows = session.scalars(query.order_by(Report.created_at.desc()).limit(limit))
    return [card(session, r) for r in rows]
