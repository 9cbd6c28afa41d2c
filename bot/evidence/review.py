"""Review: coordinators accept or reject reports; liaisons withdraw their last one (``/undo``).

A held report counts once accepted. A rejected or withdrawn report no longer counts; the liaison
can submit again (their files are then no longer repeats). The liaison is told through the
outbox, in the same transaction. ``/undo`` withdraws only the liaison's very last report, only
while nobody has reviewed it: it never reverses a coordinator's decision, and a second ``/undo``
does not reach back to an older report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.evidence.screen import Flag, describe
from storage import evidence, outbox
from storage.models.core import Task, Unit, User
from storage.models.evidence import Report

UNDO_WINDOW = timedelta(minutes=10)
REVIEWABLE = {"accept": ("pending", "held", "rejected"), "reject": ("pending", "held", "accepted")}
UNDOABLE = ("pending", "held")
LAST_REPORT = ("pending", "held", "accepted", "rejected", "withdrawn")  # what /undo looks at


@dataclass(frozen=True)
class ReviewResult:
    report_id: int
    problem: str = ""  # "", "missing", "state" (a review); "reviewed", "withdrawn" (an /undo)
    state: str = ""
    task_number: int | None = None
    unit_name: str = ""
    reason: str = ""
    locale: str | None = None


def _result(session: Session, report: Report, problem: str = "") -> ReviewResult:
    task = session.get(Task, report.task_id) if report.task_id is not None else None
    unit = session.get(Unit, report.unit_id)
    user = session.get(User, report.user_id)
    return ReviewResult(
        report_id=report.id,
        problem=problem,
        state=report.state,
        task_number=task.number if task else None,
        unit_name=unit.name if unit else "",
        reason=report.reject_reason or "",
        locale=user.locale if user else None,
    )


def decide(
    session: Session,
    *,
    report_id: int,
    decision: str,
    reviewer: int,
    now: datetime,
    render: Callable[[ReviewResult], str],
    reason: str = "",
) -> ReviewResult:
    """``decision`` "accept" or "reject" (with ``reason``); the liaison is notified."""
    report = evidence.get_report(session, report_id)
    if report is None:
        return ReviewResult(report_id, problem="missing")
    if report.state not in REVIEWABLE[decision]:
        return _result(session, report, problem="state")
    report.state = "accepted" if decision == "accept" else "rejected"
    report.reject_reason = reason.strip()[:500] if decision == "reject" else None
    report.reviewed_at, report.reviewed_by = now, reviewer
    session.flush()
    result = _result(session, report)
    outbox.add(
        session,
        chat_id=report.chat_id,
        payload={"method": "sendMessage", "text": render(result), "reply_to": report.message_id},
        now=now,
        kind="notice",
        priority=2,
        dedupe_key=f"evidence:review:{report.id}:{report.state}:{now.isoformat()}",
    )
    return result


def undo(session: Session, *, user_id: int, now: datetime) -> ReviewResult | None:
    """Withdraw the user's last report of the last 10 minutes if nobody has reviewed it yet;
    None when there is none. A reviewed or already withdrawn last report is left as it is
    (``problem`` says which): /undo never goes further back."""
    report = evidence.latest_report_of(
        session, user_id, since=now - UNDO_WINDOW, states=LAST_REPORT
    )
    if report is None:
        return None
    if report.state == "withdrawn":
        return _result(session, report, problem="withdrawn")
    if report.state not in UNDOABLE:
        return _result(session, report, problem="reviewed")
    report.state = "withdrawn"
    session.flush()
    return _result(session, report)


@dataclass(frozen=True)
class PendingView:
    report_id: int
    unit_name: str
    task_number: int | None
    counts: dict[str, int]
    created_at: datetime
    flags: list[Flag]  # why it is held (empty for a plain pending report)
    files: list[tuple[str, str]]  # (file id, MIME type)


def pending(session: Session, *, campaign_id: int, limit: int = 5) -> tuple[list[PendingView], int]:
    """The oldest reports waiting for review (held ones with their reasons) and their files,
    and how many wait in all."""
    views = []
    for report in evidence.pending_reports(session, campaign_id, limit=limit):
        unit = session.get(Unit, report.unit_id)
        task = session.get(Task, report.task_id) if report.task_id is not None else None
        views.append(
            PendingView(
                report_id=report.id,
                unit_name=unit.name if unit else "?",
                task_number=task.number if task else None,
                counts=dict(report.counts or {}),
                created_at=report.created_at,
                flags=describe(session, report) if report.state == "held" else [],
                files=[(f.file_id, f.mime) for f in report.files if f.file_id],
            )
        )
    return views, evidence.count_pending(session, campaign_id)
