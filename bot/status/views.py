"""The /status services: what ``/status <unit>`` and ``/status <task>`` show, as plain data.

``personal`` says how much about liaisons a view may carry: ``contacts`` (names, phones,
e-mails: the office in a private chat), ``names`` (a liaison about their own unit, privately) or
``none`` (groups, residents: a count only). Data that may not be shown is never loaded into the
view, so a renderer cannot leak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from bot.status.states import RESPONSIBLE, PairState, pair_state
from storage import status as q
from storage.models.core import Task, TaskUnit, Unit

Personal = Literal["contacts", "names", "none"]


@dataclass(frozen=True)
class LiaisonLine:
    name: str
    department: str = ""
    title: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class UnitTaskLine:
    number: int
    title: str
    part: str
    deadline: datetime
    state: PairState


@dataclass
class UnitView:
    unit_id: int
    name: str
    liaison_count: int
    liaisons: list[LiaisonLine]
    tasks: list[UnitTaskLine]
    next_interview: tuple[int, datetime] | None = None
    next_reminder: datetime | None = None

    @property
    def reports(self) -> int:
        return sum(t.state.reports for t in self.tasks)

    @property
    def files(self) -> int:
        return sum(t.state.files for t in self.tasks)

    @property
    def last_report(self) -> datetime | None:
        times = [t.state.last_at for t in self.tasks if t.state.last_at is not None]
        return max(times) if times else None


@dataclass(frozen=True)
class TaskUnitLine:
    unit_id: int
    name: str
    part: str
    state: PairState


@dataclass
class TaskView:
    number: int
    title: str
    deadline: datetime
    starts_at: datetime | None
    lines: list[TaskUnitLine] = field(default_factory=list)

    @property
    def responsible(self) -> list[TaskUnitLine]:
        return [line for line in self.lines if line.part == RESPONSIBLE]


def liaison_lines(session: Session, unit_id: int, personal: Personal) -> tuple[int, list]:
    people = [p for p in q.liaisons_of(session, unit_id) if getattr(p, "active", True)]
    if personal == "none":
        return len(people), []
    lines = []
    for p in people:
        line = LiaisonLine(p.name, p.department, p.title, is_primary=bool(p.is_primary))
        if personal == "contacts":
            line = LiaisonLine(
                p.name, p.department, p.title, p.phone, p.mobile, p.email, bool(p.is_primary)
            )
        lines.append(line)
    return len(people), lines


def unit_view(
    session: Session,
    *,
    campaign_id: int,
    unit_id: int,
    now: datetime,
    tz: ZoneInfo,
    personal: Personal,
) -> UnitView | None:
    unit = session.get(Unit, unit_id)
    if unit is None or unit.campaign_id != campaign_id:
        return None
    rows = session.execute(
        select(Task, TaskUnit.part)
        .options(lazyload(Task.units), lazyload(Task.quotas))
        .join(TaskUnit, TaskUnit.task_id == Task.id)
        .where(TaskUnit.unit_id == unit_id, Task.withdrawn.is_(False))
        .where(Task.campaign_id == campaign_id)
        .order_by(Task.number)
    ).all()
    keys = q.quota_keys(session, campaign_id)
    stats = q.pair_stats(
        session, campaign_id=campaign_id, keys=keys, unit_id=unit_id, with_files=True
    )
    targets = q.quota_targets(session, [task.id for task, _ in rows])
    tasks = [
        UnitTaskLine(
            task.number,
            task.title,
            part,
            task.deadline,
            pair_state(task, part, stats.get((task.id, unit_id)), targets[task.id], now=now, tz=tz),
        )
        for task, part in rows
    ]
    count, liaisons = liaison_lines(session, unit_id, personal)
    interview = q.next_interview(session, unit_id=unit_id, now=now)
    return UnitView(
        unit.id,
        unit.name,
        count,
        liaisons,
        tasks,
        (interview.number, interview.at) if interview else None,
        q.next_reminder(session, unit_id=unit_id, now=now),
    )


def task_view(
    session: Session, *, campaign_id: int, task_id: int, now: datetime, tz: ZoneInfo
) -> TaskView | None:
    task = session.get(Task, task_id, options=[lazyload(Task.units), lazyload(Task.quotas)])
    if task is None or task.campaign_id != campaign_id:
        return None
    units = session.execute(
        select(Unit.id, Unit.name, TaskUnit.part)
        .join(TaskUnit, TaskUnit.unit_id == Unit.id)
        .where(TaskUnit.task_id == task_id)
        .order_by(Unit.id)
    ).all()
    keys = q.quota_keys(session, campaign_id)
    stats = q.pair_stats(session, campaign_id=campaign_id, keys=keys, task_id=task_id)
    targets = q.quota_targets(session, [task_id])[task_id]
    view = TaskView(task.number, task.title, task.deadline, task.starts_at)
    for uid, name, part in units:
        state = pair_state(task, part, stats.get((task_id, uid)), targets, now=now, tz=tz)
        view.lines.append(TaskUnitLine(uid, name, part, state))
    return view
