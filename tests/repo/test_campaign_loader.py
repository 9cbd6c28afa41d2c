"""Loading campaigns into a real database (SQLite; PostgreSQL when COORDBOT_TEST_POSTGRES_URL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import storage.campaigns as crud
from bot.campaign import CampaignSpec, load, load_file, parse_file, parse_text, rebase
from bot.campaign.cli import campaign_app
from bot.db import Database
from storage.models import Base
from storage.models.core import AuditEntry, Campaign, Chat, ChatBinding, Task, Unit

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"
HOUSEHOLD = ROOT / "config" / "campaigns" / "household-survey-2018.yaml"
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as comparable tuples."""
    out = {}
    for table in Base.metadata.sorted_tables:
        rows = session.execute(select(table)).all()
        out[table.name] = sorted((tuple(map(repr, r)) for r in rows), key=repr)
    return out


def quality(edit: dict[str, str] | None = None) -> CampaignSpec:
    source = QUALITY.read_text(encoding="utf-8")
    for old, new in (edit or {}).items():
        assert old in source, old
        source = source.replace(old, new)
    return parse_text(source, source=QUALITY)


def load_in(database: Database, spec: CampaignSpec, now: datetime = NOW) -> str:
    with database.transaction() as s:
        return load(s, spec, now=now).summary()


def test_loading_twice_changes_no_row(database: Database) -> None:
    first = load_in(database, quality())
    assert first == (
        "created 1 campaign, 65 units, 2 quota items, 15 tasks, 10 interviews, 2 groups"
    )
    with database.transaction() as s:
        before = snapshot(s)
    assert load_in(database, parse_file(QUALITY), NOW + timedelta(days=1)) == "no changes"
    with database.transaction() as s:
        assert snapshot(s) == before
        assert len(before["task_units"]) > 0 and len(before["audit_log"]) == 1


def test_the_loaded_campaign_answers_queries(database: Database) -> None:
    load_in(database, quality())
    with database.transaction() as s:
        campaign = crud.current_campaign(s)
        assert campaign is not None and campaign.slug == "quality-city-2013"
        assert campaign.registration_deadline == datetime(2013, 11, 11, 9, 30, tzinfo=UTC)
        assert campaign.reminder_policy["interview"] == ["7d", "1d"]
        humen = crud.find_unit(s, campaign.id, "虎门")
        assert humen is not None and humen.name == "虎门镇"
        assert crud.find_unit(s, campaign.id, "虎") is None
        assert len(crud.units_by_tag(s, campaign.id, "镇街")) == 32
        assert len(crud.resolve_units(s, campaign.id, "媒体")) == 12
        task9 = crud.get_task(s, campaign.id, 9)
        assert task9 is not None and task9.deadline == datetime(2013, 11, 20, 15, 59, tzinfo=UTC)
        assert {q.target for q in task9.quotas} == {100, 10}
        assert len(crud.task_units(s, task9, "responsible")) == 32
        item = crud.find_quota_item(s, campaign.id, "横幅")
        assert item is not None and item.key == "banners"
        assert crud.find_quota_item(s, campaign.id, "Posters") is not None
        assert [t.number for t in crud.tasks_for_unit(s, campaign.id, humen.id)] == [5, 7, 8, 9, 10]
        assert [i.number for i in crud.interviews_for_unit(s, campaign.id, humen.id)] == [2]
        assert crud.groups_for_unit(s, campaign.id, humen) == []  # the bot is not in it yet
        for chat in s.scalars(select(Chat)):
            chat.active = True  # as when the bot is added to the groups
        s.flush()
        assert [c.id for c in crud.groups_for_unit(s, campaign.id, humen)] == [-1001000000002]
        coordination = crud.campaign_groups(s, campaign.id, "coordination")
        assert [c.id for c in coordination] == [-1001000000001]
        assert coordination[0].type == "supergroup"


