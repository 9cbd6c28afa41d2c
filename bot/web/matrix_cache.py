"""The matrix kept between page loads, and brought up to date task by task.

A page load reads two index-only figures: per task, its reports by state with the highest id
(``storage.web.task_fingerprints``), and the latest review time. A task whose figures moved, or
whose reports were reviewed since, has its cells worked out again from ``pair_stats`` for that
task alone (its few thousand reports, not the campaign's 200 000); the other rows are shared.
Everything is built afresh when the campaign is reloaded (``loaded_at``, ``content_hash``), a
deadline passes or the local date changes (a cell turns overdue, its days late grow).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.web.matrix import Matrix, Parts, build, with_tasks_again
from storage import status as q
from storage import web as web_store


@dataclass
class Kept:
    key: tuple[Any, date]  # the campaign's fingerprint, the local date
    tasks: dict[int, Any]  # task id → its reports' fingerprint
    reviewed: datetime | None
    matrix: Matrix
    parts: Parts


class MatrixCache:
    def __init__(self) -> None:
        self._kept: dict[int, Kept] = {}
        self._lock = threading.Lock()  # page loads run in worker threads

    def get(self, session: Session, *, campaign_id: int, now: datetime, tz: ZoneInfo) -> Matrix:
        with self._lock:
            return self._get(session, campaign_id, now, tz)

    def _get(self, session: Session, campaign_id: int, now: datetime, tz: ZoneInfo) -> Matrix:
        key = (
            web_store.campaign_fingerprint(session, campaign_id, now=now),
            now.astimezone(tz).date(),
        )
        tasks = web_store.task_fingerprints(session)
        reviewed = web_store.latest_review(session)
        kept = self._kept.get(campaign_id)
        if kept is None or kept.key != key:
            matrix, parts = build(session, campaign_id=campaign_id, now=now, tz=tz)
            self._kept[campaign_id] = Kept(key, tasks, reviewed, matrix, parts)
            return matrix
        if kept.tasks == tasks and kept.reviewed == reviewed:
            return kept.matrix
        dirty = {t for t in set(tasks) | set(kept.tasks) if tasks.get(t) != kept.tasks.get(t)}
        if reviewed != kept.reviewed:
            dirty |= web_store.tasks_reviewed_since(session, kept.reviewed)
        dirty &= set(kept.parts.tasks)
        fresh = {}
        for task_id in sorted(dirty):
            found = q.pair_stats(
                session, campaign_id=campaign_id, keys=kept.parts.keys, task_id=task_id
            )
            fresh.update(found)
        kept.matrix = with_tasks_again(kept.matrix, kept.parts, fresh, dirty, now=now, tz=tz)
        kept.tasks, kept.reviewed = tasks, reviewed
        return kept.matrix
