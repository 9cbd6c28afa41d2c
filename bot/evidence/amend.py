"""An edited ``/done`` (text or caption): the new counts replace the report's, or the liaison is
told in one line why they did not.

Applied while nobody has reviewed the report (pending or held) and the task is the same; an
album still arriving simply takes the new caption. Never silently ignored: every other case
(reviewed, withdrawn, another task, no report) has its own answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.evidence.progress import ItemProgress, quota_progress
from storage import audit, evidence
from storage.models.core import Task
from storage.models.evidence import Report

AMENDABLE = ("pending", "held")


@dataclass(frozen=True)
class Amended:
    result: str  # applied | same | collecting | reviewed | other_task | no_report
    report_id: int = 0
    task_number: int | None = None
    state: str = ""
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    progress: list[ItemProgress] = field(default_factory=list)


def _find(
    session: Session, chat_id: int, message_id: int, media_group_id: str | None
) -> Report | None:
    report = evidence.report_by_message(session, chat_id, message_id)
    if report is None and media_group_id is not None:
        report = evidence.album_report(session, chat_id, media_group_id)
    return report


def amend(
    session: Session,
    *,
    chat_id: int,
    message_id: int,
    media_group_id: str | None,
    user_id: int,
    task_id: int,
    counts: dict[str, int],
    now: datetime,
) -> Amended:
    """Apply an edited ``/done``'s task and counts to the report its message made."""
    report = _find(session, chat_id, message_id, media_group_id)
    if report is None or report.state in ("duplicate", "discarded") or report.user_id != user_id:
        return Amended("no_report")
    if report.state == "collecting" and report.task_id in (None, task_id):
        report.task_id, report.counts = task_id, dict(counts)
        session.flush()
        return Amended("collecting", report.id)
    task = session.get(Task, report.task_id) if report.task_id is not None else None
    number = task.number if task else None
    if report.state not in AMENDABLE:
        return Amended("reviewed", report.id, number, report.state)
    if report.task_id != task_id:
        return Amended("other_task", report.id, number, report.state)
    before = dict(report.counts or {})
    if before == counts:
        return Amended("same", report.id, number, report.state)
    report.counts = dict(counts)
    session.flush()
    audit.record(
        session,
        at=now,
        actor_id=user_id,
        action="evidence.amend",
        target=str(report.id),
        detail={"before": before, "after": counts},
    )
    progress = quota_progress(session, task_id=task_id, unit_id=report.unit_id)
    return Amended("applied", report.id, number, report.state, before, dict(counts), progress)


def has_report(session: Session, chat_id: int, message_id: int) -> int | None:
    """The id of the live report this message made, if any."""
    report = evidence.report_by_message(session, chat_id, message_id)
    if report is None or report.state in ("duplicate", "discarded"):
        return None
    return report.id