def test_an_edited_file_updates_rows_in_place(database: Database) -> None:
    load_in(database, quality())
    with database.transaction() as s:
        ids = {t.number: t.id for t in s.scalars(select(Task))}
        unit_ids = {u.name: u.id for u in s.scalars(select(Unit))}
    edited = quality(
        {
            "    deadline: 2013-11-20\n    responsible: [镇街]": (
                "    deadline: 2013-11-22 18:00\n    responsible: [镇街]"
            ),
            "quota: {posters: 100, banners: 10}": "quota: {posters: 120}",
            "  - {name: 东莞时间网, kind: media, tags: [媒体]}\n": "",
            "units: [市农业局, 松山湖]": "units: [市农业局, 大朗镇]",
            "purpose: unit, units: [虎门镇]}": "purpose: unit, units: [虎门镇, 长安镇]}",
        }
    )
    summary = load_in(database, edited)
    assert summary == "updated 1 task, 1 interview, 1 group; deactivated 1 unit"
    with database.transaction() as s:
        campaign = crud.current_campaign(s)
        assert campaign is not None
        task9 = crud.get_task(s, campaign.id, 9)
        assert task9 is not None and task9.id == ids[9]
        assert task9.deadline == datetime(2013, 11, 22, 10, 0, tzinfo=UTC)
        assert [(q.target) for q in task9.quotas] == [120]
        assert {u.name: u.id for u in s.scalars(select(Unit))} == unit_ids
        gone = s.scalars(select(Unit).where(Unit.name == "东莞时间网")).one()
        assert gone.active is False and crud.find_unit(s, campaign.id, "东莞时间网") is None
        bound = s.scalars(select(ChatBinding.unit_id).where(ChatBinding.chat_id == -1001000000002))
        assert set(bound) == {unit_ids["虎门镇"], unit_ids["长安镇"]}
        audit = [e.detail for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert len(audit) == 2 and audit[1]["deactivated"] == {"unit": 1}
    assert load_in(database, quality()) == "updated 1 unit, 1 task, 1 interview, 1 group"


def _without_task_15() -> CampaignSpec:
    spec = quality()
    return CampaignSpec(**{**spec.__dict__, "tasks": spec.tasks[:14]})


def test_a_removed_task_is_deleted_without_evidence(database: Database) -> None:
    load_in(database, quality())
    assert load_in(database, _without_task_15()) == "deleted 1 task"
    with database.transaction() as s:
        assert [t.number for t in s.scalars(select(Task).order_by(Task.number))] == list(
            range(1, 15)
        )
    assert load_in(database, quality()) == "created 1 task"


def test_a_removed_task_with_evidence_is_withdrawn(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_in(database, quality())
    monkeypatch.setattr(crud, "task_has_evidence", lambda session, task_id: True)
    assert load_in(database, _without_task_15()) == "withdrawn 1 task"
    assert load_in(database, _without_task_15()) == "no changes"
    with database.transaction() as s:
        campaign = crud.current_campaign(s)
        assert campaign is not None
        task = crud.get_task(s, campaign.id, 15)
        assert task is not None and task.withdrawn
        assert 15 not in [t.number for t in crud.list_tasks(s, campaign.id)]
    assert load_in(database, quality()) == "updated 1 task"  # back in the file: active again


def test_task_has_evidence_finds_an_evidence_table(database: Database) -> None:
    load_in(database, quality())
    with database.transaction() as s:
        task = s.scalars(select(Task).where(Task.number == 15)).one()
        assert crud.task_has_evidence(s, task.id) is False
        s.execute(text("CREATE TABLE evidence (id INTEGER PRIMARY KEY, task_id INTEGER)"))
        s.execute(text("INSERT INTO evidence (id, task_id) VALUES (1, :t)"), {"t": task.id})
        assert crud.task_has_evidence(s, task.id) is True
    assert load_in(database, _without_task_15()) == "withdrawn 1 task"


def test_removed_group_is_unbound_and_chat_titles_from_telegram_win(database: Database) -> None:
    load_in(database, quality())
    with database.transaction() as s:
        chat = s.get(Chat, -1001000000001)
        assert chat is not None
        chat.title = "Title Telegram reported"
    spec = quality()
    assert load_in(database, CampaignSpec(**{**spec.__dict__, "groups": spec.groups[:1]})) == (
        "unbound 1 group"
    )
    with database.transaction() as s:
        assert s.scalars(select(ChatBinding.chat_id)).all() == [-1001000000001]
        assert s.get(Chat, -1001000000001).title == "Title Telegram reported"  # type: ignore[union-attr]
        assert s.get(Chat, -1001000000002) is not None


def test_rebase_then_load_is_idempotent_and_records_the_shift(database: Database) -> None:
    moved = rebase(quality(), date(2026, 12, 1))
    load_in(database, moved)
    assert load_in(database, rebase(quality(), date(2026, 12, 1))) == "no changes"
    with database.transaction() as s:
        campaign = s.scalars(select(Campaign)).one()
        assert campaign.rebase_days == moved.rebase_days
        first = min(t.deadline for t in s.scalars(select(Task)))
        assert first == datetime(2026, 12, 6, 15, 59, tzinfo=UTC)  # Sunday, as in 2013


def test_a_rebased_campaign_keeps_its_dates_when_reloaded_without_a_rebase(
    database: Database,
) -> None:
    with database.transaction() as s:
        load_file(s, QUALITY, now=NOW, rebase_to=date(2026, 12, 1))
    with database.transaction() as s:
        before = sorted((t.number, t.deadline) for t in s.scalars(select(Task)))
        report = load_file(s, QUALITY, now=NOW + timedelta(hours=1))  # coordbot console, run
        assert report.summary() == "no changes"
    with database.transaction() as s:
        assert sorted((t.number, t.deadline) for t in s.scalars(select(Task))) == before
        assert before[0][1].year == 2026


def test_two_campaigns_live_side_by_side(database: Database) -> None:
    load_in(database, quality())
    load_in(database, parse_file(HOUSEHOLD, check_files=False), NOW + timedelta(hours=1))
    with database.transaction() as s:
        latest = crud.current_campaign(s)
        assert latest is not None and latest.slug == "household-survey-2018"
        older = crud.current_campaign(s, "quality-city-2013")
        assert older is not None
        assert len(crud.list_tasks(s, latest.id)) == 16
        assert len(crud.list_units(s, older.id)) == 65


def test_cli_load_reports_changes_and_a_broken_file_imports_nothing(
    db_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    broken = tmp_path / "broken.yaml"
    broken.write_text(QUALITY.read_text(encoding="utf-8").replace("2013-11-15", "2013-11-31"))
    result = runner.invoke(campaign_app, ["load", str(broken), "--database-url", db_url])
    assert result.exit_code == 1
    assert f"{broken}: tasks[1].deadline (line " in result.output
    first = runner.invoke(campaign_app, ["load", str(QUALITY), "--database-url", db_url])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("quality-city-2013: created 1 campaign, 65 units")
    again = runner.invoke(campaign_app, ["load", str(QUALITY), "--database-url", db_url])
    assert again.output.strip() == "quality-city-2013: no changes"
    bad_date = runner.invoke(
        campaign_app, ["load", str(QUALITY), "--database-url", db_url, "--rebase", "2026-02-30"]
    )
    assert bad_date.exit_code == 1 and "--rebase '2026-02-30'" in bad_date.output


def test_cli_broken_file_leaves_the_database_empty(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        QUALITY.read_text(encoding="utf-8").replace(
            "responsible: [市科技局]", "responsible: [市科委]"
        )
    )
    result = runner.invoke(campaign_app, ["load", str(broken), "--database-url", db_url])
    assert result.exit_code == 1 and "unknown unit or tag '市科委'" in result.output
    db = Database.from_url(db_url, threads=1)
    try:
        from bot.db import upgrade

        upgrade(db.engine)
        with db.transaction() as s:
            assert s.scalars(select(Campaign)).all() == []
    finally:
        db.close()


def test_load_file_parses_rebases_and_records_the_source(database: Database) -> None:
    with database.transaction() as s:
        report = load_file(s, QUALITY, now=NOW, rebase_to=date(2030, 1, 7))
        assert report.created["task"] == 15
    with database.transaction() as s:
        campaign = s.scalars(select(Campaign)).one()
        assert campaign.source_file == str(QUALITY) and campaign.loaded_at == NOW
        assert campaign.faq_file == str(ROOT / "config" / "faq" / "quality-city-2013-liaisons.yaml")
        first = min(t.deadline for t in s.scalars(select(Task)))
        assert first.date() - date(2030, 1, 7) < timedelta(days=7)
        assert first.astimezone(ZoneInfo("Asia/Shanghai")).weekday() == 6  # 2013-11-10: Sunday
        assert campaign.content_hash is not None and len(campaign.content_hash) == 64
