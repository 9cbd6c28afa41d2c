"""A first campaign overview: tasks by state, units counted. (/status grows from here.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models.core import Campaign, Task, Unit


@dataclass(frozen=True)
class Overview:
    title: str
    units: int
    tasks: int
    by_state: dict[str, int] = field(default_factory=dict)
    next_deadline: datetime | None = None


def overview(session: Session, *, campaign_id: int, now: datetime) -> Overview | None:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    units = session.scalar(
        select(func.count())
        .select_from(Unit)
        .where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
    )
    tasks = session.scalars(
        select(Task).where(Task.campaign_id == campaign_id, Task.withdrawn.is_(False))
    ).all()
    by_state = {"upcoming": 0, "open": 0, "overdue": 0}
    for task in tasks:
        if task.deadline < now:
            by_state["overdue"] += 1
        elif task.starts_at is not None and task.starts_at > now:
            by_state["upcoming"] += 1
        else:
            by_state["open"] += 1
    future = [t.deadline for t in tasks if t.deadline >= now]
    return Overview(
        campaign.title, int(units or 0), len(tasks), by_state, min(future) if future else None
    )
