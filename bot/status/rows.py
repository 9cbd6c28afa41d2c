"""What the campaign overview holds: plain data (no database), so the chart process that draws
it (bot/status/chart_worker.py) does not load SQLAlchemy to read it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

DONE, IN_PROGRESS, OVERDUE, NOT_STARTED = "done", "in_progress", "overdue", "not_started"
STATES = (DONE, IN_PROGRESS, OVERDUE, NOT_STARTED)


@dataclass
class TaskRow:
    number: int
    title: str
    deadline: datetime
    total: int = 0  # responsible units
    done: int = 0
    in_progress: int = 0
    overdue_days: int = 0
    overdue_units: list[str] = field(default_factory=list)


@dataclass
class UnitRow:
    unit_id: int
    name: str
    total: int = 0
    done: int = 0
    overdue: int = 0


@dataclass
class Overview:
    title: str
    units: int
    tasks: int
    by_state: dict[str, int]
    next_deadline: datetime | None
    task_rows: list[TaskRow]
    unit_rows: list[UnitRow]
    without_liaison: list[str] | None
    matrix: dict[tuple[int, int], str] = field(default_factory=dict)  # (unit id, task no.)

    @property
    def done_pairs(self) -> int:
        return sum(r.done for r in self.task_rows)

    @property
    def total_pairs(self) -> int:
        return sum(r.total for r in self.task_rows)
