"""The dashboard's matrix kept between page loads (bot/web/matrix_cache.py) is always the matrix
built from nothing, whatever happens between loads: new reports, reviews, withdrawals, a new
day, a campaign reload. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db import Database
from bot.evidence import review
from bot.status.overview import overview
from bot.web.matrix import Matrix, matrix
from bot.web.matrix_cache import MatrixCache
from storage.models.evidence import Report
from tests.repo.test_status import NOW, Seeded, seed

TZ = ZoneInfo("Asia/Shanghai")


def picture(view: Matrix) -> dict[Any, Any]:
    return {
        row.name: (
            row.done,
            row.total,
            sorted(row.assisting),
            {
                n: (s.state, s.overdue_days, [(p.key, p.done, p.target) for p in s.progress])
                for n, s in row.cells.items()
            },
        )
        for row in view.rows
    }


def same(db: Database, cache: MatrixCache, seeded: Seeded, now: Any) -> dict[Any, Any]:
    with db.transaction() as s:
        kept = cache.get(s, campaign_id=seeded.campaign_id, now=now, tz=TZ)
        fresh = matrix(s, campaign_id=seeded.campaign_id, now=now, tz=TZ)
    assert picture(kept) == picture(fresh)
    return picture(kept)


def add_report(db: Database, seeded: Seeded, unit: str, number: int, posters: int, i: int) -> int:
    with db.transaction() as s:
        report = Report(
            campaign_id=seeded.campaign_id,
            task_id=seeded.tasks[number],
            unit_id=seeded.units[unit],
            user_id=501,
            chat_id=501,
            message_id=900 + i,
            counts={"posters": posters} if posters else {},
            state="pending",
            created_at=NOW,
        )
        s.add(report)
        s.flush()
        return report.id


def test_kept_matrix_follows_every_change(database: Database) -> None:
    seeded = seed(database)
    cache = MatrixCache()
    first = same(database, cache, seeded, NOW)
    assert first["虎门镇"][3][1][2] == [("posters", 120, 100)]

    new = add_report(database, seeded, "厚街镇", 1, 100, 1)
    after = same(database, cache, seeded, NOW)
    assert after["厚街镇"][3][1][0] == "done" and after != first

    with database.transaction() as s:
        review.decide(
            s,
            report_id=new,
            decision="reject",
            reviewer=1,
            now=NOW,
            render=lambda r: "x",
            reason="糊",
        )
    assert same(database, cache, seeded, NOW)["厚街镇"][3][1][0] != "done"

    with database.transaction() as s:  # /undo: no review time, only a state that moved
        pending = s.scalars(select(Report).where(Report.state == "pending")).first()
        assert pending is not None
        pending.state = "withdrawn"
    same(database, cache, seeded, NOW)

    add_report(database, seeded, "长安镇", 2, 0, 2)
    same(database, cache, seeded, NOW)
    later = same(database, cache, seeded, NOW + timedelta(days=3))  # days late grow
    assert later != same(database, cache, seeded, NOW)


def test_kept_matrix_agrees_with_status(database: Database) -> None:
    seeded = seed(database)
    cache = MatrixCache()
    with database.transaction() as s:
        kept = cache.get(s, campaign_id=seeded.campaign_id, now=NOW, tz=TZ)
        status = overview(s, campaign_id=seeded.campaign_id, now=NOW, tz=TZ)
    assert status is not None
    assert {r.name: (r.done, r.total) for r in status.unit_rows} == {
        r.name: (r.done, r.total) for r in kept.rows
    }
