"""Queries behind /status, the digest and the export: grouped evidence figures and lookups.

Everything is aggregated in SQL (one grouped query per view) so /status stays fast with many
reports; quota sums read the report's ``counts`` JSON by key (portable: SQLite json_extract,
PostgreSQL ->>). Reports count while pending or accepted, as in ``bot.evidence.progress``.
Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, inspect, select
from sqlalchemy.orm import Session

from storage.models.core import Interview, InterviewUnit, QuotaItem, TaskQuota, Unit
from storage.models.intake import OutboxMessage


@dataclass
class PairStats:
    """What one unit has reported for one task (counting reports only)."""

    reports: int = 0
    accepted: int = 0
    pending: int = 0
    last_at: datetime | None = None
    sums: dict[str, int] = field(default_factory=dict)
    files: int = 0


def has_table(session: Session, name: str) -> bool:
    return bool(inspect(session.connection()).has_table(name))


def evidence_models() -> tuple[Any, Any, tuple[str, ...]] | None:
    """(Report, EvidenceFile, counting states), or None before the evidence capability exists."""
    try:
        from storage.models.evidence import COUNTING_STATES, EvidenceFile, Report
    except ImportError:
        return None
    return Report, EvidenceFile, tuple(COUNTING_STATES)


def quota_keys(session: Session, campaign_id: int) -> list[str]:
    query = select(QuotaItem.key).where(QuotaItem.campaign_id == campaign_id)
    return list(session.scalars(query.order_by(QuotaItem.id)))


def quota_targets(session: Session, task_ids: list[int]) -> dict[int, list[tuple[QuotaItem, int]]]:
    """task id → [(item, target)] by item id, for the given tasks."""
    out: dict[int, list[tuple[QuotaItem, int]]] = {tid: [] for tid in task_ids}
    if not task_ids:
        return out
    rows = session.execute(
        select(TaskQuota.task_id, QuotaItem, TaskQuota.target)
        .join(QuotaItem, QuotaItem.id == TaskQuota.item_id)
        .where(TaskQuota.task_id.in_(task_ids))
        .order_by(QuotaItem.id)
    )
    for task_id, item, target in rows:
        out.setdefault(task_id, []).append((item, target))
    return out


def pair_stats(
    session: Session,
    *,
    campaign_id: int,
    keys: list[str],
    task_id: int | None = None,
    unit_id: int | None = None,
    with_files: bool = False,
) -> dict[tuple[int, int], PairStats]:
    """(task id, unit id) → PairStats, for one task, one unit or the whole campaign."""
    models = evidence_models()
    if models is None:
        return {}
    report, efile, counting = models
    sums = [func.sum(report.counts[k].as_integer()) for k in keys]
    query = select(
        report.task_id,
        report.unit_id,
        func.count(),
        func.sum(case((report.state == "accepted", 1), else_=0)),
        func.sum(case((report.state == "pending", 1), else_=0)),
        func.max(report.created_at),
        *sums,
    ).where(report.state.in_(counting), report.task_id.is_not(None))
    if unit_id is not None:
        query = query.where(report.unit_id == unit_id)
    if task_id is not None:
        query = query.where(report.task_id == task_id)
    if unit_id is None and task_id is None:
        query = query.where(report.campaign_id == campaign_id)
    out: dict[tuple[int, int], PairStats] = {}
    for row in session.execute(query.group_by(report.task_id, report.unit_id)):
        tid, uid, n, acc, pend, last, *totals = row
        out[(tid, uid)] = PairStats(
            int(n),
            int(acc or 0),
            int(pend or 0),
            last,
            {k: int(v or 0) for k, v in zip(keys, totals, strict=True)},
        )
    if with_files and out:
        files = (
            select(report.task_id, report.unit_id, func.count(efile.id))
            .join(report, report.id == efile.report_id)
            .where(report.state.in_(counting), efile.duplicate_of.is_(None))
        )
        if unit_id is not None:
            files = files.where(report.unit_id == unit_id)
        if task_id is not None:
            files = files.where(report.task_id == task_id)
        for tid, uid, n in session.execute(files.group_by(report.task_id, report.unit_id)):
            if (tid, uid) in out:
                out[(tid, uid)].files = int(n)
    return out


def next_interview(session: Session, *, unit_id: int, now: datetime) -> Interview | None:
    query = (
        select(Interview)
        .join(InterviewUnit, InterviewUnit.interview_id == Interview.id)
        .where(InterviewUnit.unit_id == unit_id, Interview.at >= now)
        .order_by(Interview.at)
        .limit(1)
    )
    return session.scalars(query).first()


def next_reminder(session: Session, *, unit_id: int, now: datetime) -> datetime | None:
    """When the unit's next planned reminder is due, if the reminders capability exists."""
    try:
        from storage.models import reminders
    except ImportError:
        return None
    model = getattr(reminders, "Reminder", None)
    columns = {"unit_id", "due_at", "state"}
    if model is None or not columns <= set(model.__table__.columns.keys()):
        return None
    query = (
        select(model.due_at)
        .where(model.unit_id == unit_id, model.due_at >= now)
        .where(model.state.in_(("planned", "queued")))
        .order_by(model.due_at)
        .limit(1)
    )
    return session.scalars(query).first()


