"""/status latency and export cost on a big campaign: 1000 units × 50 tasks × 200 000 reports.

Prints p50/p95 for ``/status <unit>`` (name resolution + view + text), ``/status <task>`` and the
overview (text only; the chart is timed apart), with a plain ``COUNT(*)`` of the reports as the
baseline measured in the same run. Export: time and peak RSS of a child process at 50 000 and
at 200 000 reports (flat memory = the rows are streamed), against a child that only imports.
SQLite always; PostgreSQL too when COORDBOT_TEST_POSTGRES_URL is set.

For iterating on the export: ``COORDBOT_BENCH_EXPORT_ONLY=1`` skips the /status latency part and
``COORDBOT_BENCH_SCALE=4`` divides the report counts by 4 (defaults: full run, full size).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, text

from bot.db import Database, upgrade
from storage.models.core import Campaign, QuotaItem, Task, TaskQuota, TaskUnit, Unit
from storage.models.evidence import EvidenceFile, Report
from tests.dbs import temporary_postgres

UNITS, TASKS = 1000, 50
SCALE = max(1, int(os.environ.get("COORDBOT_BENCH_SCALE", "1")))
REPORTS, FIRST = 200_000 // SCALE, 50_000 // SCALE
EXPORT_ONLY = os.environ.get("COORDBOT_BENCH_EXPORT_ONLY", "") not in ("", "0")
PER_TASK = 200  # responsible units per task (a "镇街"-sized tag), plus 3 assisting
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2013, 11, 25, 4, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]


def seed_campaign(db: Database) -> tuple[int, list[tuple[int, int]]]:
    """The campaign, units, tasks and links; returns (campaign id, responsible pairs)."""
    rng = random.Random(7)
    with db.engine.begin() as conn:
        cid = conn.execute(
            insert(Campaign).returning(Campaign.id),
            {"slug": "bench", "title": "基准测试活动", "timezone": "Asia/Shanghai",
             "reminder_policy": {}, "rebase_days": 0, "loaded_at": NOW},
        ).scalar_one()  # fmt: skip
        conn.execute(insert(Unit), [
            {"campaign_id": cid, "name": f"第{i:04d}镇", "aliases": [f"{i:04d}"], "kind": "town",
             "tags": ["镇街"], "active": True} for i in range(UNITS)
        ])  # fmt: skip
        units = [r[0] for r in conn.execute(text("SELECT id FROM units ORDER BY id"))]
        conn.execute(insert(QuotaItem), [
            {"campaign_id": cid, "key": k, "name": n, "measure": m, "aliases": []}
            for k, n, m in (("posters", "海报", "张"), ("banners", "标语", "条"))
        ])  # fmt: skip
        items = [r[0] for r in conn.execute(text("SELECT id FROM quota_items ORDER BY id"))]
        conn.execute(insert(Task), [
            {"campaign_id": cid, "number": n, "title": f"第{n}项宣传任务：张贴海报、悬挂标语",
             "deadline": NOW + timedelta(days=rng.randint(-10, 10)), "notes": "", "phase": "",
             "withdrawn": False} for n in range(1, TASKS + 1)
        ])  # fmt: skip
        tasks = [r[0] for r in conn.execute(text("SELECT id FROM tasks ORDER BY number"))]
        links, pairs = [], []
        for tid in tasks:
            chosen = rng.sample(units, PER_TASK + 3)
            for j, uid in enumerate(chosen):
                part = "responsible" if j < PER_TASK else "assisting"
                links.append({"task_id": tid, "unit_id": uid, "part": part})
                if part == "responsible":
                    pairs.append((tid, uid))
        conn.execute(insert(TaskUnit), links)
        conn.execute(insert(TaskQuota), [
            {"task_id": tid, "item_id": items[k], "target": 100 if k == 0 else 10}
            for tid in tasks[::2] for k in range(2)
        ])  # fmt: skip
    return int(cid), pairs


def seed_reports(
    db: Database, cid: int, pairs: list[tuple[int, int]], start: int, stop: int
) -> None:
    """Reports ``start``..``stop`` (one file each), in chunks through executemany."""
    rng = random.Random(start)
    states = ["accepted"] * 6 + ["pending"] * 3 + ["rejected"]
    chunk = 10_000
    for lo in range(start, stop, chunk):
        hi = min(stop, lo + chunk)
        reports, files = [], []
        for i in range(lo, hi):
            tid, uid = pairs[rng.randrange(len(pairs))]
            at = NOW - timedelta(minutes=rng.randint(0, 20_000))
            reports.append({
                "id": i + 1, "campaign_id": cid, "task_id": tid, "unit_id": uid,
                "user_id": 5000 + uid, "chat_id": 5000 + uid, "message_id": i + 1,
                "counts": {"posters": rng.randint(1, 30)}, "state": rng.choice(states),
                "flagged": False, "created_at": at,
            })  # fmt: skip
            files.append({
                "id": i + 1, "report_id": i + 1, "sha256": f"{i:064x}",
                "path": f"bench/{i % 100}.jpg", "size": 200, "mime": "image/jpeg",
                "file_id": "", "file_unique_id": "",
                "chat_id": 5000 + uid, "message_id": i + 1, "sender": 5000 + uid, "created_at": at,
            })  # fmt: skip
        with db.engine.begin() as conn:
            conn.execute(insert(Report), reports)
            conn.execute(insert(EvidenceFile), files)
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):7.2f} ms  p95 {p95:7.2f} ms"


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def latency(db: Database, cid: int) -> None:
    from bot.i18n import Catalog
    from bot.status.overview import overview
    from bot.status.resolve import resolve
    from bot.status.text import Renderer
    from bot.status.views import task_view, unit_view
    from storage.status import count_rows

    catalog = Catalog()
    render = Renderer(lambda key, /, **v: catalog.t("zh-CN", key, **v), TZ, "zh-CN")
    rng = random.Random(1)

    def unit_query() -> None:
        with db.transaction() as s:
            target = resolve(s, campaign_id=cid, text=f"第{rng.randrange(UNITS):04d}镇")
            assert target.id is not None
            view = unit_view(
                s, campaign_id=cid, unit_id=target.id, now=NOW, tz=TZ, personal="contacts"
            )
            assert view is not None
            render.unit(view)

    def task_query() -> None:
        with db.transaction() as s:
            target = resolve(s, campaign_id=cid, text=str(rng.randint(1, TASKS)))
            assert target.id is not None
            view = task_view(s, campaign_id=cid, task_id=target.id, now=NOW, tz=TZ)
            assert view is not None
            render.task(view)

    def whole() -> None:
        with db.transaction() as s:
            view = overview(s, campaign_id=cid, now=NOW, tz=TZ)
            assert view is not None
            render.overview(view)

    def baseline() -> None:
        with db.transaction() as s:
            count_rows(s, cid)

    base = timed(baseline, 50)
    unit_query(), task_query()  # warm caches
    unit, task, whole_t = timed(unit_query, 200), timed(task_query, 100), timed(whole, 5)
    b50 = statistics.median(base)
    print(f"  baseline COUNT(*)   {percentiles(base)}")
    for name, samples in (("/status <unit>", unit), ("/status <task>", task), ("/status", whole_t)):
        ratio = statistics.median(samples) / b50
        print(f"  {name:<19} {percentiles(samples)}  ({ratio:5.1f}× baseline p50)")


def export_child(url: str, cid: int, media: str, out: str, only_import: bool) -> None:
    """Run in a child process: one export (or just the imports), then print time and peak RSS."""
    from bot.export.dossier import export_campaign

    started = time.perf_counter()
    if not only_import:
        export_campaign(
            url, campaign_id=cid, out_dir=Path(out), media_dir=Path(media), tz=TZ, now=NOW
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": time.perf_counter() - started, "rss_mb": rss}))


def run_child(
    url: str, cid: int, media: Path, out: Path, only_import: bool = False
) -> dict[str, float]:
    args = [
        sys.executable,
        "-m",
        "bench.status",
        "--export-child",
        url,
        str(cid),
        str(media),
        str(out),
    ]
    if only_import:
        args.append("--only-import")
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def make_media(root: Path) -> Path:
    media = root / "media"
    (media / "bench").mkdir(parents=True)
    for i in range(100):
        (media / "bench" / f"{i}.jpg").write_bytes(os.urandom(200))
    return media


@contextlib.contextmanager
def postgres_url() -> Iterator[str | None]:
    admin = os.environ.get("COORDBOT_TEST_POSTGRES_URL")
    if not admin:
        yield None
        return
    with temporary_postgres(admin, prefix="coordbot_bench") as url:
        yield url


def run_backend(label: str, url: str, tmp: Path) -> None:
    print(f"-- {label}: {UNITS} units × {TASKS} tasks, {REPORTS:,} reports (one file each)")
    db = Database.from_url(url, threads=1)
    try:
        upgrade(db.engine)
        started = time.perf_counter()
        cid, pairs = seed_campaign(db)
        seed_reports(db, cid, pairs, 0, FIRST)
        media = make_media(tmp / label)
        small = run_child(url, cid, media, tmp / label / "out50k")
        seed_reports(db, cid, pairs, FIRST, REPORTS)
        print(f"  seeded in {time.perf_counter() - started:.1f} s")
        if not EXPORT_ONLY:
            latency(db, cid)
        idle = run_child(url, cid, media, tmp / label / "idle", only_import=True)
        big = run_child(url, cid, media, tmp / label / "out200k")
        for n, got in ((FIRST, small), (REPORTS, big)):
            secs, rss = got["seconds"], got["rss_mb"]
            print(f"  export {n:>8,} reports: {secs:6.1f} s  peak RSS {rss:6.0f} MB")
        print(f"  imports only (baseline RSS): {idle['rss_mb']:.0f} MB; RSS growth 50k→200k: "
              f"{big['rss_mb'] - small['rss_mb']:+.0f} MB for 4× the rows")  # fmt: skip
    finally:
        db.close()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="coordbot-bench-status-") as tmp:
        run_backend("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp))
        with postgres_url() as pg:
            if pg is None:
                print("-- postgresql: skipped (set COORDBOT_TEST_POSTGRES_URL)")
            else:
                run_backend("postgresql", pg, Path(tmp))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--export-child":
        url, cid, media, out = sys.argv[2:6]
        export_child(url, int(cid), media, out, "--only-import" in sys.argv)
    else:
        main()
