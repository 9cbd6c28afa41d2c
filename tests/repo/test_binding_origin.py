"""Bindings made in chat survive reloads of the campaign file; the file's own follow the file.

Real database (SQLite; PostgreSQL when COORDBOT_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from bot import membership
from bot.campaign import CampaignSpec, load, parse_text
from bot.db import Database
from bot.reminders.targets import audience, parse_target
from storage.models.core import ChatBinding

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
GROUP = -1009000000001  # a group the file does not list
FILE_GROUP = -1001000000002  # the file binds it to 虎门镇


def quality() -> CampaignSpec:
    return parse_text(QUALITY.read_text(encoding="utf-8"), source=QUALITY)


def without_file_groups() -> CampaignSpec:
    spec = quality()
    return CampaignSpec(**{**spec.__dict__, "groups": spec.groups[:1]})


def reload(database: Database, spec: CampaignSpec, days: int = 1) -> str:
    with database.transaction() as s:
        return load(s, spec, now=NOW + timedelta(days=days)).summary()


def bind(database: Database, ref: str, chat_id: int = GROUP) -> membership.BindResult:
    with database.transaction() as s:
        campaign_id = load(s, quality(), now=NOW).campaign_id
        assert campaign_id is not None
        return membership.bind_group(
            s,
            chat_id=chat_id,
            chat_type="supergroup",
            title="镇街工作群",
            campaign_id=campaign_id,
            ref=ref,
            actor_id=1001,
            now=NOW,
        )


def unbind(database: Database, ref: str, chat_id: int = GROUP) -> membership.UnbindResult:
    with database.transaction() as s:
        campaign_id = load(s, quality(), now=NOW).campaign_id
        assert campaign_id is not None
        return membership.unbind_group(
            s, chat_id=chat_id, campaign_id=campaign_id, ref=ref, actor_id=1001, now=NOW
        )


def reached(database: Database, word: str) -> list[int]:
    with database.transaction() as s:
        campaign_id = load(s, quality(), now=NOW).campaign_id
        target = parse_target(s, campaign_id=campaign_id, word=word, here_chat=None)
        assert target is not None, word
        return audience(s, campaign_id=campaign_id, spec=target.spec)


def origins(database: Database) -> list[tuple[int, str]]:
    with database.transaction() as s:
        rows = s.execute(select(ChatBinding.chat_id, ChatBinding.origin)).all()
        return sorted((int(c), str(o)) for c, o in rows)


def test_a_reload_keeps_bindings_made_in_chat(database: Database) -> None:
    assert bind(database, "虎门镇").ok
    assert bind(database, "园区").is_tag
    assert reload(database, quality()) == "no changes"
    assert reload(database, without_file_groups(), days=2) == "unbound 1 group"
    assert origins(database) == sorted([(-1001000000001, "file"), (GROUP, "chat"), (GROUP, "chat")])
    assert reached(database, "虎门镇") == [GROUP]
    assert reached(database, "松山湖") == [GROUP]


def test_a_tag_reaches_the_groups_bound_to_its_units(database: Database) -> None:
    bind(database, "虎门镇")
    bind(database, "东城", chat_id=GROUP - 1)
    bind(database, "宣传部", chat_id=GROUP - 2)  # a department: not a 镇街
    reload(database, quality())
    assert reached(database, "镇街") == sorted([GROUP, GROUP - 1])
    assert reached(database, "所有镇街") == sorted([GROUP, GROUP - 1])
    assert reached(database, "部门") == [GROUP - 2]


def test_bind_in_chat_makes_a_file_binding_the_chats(database: Database) -> None:
    result = bind(database, "虎门镇", chat_id=FILE_GROUP)
    assert result.already
    assert reload(database, without_file_groups()) == "no changes"  # the group's is the chat's
    with database.transaction() as s:
        rows = s.scalars(select(ChatBinding).where(ChatBinding.chat_id == FILE_GROUP)).all()
        assert [(r.origin, r.tag) for r in rows] == [("chat", None)]


def test_unbind_removes_only_chat_bindings_and_says_what_it_did(database: Database) -> None:
    bind(database, "虎门镇")
    bind(database, "镇街")
    one = unbind(database, "虎门")  # an alias names the unit
    assert (one.removed, one.from_file, one.unknown) == (["虎门镇"], [], False)
    assert unbind(database, "火星镇").unknown
    rest = unbind(database, "")
    assert rest.removed == ["镇街"] and not rest.unknown
    assert unbind(database, "") == membership.UnbindResult([], [])
    refused = unbind(database, "", chat_id=FILE_GROUP)
    assert refused.removed == [] and refused.from_file == ["虎门镇"]
    file_only = sorted([(-1001000000001, "file"), (FILE_GROUP, "file")])
    assert origins(database) == file_only
    reload(database, quality())
    assert origins(database) == file_only


def test_the_migration_marks_bindings_made_in_chat_by_the_audit_log(db_url: str) -> None:
    """A database from before origins: a /bind recorded in the audit log makes a chat binding."""
    from alembic import command

    from bot.db import alembic_config, make_engine

    engine = make_engine(db_url)
    cfg = alembic_config(db_url)
    try:
        command.upgrade(cfg, "0001_foundation")
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO campaigns (id, slug, title, timezone, reminder_policy,"
                    " rebase_days) VALUES (1, 'c', 'C', 'Asia/Shanghai', '{}', 0)"
                )
            )
            for uid, name in ((1, "虎门镇"), (2, "长安镇")):
                conn.execute(
                    text(
                        "INSERT INTO units (id, campaign_id, name, aliases, kind, tags, active)"
                        " VALUES (:id, 1, :name, '[]', 'town', '[\"镇街\"]', :t)"
                    ),
                    {"id": uid, "name": name, "t": True},
                )
            for chat in (-1, -2, -3):
                conn.execute(
                    text(
                        "INSERT INTO chats (id, type, title, active, purpose)"
                        " VALUES (:id, 'group', 'g', :t, 'unit')"
                    ),
                    {"id": chat, "t": True},
                )
            rows = [(1, -1, 1, None), (2, -2, 2, None), (3, -3, None, "镇街")]
            for bid, chat, unit, tag in rows:
                conn.execute(
                    text(
                        "INSERT INTO chat_bindings (id, chat_id, campaign_id, unit_id, tag)"
                        " VALUES (:id, :chat, 1, :unit, :tag)"
                    ),
                    {"id": bid, "chat": chat, "unit": unit, "tag": tag},
                )
            audit = sa_table()
            conn.execute(
                audit.insert(),
                [
                    {
                        "at": NOW,
                        "action": "chat.bind",
                        "target": "-1",
                        "detail": {"unit": "虎门镇"},
                    },
                    {"at": NOW, "action": "chat.bind", "target": "-3", "detail": {"tag": "镇街"}},
                    {"at": NOW, "action": "campaign.load", "target": "c", "detail": {}},
                ],
            )
        command.upgrade(cfg, "0100_binding_origin")
        with engine.connect() as conn:
            got = conn.execute(text("SELECT id, origin FROM chat_bindings ORDER BY id")).all()
        assert [tuple(r) for r in got] == [(1, "chat"), (2, "file"), (3, "chat")]
    finally:
        engine.dispose()


def sa_table() -> Any:
    """The audit log as a table object, so that JSON and time values are bound portably."""
    from storage.models.core import AuditEntry

    return AuditEntry.__table__
