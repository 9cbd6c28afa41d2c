"""/status services on a migrated database (SQLite; PostgreSQL with COORDBOT_TEST_POSTGRES_URL):
every state of a task, agreement with the evidence capability's rule, who sees what, the digest."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.campaign import load, parse_text
from bot.db import Database
from bot.digest import plan_digest
from bot.i18n import Catalog
from bot.roles import Actor
from bot.status.access import may_see_campaign, may_see_unit
from bot.status.overview import overview
from bot.status.resolve import resolve
from bot.status.text import Renderer
from bot.status.views import task_view, unit_view
from storage.models.core import Task, Unit
from storage.models.evidence import EvidenceFile, Report
from storage.models.intake import OutboxMessage
from storage.models.registration import Liaison

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2013, 11, 15, 4, 0, tzinfo=UTC)  # Friday 12:00 in Dongguan
CAMPAIGN = """
version: 1
campaign: {slug: status-test, title: 状态测试活动, timezone: Asia/Shanghai}
units:
  - {name: 虎门镇, aliases: [虎门], kind: town, tags: [镇街]}
  - {name: 长安镇, aliases: [长安], kind: town, tags: [镇街]}
  - {name: 厚街镇, aliases: [厚街], kind: town, tags: [镇街]}
  - {name: 宣传部, kind: department, tags: [部门]}
quota_items:
  - {key: posters, name: 海报, measure: 张}
tasks:
  - number: 1
    title: 张贴宣传海报
    deadline: 2013-11-20
    responsible: [镇街]
    assisting: [宣传部]
    quota: {posters: 100}
  - {number: 2, title: 报送活动照片, deadline: 2013-11-10, responsible: [镇街]}