def liaisons_of(session: Session, unit_id: int) -> list[Any]:
    try:
        from storage.liaisons import liaisons_of_unit
    except ImportError:
        return []
    return list(liaisons_of_unit(session, unit_id))


def units_lacking_liaison(session: Session, campaign_id: int) -> list[Unit] | None:
    """Units nobody has registered for; None when registration does not exist yet."""
    try:
        from storage.liaisons import units_without_liaison
    except ImportError:
        return None
    return list(units_without_liaison(session, campaign_id))


def count_rows(session: Session, campaign_id: int) -> int:
    """A plain COUNT of the campaign's reports: the benchmark's baseline."""
    models = evidence_models()
    if models is None:
        return 0
    report = models[0]
    query = select(func.count()).select_from(report).where(report.campaign_id == campaign_id)
    return int(session.scalar(query) or 0)


# -- the daily digest -------------------------------------------------------------------------
def new_evidence(session: Session, *, campaign_id: int, since: datetime) -> tuple[int, int, int]:
    """(reports, files, units) that came in since ``since`` and still count."""
    models = evidence_models()
    if models is None:
        return 0, 0, 0
    report, efile, counting = models
    recent = (report.campaign_id == campaign_id, report.created_at > since)
    row = session.execute(
        select(func.count(), func.count(report.unit_id.distinct())).where(
            *recent, report.state.in_(counting)
        )
    ).one()
    files = session.scalar(
        select(func.count(efile.id))
        .join(report, report.id == efile.report_id)
        .where(*recent, report.state.in_(counting))
    )
    return int(row[0]), int(files or 0), int(row[1])


def awaiting_review(session: Session, *, campaign_id: int) -> int:
    models = evidence_models()
    if models is None:
        return 0
    report = models[0]
    waiting = report.state.in_(("pending", "held"))  # held: not counted until accepted
    query = select(func.count()).where(report.campaign_id == campaign_id, waiting)
    return int(session.scalar(query) or 0)


def unanswered_questions(session: Session, *, campaign_id: int) -> tuple[int, int]:
    """(open questions, of which urgent)."""
    try:
        from storage.models.questions import Question
    except ImportError:
        return 0, 0
    row = session.execute(
        select(func.count(), func.sum(case((Question.urgent.is_(True), 1), else_=0))).where(
            Question.state == "open",
            (Question.campaign_id == campaign_id) | Question.campaign_id.is_(None),
        )
    ).one()
    return int(row[0]), int(row[1] or 0)


def failed_deliveries(session: Session, *, since: datetime) -> int:
    when = func.coalesce(OutboxMessage.claimed_at, OutboxMessage.created_at)
    query = select(func.count()).where(OutboxMessage.state == "failed", when > since)
    return int(session.scalar(query) or 0)


def last_digest_at(session: Session, *, before: datetime) -> datetime | None:
    query = select(func.max(OutboxMessage.created_at)).where(
        OutboxMessage.kind == "digest", OutboxMessage.created_at < before
    )
    return session.scalar(query)
