"""The reminder ledger on SQLite and PostgreSQL: planning is idempotent, send times avoid days
off (调休 included) and quiet hours, missed reminders are sent once or skipped, only units that
have not done the task are named, and two outbox claimers never take the same row."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.i18n import Catalog
from bot.reminders import due as due_module
from bot.reminders import plan_campaign, queue_due
from storage import outbox
from storage.models.core import Campaign, Chat, ChatBinding, Task, TaskUnit, Unit
from storage.models.intake import OutboxMessage
from storage.models.reminders import Reminder

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=TZ)
ADMIN = 1001
GROUP = -100500


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc, arg-type]


def setup_campaign(
    s: Session, *, policy: dict[str, Any] | None = None
) -> tuple[int, dict[str, int]]:
    campaign = Campaign(
        slug="t",
        title="测试活动",
        timezone="Asia/Shanghai",
        reminder_policy=policy or {},
        rebase_days=0,
        loaded_at=NOW,
    )
    s.add(campaign)
    s.flush()
    units = {}
    for name in ("虎门镇", "长安镇", "厚街镇"):
        unit = Unit(campaign_id=campaign.id, name=name, aliases=[], kind="town", tags=["镇街"])
        s.add(unit)
        s.flush()
        units[name] = unit.id
    s.add(Chat(id=GROUP, type="supergroup", title="虎门群", active=True, purpose="unit"))
    s.flush()
    s.add(ChatBinding(chat_id=GROUP, campaign_id=campaign.id, unit_id=units["虎门镇"], tag=None))
    return campaign.id, units


def add_task(
    s: Session, campaign_id: int, number: int, deadline: datetime, units: list[int]
) -> int:
    task = Task(
        campaign_id=campaign_id,
        number=number,
        title=f"任务{number}标题",
        deadline=deadline,
        notes="",
        phase="",
        withdrawn=False,
    )
    s.add(task)
    s.flush()
    for unit_id in units:
        s.add(TaskUnit(task_id=task.id, unit_id=unit_id, part="responsible"))
    s.flush()
    s.expire(task)
    return task.id


def scan(s: Session, now: datetime) -> int:
    return queue_due(s, now=now, admins=[ADMIN], t=Catalog().t, tz=TZ)


def reminders(s: Session) -> dict[str, Reminder]:
    return {r.key: r for r in s.scalars(select(Reminder))}


def test_replanning_inserts_nothing_twice(database: Database) -> None:
    with database.transaction() as s:
        cid, units = setup_campaign(s)
        add_task(s, cid, 9, local(2026, 11, 20, 23, 59), list(units.values()))
    first = database.call(plan_campaign, campaign_id=cid, now=NOW)
    assert first == 9  # 3 units × (T-3d, T-1d, the morning of the day)
    assert database.call(plan_campaign, campaign_id=cid, now=NOW) == 0
    assert database.call(plan_campaign, campaign_id=cid, now=NOW + timedelta(hours=1)) == 0
    with database.transaction() as s:
        rows = reminders(s)
        assert len(rows) == 9
        r = rows["task:9:unit:虎门镇:T-1d"]
        assert r.due_at == local(2026, 11, 19, 9, 0)  # a date-only deadline: 09:00 the day before
        assert rows["task:9:unit:虎门镇:T-0d@09:00"].due_at == local(2026, 11, 20, 9, 0)
        # the campaign is reloaded with the deadline moved: planned rows follow, none added
        s.scalars(select(Task)).one().deadline = local(2026, 11, 27, 23, 59)
    assert database.call(plan_campaign, campaign_id=cid, now=NOW) == 0
    with database.transaction() as s:
        assert reminders(s)["task:9:unit:虎门镇:T-1d"].due_at == local(2026, 11, 26, 9, 0)


def test_holidays_weekends_and_makeup_days(database: Database) -> None:
    with database.transaction() as s:
        cid, units = setup_campaign(s, policy={"task_deadline": ["0d@09:00", "2d", "1d"]})
        add_task(s, cid, 1, local(2026, 10, 1, 18, 0), [units["虎门镇"]])  # National Day
        add_task(s, cid, 2, local(2026, 10, 12, 15, 0), [units["虎门镇"]])  # a Monday
    database.call(plan_campaign, campaign_id=cid, now=NOW)
    with database.transaction() as s:
        rows = reminders(s)
        # 2026-10-01 is a holiday: the morning reminder moves to 2026-09-30
        assert rows["task:1:unit:虎门镇:T-0d@09:00"].due_at == local(2026, 9, 30, 9, 0)
        # T-2d = Saturday 2026-10-10, a 调休 working day: it stays there
        assert rows["task:2:unit:虎门镇:T-2d"].due_at == local(2026, 10, 10, 15, 0)
        # T-1d = Sunday 2026-10-11, a day off: back to Saturday's working day
        assert rows["task:2:unit:虎门镇:T-1d"].due_at == local(2026, 10, 10, 15, 0)


def test_quiet_hours_plan_earlier_and_late_sends_wait(database: Database) -> None:
    with database.transaction() as s:
        cid, units = setup_campaign(s, policy={"task_deadline": ["3h"]})
        add_task(s, cid, 3, local(2026, 11, 20, 10, 0), [units["虎门镇"]])  # Friday 10:00
    database.call(plan_campaign, campaign_id=cid, now=NOW)
    with database.transaction() as s:
        row = reminders(s)["task:3:unit:虎门镇:T-3h"]
        assert row.due_at == local(2026, 11, 19, 21, 0)  # 07:00 is quiet: the evening before
    # the bot was down at 21:00 and comes back at 23:00: quiet, so the reminder waits
    assert database.call(scan, local(2026, 11, 19, 23, 0)) == 0
    assert database.call(scan, local(2026, 11, 20, 8, 0)) == 1  # still before the deadline
    assert database.call(scan, local(2026, 11, 20, 8, 1)) == 0  # once


def test_missed_reminders_sent_once_if_useful_else_skipped(database: Database) -> None:
    with database.transaction() as s:
        cid, units = setup_campaign(s)
        add_task(s, cid, 4, local(2026, 11, 20, 23, 59), [units["虎门镇"]])
    database.call(plan_campaign, campaign_id=cid, now=NOW)
    # down from before T-3d until after the morning reminder, but before the deadline
    assert database.call(scan, local(2026, 11, 20, 10, 0)) == 1
    with database.transaction() as s:
        rows = reminders(s)
        assert rows["task:4:unit:虎门镇:T-0d@09:00"].state == "queued"
        assert rows["task:4:unit:虎门镇:T-1d"].state == "skipped"  # superseded, not sent too
        assert rows["task:4:unit:虎门镇:T-3d"].state == "skipped"
        sent = s.scalars(select(OutboxMessage)).all()
        assert [m.chat_id for m in sent] == [GROUP]
        assert "今日截止" in sent[0].payload["text"] and "虎门镇" in sent[0].payload["text"]
    assert database.call(scan, local(2026, 11, 20, 10, 5)) == 0
    with database.transaction() as s:
        cid2 = s.scalars(select(Campaign)).one().id
        add_task(s, cid2, 5, local(2026, 11, 25, 23, 59), [units["虎门镇"]])
    database.call(plan_campaign, campaign_id=cid, now=NOW)
    # down until after task 5's deadline: its reminders are no longer useful
    assert database.call(scan, local(2026, 11, 26, 10, 0)) == 0
    with database.transaction() as s:
        states = {k: r.state for k, r in reminders(s).items() if k.startswith("task:5:")}
        assert set(states.values()) == {"skipped"}


def test_only_units_not_done_are_named(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    with database.transaction() as s:
        cid, units = setup_campaign(s, policy={"task_deadline": ["1d"]})
        task_id = add_task(s, cid, 6, local(2026, 11, 20, 23, 59), list(units.values()))
    monkeypatch.setattr(
        due_module, "_units_done", lambda s, tid: {units["长安镇"]} if tid == task_id else set()
    )
    database.call(plan_campaign, campaign_id=cid, now=NOW)
    database.call(scan, local(2026, 11, 19, 9, 0))
    with database.transaction() as s:
        sent = {m.chat_id: m.payload["text"] for m in s.scalars(select(OutboxMessage))}
        assert "虎门镇" in sent[GROUP] and "长安镇" not in sent[GROUP]
        # 厚街镇 has no group and no liaison: listed to the coordinators
        assert "厚街镇" in sent[ADMIN] and "长安镇" not in sent[ADMIN]
        assert reminders(s)["task:6:unit:长安镇:T-1d"].state == "skipped"


def test_overdue_daily_and_escalated_after_two_working_days(database: Database) -> None:
    with database.transaction() as s:
        cid, units = setup_campaign(s)
        add_task(s, cid, 7, local(2026, 11, 16, 23, 59), [units["虎门镇"]])  # Monday
    for day, overdue in ((17, 1), (18, 2)):
        now = local(2026, 11, day, 10, 0)
        database.call(plan_campaign, campaign_id=cid, now=now)
        database.call(plan_campaign, campaign_id=cid, now=now)
        assert database.call(scan, now) >= 1
        with database.transaction() as s:
            texts = [
                m.payload["text"]
                for m in s.scalars(select(OutboxMessage))
                if f"逾期 {overdue} 个工作日" in m.payload["text"]
            ]
            to_admin = [m for m in s.scalars(select(OutboxMessage)) if m.chat_id == ADMIN]
            assert len([t for t in texts if "虎门镇" in t]) == (1 if overdue == 1 else 2)
            assert bool(to_admin) == (overdue >= 2), "coordinators hear of it from day 2"


def test_two_claimers_never_get_the_same_row(database: Database) -> None:
    now = NOW
    with database.transaction() as s:
        for i in range(60):
            outbox.add(
                s,
                chat_id=-1000 - i,
                payload={"method": "sendMessage", "text": str(i)},
                now=now,
                kind="broadcast",
                dedupe_key=f"b:{i}",
            )
    got: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def claimer(name: str) -> None:
        start.wait()
        while True:
            rows = database.call(outbox.claim_due, now=now, holder=name, limit=7)
            if not rows:
                return
            got[name].extend(r.id for r in rows)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in got]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not set(got["a"]) & set(got["b"])
    assert len(got["a"]) + len(got["b"]) == 60
    with database.transaction() as s:
        assert outbox.release_in_flight(s) == 60
