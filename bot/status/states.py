"""A unit's state in a task: done, in progress (with quota progress), overdue by N days, or not
started. The rule is ``bot.evidence.progress``'s: reports count while pending or accepted; a quota
task is done when every target is reached, any other task once the unit has reported at all.
Assisting units have no targets and are never "overdue" (the responsible units answer for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.status.rows import DONE, IN_PROGRESS, NOT_STARTED, OVERDUE
from storage.models.core import QuotaItem, Task
from storage.status import PairStats

RESPONSIBLE, ASSISTING = "responsible", "assisting"


@dataclass(frozen=True)
class Progress:
    key: str
    name: str
    measure: str
    done: int
    target: int


@dataclass(frozen=True)
class PairState:
    state: str
    overdue_days: int = 0
    progress: tuple[Progress, ...] = ()
    reports: int = 0
    pending: int = 0
    files: int = 0
    last_at: datetime | None = None

    @property
    def is_done(self) -> bool:
        return self.state == DONE


def days_late(deadline: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Calendar days between the deadline's day and today (at least 1 once it has passed)."""
    return max(1, (now.astimezone(tz).date() - deadline.astimezone(tz).date()).days)


def pair_state(
    task: Task,
    part: str,
    stats: PairStats | None,
    targets: list[tuple[QuotaItem, int]],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> PairState:
    stats = stats or PairStats()
    if part != RESPONSIBLE:
        targets = []
    progress = tuple(
        Progress(item.key, item.name, item.measure, stats.sums.get(item.key, 0), target)
        for item, target in targets
    )
    done = stats.reports > 0 and all(p.done >= p.target for p in progress)
    days = 0
    if done:
        state = DONE
    elif task.deadline < now and part == RESPONSIBLE:
        state, days = OVERDUE, days_late(task.deadline, now, tz)
    elif stats.reports > 0:
        state = IN_PROGRESS
    else:
        state = NOT_STARTED
    return PairState(
        state, days, progress, stats.reports, stats.pending, stats.files, stats.last_at
    )
