"""The campaign overview behind ``/status`` alone: completion by task and by unit, the overdue
list, units without a liaison, and the unit × task state matrix the chart draws."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from bot.status.rows import Overview, TaskRow, UnitRow
from bot.status.states import DONE, IN_PROGRESS, OVERDUE, RESPONSIBLE, pair_state
from storage import status as q
from storage.models.core import Campaign, Task, TaskUnit, Unit


def task_phase(task: Task, now: datetime) -> str:
    if task.deadline < now:
        return "overdue"
    if task.starts_at is not None and task.starts_at > now:
        return "upcoming"
    return "open"


def overview(session: Session, *, campaign_id: int, now: datetime, tz: ZoneInfo) -> Overview | None:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    units = {
        uid: UnitRow(uid, name)
        for uid, name in session.execute(
            select(Unit.id, Unit.name)
            .where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
            .order_by(Unit.id)
        )
    }
    tasks = list(
        session.scalars(
            select(Task)
            .options(lazyload(Task.units), lazyload(Task.quotas))
            .where(Task.campaign_id == campaign_id, Task.withdrawn.is_(False))
            .order_by(Task.number)
        )
    )
    by_id = {t.id: t for t in tasks}
    keys = q.quota_keys(session, campaign_id)
    stats = q.pair_stats(session, campaign_id=campaign_id, keys=keys)
    targets = q.quota_targets(session, list(by_id))
    rows = {t.id: TaskRow(t.number, t.title, t.deadline) for t in tasks}
    matrix: dict[tuple[int, int], str] = {}
    links = session.execute(
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.part)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.campaign_id == campaign_id, Task.withdrawn.is_(False))
        .order_by(TaskUnit.task_id, TaskUnit.unit_id)
    )
    for task_id, unit_id, part in links:
        unit = units.get(unit_id)
        if unit is None or part != RESPONSIBLE:
            continue
        task = by_id[task_id]
        state = pair_state(
            task, part, stats.get((task_id, unit_id)), targets[task_id], now=now, tz=tz
        )
        row = rows[task_id]
        row.total += 1
        unit.total += 1
        matrix[(unit_id, task.number)] = state.state
        if state.state == DONE:
            row.done += 1
            unit.done += 1
        elif state.state == IN_PROGRESS:
            row.in_progress += 1
        elif state.state == OVERDUE:
            row.overdue_days = state.overdue_days
            row.overdue_units.append(unit.name)
            unit.overdue += 1
    by_state = {"upcoming": 0, "open": 0, "overdue": 0}
    for task in tasks:
        by_state[task_phase(task, now)] += 1
    future = [t.deadline for t in tasks if t.deadline >= now]
    lacking = q.units_lacking_liaison(session, campaign_id)
    return Overview(
        campaign.title,
        len(units),
        len(tasks),
        by_state,
        min(future) if future else None,
        list(rows.values()),
        list(units.values()),
        [u.name for u in lacking] if lacking is not None else None,
        matrix,
    )
