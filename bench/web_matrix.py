"""The dashboard's progress matrix on a big campaign: 1000 units × 50 tasks × 200 000 reports.

Times what ``GET /`` does for a signed-in coordinator: get the matrix (``MatrixCache``: a
fingerprint check, then the kept matrix) and render ``matrix.html``; p50/p95 over repeated page
loads. Also the parts: the cache check alone, the render with every row's cells joined afresh
(as after a change), the matrix built from nothing (the first load after a report arrives or
changes state), the page filtered to one task, and the whole-campaign ``/status`` overview (the
same aggregation, as text) as the baseline in the same run.
SQLite always; PostgreSQL too when COORDBOT_TEST_POSTGRES_URL is set.
``COORDBOT_BENCH_SCALE=4`` divides the report count by 4.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

from bench.status import NOW, REPORTS, TZ, percentiles, seed_campaign, seed_reports, timed
from bot.db import Database, upgrade
from tests.dbs import temporary_postgres

RUNS = 20


def page_renderer() -> object:
    from bot.i18n import Catalog
    from bot.web.pages import Pages

    settings = SimpleNamespace(locale="zh-CN", tz=TZ)
    return Pages(SimpleNamespace(catalog=Catalog(), settings=settings))  # type: ignore[arg-type]


def measure(db: Database, cid: int) -> None:
    from bot.status.overview import overview
    from bot.web.matrix import filtered, matrix
    from bot.web.matrix_cache import MatrixCache

    pages = page_renderer()
    cache = MatrixCache()

    def build() -> object:
        with db.transaction() as s:
            return cache.get(s, campaign_id=cid, now=NOW, tz=TZ)

    def cold() -> object:
        with db.transaction() as s:
            return matrix(s, campaign_id=cid, now=NOW, tz=TZ)

    view = build()

    def render() -> str:
        for row in view.rows:  # type: ignore[attr-defined]
            row.html.clear()  # as after a change: every row's cells joined afresh
        return pages.html(None, "matrix.html", view=view, tag="", task="", path="/")  # type: ignore[attr-defined]

    def page() -> str:
        return pages.html(None, "matrix.html", view=build(), tag="", task="", path="/")  # type: ignore[attr-defined]

    def status() -> None:
        with db.transaction() as s:
            overview(s, campaign_id=cid, now=NOW, tz=TZ)

    size = len(page().encode())
    print(f"    matrix page ({size / 1024:.0f} KiB HTML): {percentiles(timed(page, RUNS))}")
    print(f"      build (cache check):       {percentiles(timed(build, RUNS))}")
    print(f"      render, rows afresh:       {percentiles(timed(render, RUNS))}")
    after_report = lambda: new_report(db, cid) or page()  # noqa: E731
    after_review = lambda: review(db) or page()  # noqa: E731
    print(f"    page after a new report:     {percentiles(timed(after_report, RUNS))}")
    print(f"    page after a review:         {percentiles(timed(after_review, RUNS))}")
    print(f"    built from nothing (cold):   {percentiles(timed(cold, RUNS // 2))}")
    print(f"    /status overview (baseline): {percentiles(timed(status, RUNS))}")

    def one_task() -> str:
        view = filtered(build(), task_number=7)  # type: ignore[arg-type]
        return pages.html(None, "matrix.html", view=view, tag="", task="7", path="/")  # type: ignore[attr-defined]

    print(f"    page filtered to one task:   {percentiles(timed(one_task, RUNS))}")


def new_report(db: Database, cid: int) -> None:
    """A liaison's /done lands between two page loads (one report, one pair)."""
    from sqlalchemy import func, select

    from storage.models.core import TaskUnit
    from storage.models.evidence import Report

    with db.transaction() as s:
        top = s.scalar(select(func.max(Report.id))) or 0
        tid, uid = s.execute(
            select(TaskUnit.task_id, TaskUnit.unit_id).limit(1).offset(top % 997)
        ).one()
        values = {"campaign_id": cid, "task_id": tid, "unit_id": uid, "user_id": 1, "chat_id": 1}
        report = Report(id=top + 1, message_id=top + 1, state="pending", created_at=NOW, **values)
        report.counts = {"posters": 5}
        s.add(report)


def review(db: Database) -> None:
    """A coordinator accepts the oldest pending report between two page loads."""
    from sqlalchemy import select

    from storage.models.evidence import Report

    with db.transaction() as s:
        found = s.scalars(select(Report).where(Report.state == "pending").limit(1)).first()
        if found is not None:
            found.state, found.reviewed_at, found.reviewed_by = "accepted", NOW, 1


def main() -> None:
    print(f"web matrix: 1000 units × 50 tasks × {REPORTS} reports, {RUNS} page loads each")
    for name, url in _each_database():
        db = Database.from_url(url)
        upgrade(db.engine)
        cid, pairs = seed_campaign(db)
        seed_reports(db, cid, pairs, 0, REPORTS)
        print(f"  {name}")
        measure(db, cid)
        db.close()


def _each_database() -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        yield "SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"
    if os.environ.get("COORDBOT_TEST_POSTGRES_URL"):
        with temporary_postgres(os.environ["COORDBOT_TEST_POSTGRES_URL"]) as url:
            yield "PostgreSQL", url


if __name__ == "__main__":
    main()
