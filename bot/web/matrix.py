"""The progress matrix: units × tasks, each cell's state and quota progress.

Built from the very pieces ``/status`` uses (``storage.status.pair_stats``, ``quota_targets``
and ``bot.status.states.pair_state``), so a cell is done, in progress or overdue here exactly when
``/status`` says so, and a unit's done/total agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from bot.status.states import ASSISTING, RESPONSIBLE, PairState, pair_state
from storage import status as q
from storage.models.core import QuotaItem, Task, TaskUnit, Unit
from storage.status import PairStats


@dataclass(frozen=True)
class Column:
    task_id: int
    number: int
    title: str
    deadline: datetime


@dataclass
class Row:
    unit_id: int
    name: str
    tags: list[str]
    done: int = 0
    total: int = 0
    cells: dict[int, PairState] = field(default_factory=dict)  # task number → state
    assisting: set[int] = field(default_factory=set)
    html: dict[tuple[str, tuple[int, ...]], Any] = field(default_factory=dict)  # matrix_html


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]
    tags: list[str]

    @property
    def done(self) -> int:
        return sum(r.done for r in self.rows)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


@dataclass
class Parts:
    """What a matrix is computed from, kept so that one task's cells can be worked out again."""

    tasks: dict[int, Task]
    targets: dict[int, list[tuple[QuotaItem, int]]]
    responsible: dict[int, list[int]]  # task id → its responsible units
    keys: list[str]
    stats: dict[tuple[int, int], PairStats]


def build(
    session: Session, *, campaign_id: int, now: datetime, tz: ZoneInfo
) -> tuple[Matrix, Parts]:
    """The whole matrix of the campaign, and what it was computed from."""
    units = session.execute(
        select(Unit.id, Unit.name, Unit.tags)
        .where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
        .order_by(Unit.id)
    ).all()
    tags = sorted({t for _, _, ts in units for t in (ts or [])})
    rows = {uid: Row(uid, name, list(ts or [])) for uid, name, ts in units}
    tasks = {
        t.id: t
        for t in session.scalars(
            select(Task)
            .options(lazyload(Task.units), lazyload(Task.quotas))
            .where(Task.campaign_id == campaign_id, Task.withdrawn.is_(False))
            .order_by(Task.number)
        )
    }
    keys = q.quota_keys(session, campaign_id)
    parts = Parts(
        tasks,
        q.quota_targets(session, list(tasks)),
        {tid: [] for tid in tasks},
        keys,
        q.pair_stats(session, campaign_id=campaign_id, keys=keys),
    )
    links = session.execute(
        select(TaskUnit.task_id, TaskUnit.unit_id, TaskUnit.part)
        .join(Task, Task.id == TaskUnit.task_id)
        .where(Task.campaign_id == campaign_id, Task.withdrawn.is_(False))
    )
    for task_id, uid, part in links:
        row, task = rows.get(uid), tasks.get(task_id)
        if row is None or task is None:
            continue
        if part == ASSISTING:
            row.assisting.add(task.number)
        elif part == RESPONSIBLE:
            parts.responsible[task_id].append(uid)
            row.cells[task.number] = _state(parts, task_id, uid, now, tz)
    for row in rows.values():
        _count(row)
    columns = [Column(t.id, t.number, t.title, t.deadline) for t in tasks.values()]
    return Matrix(columns, list(rows.values()), tags), parts


def matrix(session: Session, *, campaign_id: int, now: datetime, tz: ZoneInfo) -> Matrix:
    return build(session, campaign_id=campaign_id, now=now, tz=tz)[0]


def _state(parts: Parts, task_id: int, unit_id: int, now: datetime, tz: ZoneInfo) -> PairState:
    task = parts.tasks[task_id]
    stats = parts.stats.get((task_id, unit_id))
    return pair_state(task, RESPONSIBLE, stats, parts.targets[task_id], now=now, tz=tz)


def _count(row: Row) -> None:
    row.total = len(row.cells)
    row.done = sum(s.is_done for s in row.cells.values())


def with_tasks_again(
    full: Matrix,
    parts: Parts,
    fresh: dict[tuple[int, int], PairStats],
    dirty: set[int],
    *,
    now: datetime,
    tz: ZoneInfo,
) -> Matrix:
    """``full`` with the cells of the ``dirty`` tasks worked out from ``fresh`` figures (what
    ``pair_stats`` says of those tasks now); rows not concerned are shared, not copied."""
    for key in [k for k in parts.stats if k[0] in dirty]:
        del parts.stats[key]
    parts.stats.update(fresh)
    touched: dict[int, list[int]] = {}
    for task_id in dirty:
        for uid in parts.responsible.get(task_id, []):
            touched.setdefault(uid, []).append(task_id)
    rows = []
    for row in full.rows:
        task_ids = touched.get(row.unit_id)
        if task_ids:
            cells = dict(row.cells)
            for task_id in task_ids:
                cells[parts.tasks[task_id].number] = _state(parts, task_id, row.unit_id, now, tz)
            row = Row(row.unit_id, row.name, row.tags, cells=cells, assisting=row.assisting)
            _count(row)
        rows.append(row)
    return Matrix(full.columns, rows, full.tags)


def filtered(full: Matrix, *, tag: str = "", task_number: int | None = None) -> Matrix:
    """The rows with ``tag`` and the column of ``task_number`` (done/total then count it alone)."""
    columns = [c for c in full.columns if task_number is None or c.number == task_number]
    rows = []
    for row in full.rows:
        if tag and tag not in row.tags:
            continue
        if task_number is not None:
            cells = {n: s for n, s in row.cells.items() if n == task_number}
            row = Row(
                row.unit_id,
                row.name,
                row.tags,
                sum(s.is_done for s in cells.values()),
                len(cells),
                cells,
                row.assisting & {task_number},
            )
        rows.append(row)
    return Matrix(columns, rows, full.tags)
