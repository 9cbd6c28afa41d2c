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
from storage import web as web_store
from storage.models.core import Task, TaskUnit, Unit


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


def matrix(
    session: Session,
    *,
    campaign_id: int,
    now: datetime,
    tz: ZoneInfo,
    tag: str = "",
    task_number: int | None = None,
    unit_id: int | None = None,
) -> Matrix:
    units = session.execute(
        select(Unit.id, Unit.name, Unit.tags)
        .where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
        .order_by(Unit.id)
    ).all()
    tags = sorted({t for _, _, ts in units for t in (ts or [])})
    rows = {
        uid: Row(uid, name, list(ts or []))
        for uid, name, ts in units
        if (not tag or tag in (ts or [])) and (unit_id is None or uid == unit_id)
    }
    query = (
        select(Task)
        .options(lazyload(Task.units), lazyload(Task.quotas))
        .where(Task.campaign_id == campaign_id, Task.withdrawn.is_(False))
        .order_by(Task.number)
    )
    if task_number is not None:
        query = query.where(Task.number == task_number)
    tasks = {t.id: t for t in session.scalars(query)}
    keys = q.quota_keys(session, campaign_id)
    stats = q.pair_stats(session, campaign_id=campaign_id, keys=keys, unit_id=unit_id)
    targets = q.quota_targets(session, list(tasks))
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
            continue
        if part != RESPONSIBLE:
            continue
        state = pair_state(task, part, stats.get((task_id, uid)), targets[task_id], now=now, tz=tz)
        row.cells[task.number] = state
        row.total += 1
        row.done += state.is_done
    columns = [Column(t.id, t.number, t.title, t.deadline) for t in tasks.values()]
    return Matrix(columns, list(rows.values()), tags)


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


class MatrixCache:
    """The last whole matrix of a campaign, reused while nothing it shows can have changed: the
    evidence (``storage.web.evidence_fingerprint``: reports by state, latest review), the
    campaign's structure (reloaded: ``loaded_at``, ``content_hash``), the deadlines already
    passed and the local date (a cell turns overdue, its days late grow). A page load then costs
    two index scans instead of aggregating every report."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[tuple[object, ...], Matrix]] = {}

    def get(self, session: Session, *, campaign_id: int, now: datetime, tz: ZoneInfo) -> Matrix:
        key = (
            web_store.evidence_fingerprint(session),
            web_store.campaign_fingerprint(session, campaign_id, now=now),
            now.astimezone(tz).date(),
        )
        kept = self._kept.get(campaign_id)
        if kept is not None and kept[0] == key:
            return kept[1]
        built = matrix(session, campaign_id=campaign_id, now=now, tz=tz)
        self._kept[campaign_id] = (key, built)
        return built