"""
PHONE, EMAIL = "13800000001", "hm-liaison@example.org"


@dataclass
class Seeded:
    campaign_id: int
    units: dict[str, int]
    tasks: dict[int, int]


def seed(db: Database, *, files: dict[str, bytes] | None = None) -> Seeded:
    """The small campaign, a liaison for 虎门镇 and reports in every state.

    ``files``: relative media path → bytes, for the files the reports carry (the export test
    writes them to disk)."""
    with db.transaction() as s:
        load(s, parse_text(CAMPAIGN), now=NOW - timedelta(days=10))
        cid = s.scalars(select(Unit.campaign_id).limit(1)).one()
        units = {u.name: u.id for u in s.scalars(select(Unit))}
        tasks = {t.number: t.id for t in s.scalars(select(Task))}
        at = NOW - timedelta(days=6)
        s.add(
            Liaison(
                campaign_id=cid,
                unit_id=units["虎门镇"],
                user_id=501,
                is_primary=True,
                name="王小明",
                department="宣传办",
                title="干事",
                gender="男",
                phone="0769-1234567",
                mobile=PHONE,
                email=EMAIL,
                created_at=at,
                updated_at=at,
            )
        )
        plan: list[tuple[str, int, dict[str, Any], str, list[str]]] = [
            ("虎门镇", 1, {"posters": 120}, "pending", ["a.jpg", "b.jpg"]),
            ("长安镇", 1, {"posters": 40}, "accepted", ["c.jpg"]),
            ("长安镇", 1, {"posters": 70}, "rejected", ["d.jpg"]),
            ("虎门镇", 2, {}, "accepted", ["e.jpg", "a.jpg"]),  # a.jpg again: same bytes
            ("厚街镇", 2, {}, "withdrawn", ["f.jpg"]),
        ]
        for i, (unit, number, counts, state, names) in enumerate(plan):
            report = Report(
                campaign_id=cid,
                task_id=tasks[number],
                unit_id=units[unit],
                user_id=501,
                chat_id=501,
                message_id=100 + i,
                counts=counts,
                state=state,
                created_at=at + timedelta(hours=i),
            )
            s.add(report)
            s.flush()
            for j, name in enumerate(names):
                data = (files or {}).get(name, name.encode())
                s.add(
                    EvidenceFile(
                        report_id=report.id,
                        sha256=hashlib.sha256(data).hexdigest(),
                        path=f"ev/{name}",
                        size=len(data),
                        mime="image/jpeg",
                        chat_id=501,
                        message_id=100 + i,
                        sender=501,
                        created_at=report.created_at + timedelta(seconds=j),
                    )
                )
    return Seeded(cid, units, tasks)


def states_of(s: Session, seeded: Seeded, number: int) -> dict[str, tuple[str, int]]:
    view = task_view(
        s, campaign_id=seeded.campaign_id, task_id=seeded.tasks[number], now=NOW, tz=TZ
    )
    assert view is not None
    return {line.name: (line.state.state, line.state.overdue_days) for line in view.lines}


def test_every_state_of_a_task(database: Database) -> None:
    seeded = seed(database)
    with database.transaction() as s:
        assert states_of(s, seeded, 1) == {
            "虎门镇": ("done", 0),  # 120/100 posters, pending still counts
            "长安镇": ("in_progress", 0),  # 40/100 (the rejected 70 does not count)
            "厚街镇": ("not_started", 0),
            "宣传部": ("not_started", 0),  # assisting: never "overdue"
        }
        assert states_of(s, seeded, 2) == {
            "虎门镇": ("done", 0),
            "长安镇": ("overdue", 5),  # due 11-10, today 11-15
            "厚街镇": ("overdue", 5),  # its only report was withdrawn
        }
        view = task_view(s, campaign_id=seeded.campaign_id, task_id=seeded.tasks[1], now=NOW, tz=TZ)
        assert view is not None
        changan = next(x for x in view.lines if x.name == "长安镇")
        assert [(p.name, p.done, p.target) for p in changan.state.progress] == [("海报", 40, 100)]


def test_states_agree_with_the_evidence_rule(database: Database) -> None:
    from bot.evidence.progress import quota_progress, unit_task_done

    seeded = seed(database)
    with database.transaction() as s:
        for number, task_id in seeded.tasks.items():
            view = task_view(s, campaign_id=seeded.campaign_id, task_id=task_id, now=NOW, tz=TZ)
            assert view is not None
            for line in view.responsible:
                theirs = unit_task_done(s, task_id=task_id, unit_id=line.unit_id)
                assert line.state.is_done == theirs, (number, line.name)
                progress = quota_progress(s, task_id=task_id, unit_id=line.unit_id)
                assert [(p.key, p.done) for p in line.state.progress] == [
                    (p.key, p.done) for p in progress
                ]


def catalog_t(locale: str = "zh-CN") -> Any:
    catalog = Catalog()
    return lambda key, /, **v: catalog.t(locale, key, **v)


def test_unit_view_shows_contacts_only_when_allowed(database: Database) -> None:
    seeded = seed(database)
    render = Renderer(catalog_t(), TZ, "zh-CN")
    uid = seeded.units["虎门镇"]
    with database.transaction() as s:
        texts = {}
        for personal in ("contacts", "names", "none"):
            view = unit_view(
                s, campaign_id=seeded.campaign_id, unit_id=uid, now=NOW, tz=TZ, personal=personal
            )  # type: ignore[arg-type]
            assert view is not None
            texts[personal] = render.unit(view)
    assert PHONE in texts["contacts"] and EMAIL in texts["contacts"]
    assert (
        "王小明" in texts["names"] and PHONE not in texts["names"] and EMAIL not in texts["names"]
    )
    none = texts["none"]
    assert "王小明" not in none and PHONE not in none and EMAIL not in none and "1 人" in none
    assert "报告 2 份" in none and "文件 4 个" in none  # counting reports and their files


def actor(role: str, unit_id: int | None = None) -> Actor:
    return Actor(user_id=9, role=role, locale="zh-CN", unit_id=unit_id)


def test_role_visibility() -> None:
    unit, other = 1, 2
    office = may_see_unit(actor("staff"), unit, private=True, residents_see=False)
    assert office.allowed and office.personal == "contacts"
    in_group = may_see_unit(actor("coordinator"), unit, private=False, residents_see=True)
    assert in_group.allowed and in_group.personal == "none"
    own = may_see_unit(actor("liaison", unit), unit, private=True, residents_see=False)
    assert own.allowed and own.personal == "names"
    assert not may_see_unit(actor("liaison", unit), other, private=True, residents_see=True).allowed
    public = may_see_unit(actor("resident"), unit, private=True, residents_see=True)
    assert public.allowed and public.personal == "none"
    refused = may_see_unit(actor("resident"), unit, private=True, residents_see=False)
    assert not refused.allowed and refused.reason == "status.refuse.residents"
    assert may_see_campaign(actor("liaison", unit), residents_see=False).allowed
    assert not may_see_campaign(actor("resident"), residents_see=False).allowed


def test_overview_counts_and_units_without_liaison(database: Database) -> None:
    seeded = seed(database)
    with database.transaction() as s:
        view = overview(s, campaign_id=seeded.campaign_id, now=NOW, tz=TZ)
    assert view is not None
    assert (view.units, view.tasks, view.done_pairs, view.total_pairs) == (4, 2, 2, 6)
    row2 = next(r for r in view.task_rows if r.number == 2)
    assert row2.overdue_units == ["长安镇", "厚街镇"] and row2.overdue_days == 5
    assert view.without_liaison == ["长安镇", "厚街镇", "宣传部"]
    text = Renderer(catalog_t(), TZ, "zh-CN").overview(view)
    assert "2/6" in text and "未登记联络员的单位（3 个）" in text and "王小明" not in text


def test_resolve_numbers_titles_names_and_typos(database: Database) -> None:
    seeded = seed(database)
    cid = seeded.campaign_id
    with database.transaction() as s:
        assert resolve(s, campaign_id=cid, text="2").id == seeded.tasks[2]
        assert resolve(s, campaign_id=cid, text="第1项").id == seeded.tasks[1]
        assert resolve(s, campaign_id=cid, text="9").kind == "none"
        assert resolve(s, campaign_id=cid, text="海报").id == seeded.tasks[1]
        assert resolve(s, campaign_id=cid, text="虎门").id == seeded.units["虎门镇"]
        typo = resolve(s, campaign_id=cid, text="虎們镇")
        assert typo.kind == "suggest" and typo.units[0].name == "虎门镇"
        assert resolve(s, campaign_id=cid, text="火星镇").kind == "none"


def test_digest_once_per_working_day(database: Database) -> None:
    seeded = seed(database)
    kw: dict[str, Any] = dict(
        campaign_id=seeded.campaign_id,
        tz=TZ,
        at=datetime(2000, 1, 1, 17, 30).time(),
        coordinators=frozenset({1001, 1002}),
        catalog=Catalog(),
        default_locale="zh-CN",
    )
    friday_1729 = datetime(2013, 11, 15, 9, 29, tzinfo=UTC)
    with database.transaction() as s:
        assert plan_digest(s, now=friday_1729, **kw) == 0
        assert plan_digest(s, now=friday_1729 + timedelta(minutes=1), **kw) == 2
        assert plan_digest(s, now=friday_1729 + timedelta(minutes=30), **kw) == 0  # already queued
        saturday = friday_1729 + timedelta(days=1, minutes=1)
        assert plan_digest(s, now=saturday, **kw) == 0
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
    assert sorted(r.chat_id for r in rows) == [1001, 1002]
    text = rows[0].payload["text"]
    assert "每日汇总" in text and "报送活动照片" in text and "逾期 5 天" in text
    assert "待审核报告：1 份" in text  # 虎门镇's pending report
    assert "长安镇" in text and "王小明" not in text
