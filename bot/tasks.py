"""The campaign's tasks as people read them: number, title, deadline, responsible units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.core import Campaign, Task, Unit


@dataclass(frozen=True)
class TaskLine:
    number: int
    title: str
    deadline: datetime
    responsible: list[str]
    assisting: list[str]
    withdrawn: bool


def task_lines(session: Session, *, campaign_id: int) -> list[TaskLine]:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return []
    rows = session.execute(select(Unit.id, Unit.name).where(Unit.campaign_id == campaign_id))
    names = {uid: name for uid, name in rows}
    tasks = session.scalars(
        select(Task).where(Task.campaign_id == campaign_id).order_by(Task.number)
    ).all()
    lines = []
    for task in tasks:
        parts = {"responsible": [], "assisting": []}  # type: dict[str, list[str]]
        for link in task.units:
            parts.setdefault(link.part, []).append(names.get(link.unit_id, "?"))
        lines.append(
            TaskLine(
                task.number,
                task.title,
                task.deadline,
                parts["responsible"],
                parts["assisting"],
                task.withdrawn,
            )
        )
    return lines


def summarise_units(names: list[str], *, limit: int = 4, more: str = "等{n}个单位") -> str:
    """'虎门镇、长安镇、… 等32个单位' — long unit lists stay one line."""
    if len(names) <= limit:
        return "、".join(names)
    return "、".join(names[:limit]) + " " + more.format(n=len(names))
