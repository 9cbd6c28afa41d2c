"""Quota progress: what a unit has reported for a task against each target.

Counts come from reports that still count (pending or accepted: not rejected, withdrawn or
duplicate). A quota task is done for a unit when every target is reached; any other task when the
unit has at least one such report. The reminders and /status capabilities import these names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage import evidence
from storage.models.core import QuotaItem, Task
from storage.models.evidence import Report


@dataclass(frozen=True)
class ItemProgress:
    key: str
    name: str
    measure: str
    done: int
    target: int

    @property
    def reached(self) -> bool:
        return self.done >= self.target

    @property
    def missing(self) -> int:
        return max(0, self.target - self.done)


def _targets(session: Session, task_id: int) -> list[tuple[QuotaItem, int]]:
    task = session.get(Task, task_id)
    if task is None:
        return []
    pairs = [(session.get(QuotaItem, q.item_id), q.target) for q in task.quotas]
    return sorted(((i, t) for i, t in pairs if i is not None), key=lambda p: p[0].id)


def _sum(reports: list[Report]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for report in reports:
        for key, value in (report.counts or {}).items():
            if isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    return totals


def quota_progress(session: Session, *, task_id: int, unit_id: int) -> list[ItemProgress]:
    """One line per quota item of the task (none for a task without quotas)."""
    totals = _sum(evidence.counted_reports(session, task_id=task_id, unit_id=unit_id))
    return [
        ItemProgress(item.key, item.name, item.measure, totals.get(item.key, 0), target)
        for item, target in _targets(session, task_id)
    ]


def unit_task_done(session: Session, *, task_id: int, unit_id: int) -> bool:
    reports = evidence.counted_reports(session, task_id=task_id, unit_id=unit_id)
    return _done(reports, _targets(session, task_id))


def units_done(session: Session, task_id: int) -> set[int]:
    """The units that have done the task (see the module docstring)."""
    by_unit: dict[int, list[Report]] = {}
    for report in evidence.counted_reports(session, task_id=task_id):
        by_unit.setdefault(report.unit_id, []).append(report)
    targets = _targets(session, task_id)
    return {unit for unit, reports in by_unit.items() if _done(reports, targets)}


def _done(reports: list[Report], targets: list[tuple[QuotaItem, int]]) -> bool:
    if not reports:
        return False
    totals = _sum(reports)
    return all(totals.get(item.key, 0) >= target for item, target in targets)
