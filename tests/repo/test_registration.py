"""Registration services on SQLite and PostgreSQL: invites, the dialog, primary/backup, roles,
persisted conversation states; and the table of what the form accepts."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import invites as inv
from bot import liaison_admin, registration
from bot.db import Database
from bot.i18n import Catalog
from bot.persistence import DbPersistence
from bot.registration_form import validate
from storage import liaisons, users
from storage.models.core import AuditEntry, Campaign, Chat, ChatBinding, Unit
from storage.models.intake import OutboxMessage
from storage.models.registration import Invite, StartAttempt

T0 = datetime(2013, 11, 6, 2, 0, tzinfo=UTC)
ADMIN = 1
RENDER = registration.renderer(Catalog(), "zh-CN")
ANSWERS = ["王小明", "虎门镇宣传办", "副主任", "男", "0769-22830000", "13800138000", "w@x.cn"]


def seed(s: Session) -> int:
    camp = Campaign(slug="c", title="活动", registration_deadline=T0 + timedelta(days=5))
    s.add(camp)
    s.flush()
    for name, tag in (("虎门镇", "镇街"), ("长安镇", "镇街"), ("宣传部", "部门")):
        s.add(Unit(campaign_id=camp.id, name=name, aliases=[name[:2]], kind="town", tags=[tag]))
    for uid in (ADMIN, 11, 12, 13):
        users.touch_user(s, user_id=uid, username=f"u{uid}", display_name=f"用户{uid}", now=T0)
    s.flush()
    return camp.id


@pytest.fixture
def camp(database: Database) -> int:
    return database.call(seed)


def invite(db: Database, camp: int, ref: str = "虎门镇", now: datetime = T0) -> str:
    batch = db.call(inv.create_invites, campaign_id=camp, ref=ref, actor_id=ADMIN, now=now, days=7)
    return batch.invites[0].token


def register(db: Database, camp: int, user: int, token: str, now: datetime = T0) -> Any:
    step = db.call(registration.redeem, token=token, user_id=user, campaign_id=camp, now=now)
    assert step.status == "ask", step
    for text in ANSWERS:
        step = db.call(registration.answer, user_id=user, text=text, now=now)
    assert step.status == "summary"
    return db.call(
        registration.confirm,
        user_id=user,
        now=now,
        coordinators=frozenset({ADMIN}),
        render=RENDER,
    )


def test_tokens_are_random_urlsafe_and_stored_hashed(database: Database, camp: int) -> None:
    tokens = {invite(database, camp) for _ in range(5)}
    assert len(tokens) == 5
    for token in tokens:
        assert 22 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
    with database.transaction() as s:
        hashes = {i.token_hash for i in s.scalars(select(Invite))}
        assert hashes == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
        for row in s.scalars(select(AuditEntry)):
            assert not any(t in str(row.detail) + row.target for t in tokens)


def test_single_use_resume_and_expiry(database: Database, camp: int) -> None:
    token = invite(database, camp)
    redeem = registration.redeem
    first = database.call(redeem, token=token, user_id=11, campaign_id=camp, now=T0)
    assert first.status == "ask" and first.asking == "name" and first.unit == "虎门镇"
    other = database.call(redeem, token=token, user_id=12, campaign_id=camp, now=T0)
    assert other.status == "used"
    again = database.call(redeem, token=token, user_id=11, campaign_id=camp, now=T0)
    assert again.status == "ask" and again.resumed
    late = invite(database, camp)
    after = T0 + timedelta(days=7, seconds=1)
    assert database.call(redeem, token=late, user_id=13, campaign_id=camp, now=after).status == (
        "expired"
    )
    assert database.call(redeem, token="x" * 32, user_id=13, campaign_id=camp, now=T0).status == (
        "unknown"
    )


def test_failed_starts_are_rate_limited(database: Database, camp: int) -> None:
    good = invite(database, camp)
    for _ in range(registration.MAX_FAILED_STARTS):
        step = database.call(
            registration.redeem, token="bad" * 8, user_id=12, campaign_id=camp, now=T0
        )
        assert step.status == "unknown"
    limited = database.call(registration.redeem, token=good, user_id=12, campaign_id=camp, now=T0)
    assert limited.status == "limited"
    later = T0 + timedelta(hours=1, minutes=1)
    ok = database.call(registration.redeem, token=good, user_id=12, campaign_id=camp, now=later)
    assert ok.status == "ask"
    with database.transaction() as s:
        assert len(s.scalars(select(StartAttempt)).all()) == registration.MAX_FAILED_STARTS


def test_primary_backup_switch_and_remove(database: Database, camp: int) -> None:
    first = register(database, camp, 11, invite(database, camp))
    assert first.status == "confirmed" and first.is_primary
    second = register(database, camp, 12, invite(database, camp))
    assert second.status == "confirmed" and not second.is_primary
    with database.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.name == "虎门镇")).one()
        assert [x.user_id for x in liaisons.liaisons_of_unit(s, unit.id)] == [11, 12]
        assert liaisons.unit_of(s, 12, camp) == unit.id
        assert [u.name for u in liaisons.units_without_liaison(s, camp)] == ["长安镇", "宣传部"]
        assert users.get_user(s, 11).role == "liaison"  # type: ignore[union-attr]

    def change(action: str, who: str) -> liaison_admin.Change:
        return database.call(
            liaison_admin.change_liaison,
            campaign_id=camp,
            unit_ref="虎门",
            action=action,
            user_ref=who,
            actor_id=ADMIN,
            now=T0,
            render=RENDER,
            bot_username="coordbot",
        )

    assert change("primary", "@u12").status == "ok"
    assert change("primary", "12").status == "already"
    assert change("primary", "@u13").status == "no_liaison"
    with database.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.name == "虎门镇")).one()
        assert [x.user_id for x in liaisons.liaisons_of_unit(s, unit.id)] == [12, 11]
    removed = change("remove", "王小明")  # by registered name: the primary (12) goes first
    assert removed.status == "ok"
    with database.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.name == "虎门镇")).one()
        left = liaisons.liaisons_of_unit(s, unit.id)
        assert [(x.user_id, x.is_primary) for x in left] == [(11, True)]
        assert users.get_user(s, 12).role == "resident"  # type: ignore[union-attr]
        assert liaisons.unit_of(s, 12, camp) is None
        notices = [r for r in s.scalars(select(OutboxMessage)) if r.chat_id in (11, 12)]
        assert {r.chat_id for r in notices} == {11, 12}


def test_unreachable_liaison_is_asked_in_the_group(database: Database, camp: int) -> None:
    register(database, camp, 11, invite(database, camp))
    register(database, camp, 13, invite(database, camp))

    def bind(s: Session) -> None:
        unit = s.scalars(select(Unit).where(Unit.name == "虎门镇")).one()
        s.add(Chat(id=-100, type="supergroup", title="虎门镇群", active=True, purpose=""))
        s.flush()
        s.add(ChatBinding(chat_id=-100, campaign_id=camp, unit_id=unit.id))
        users.get_user(s, 11).started_bot = True  # type: ignore[union-attr]
        users.get_user(s, 13).started_bot = False  # type: ignore[union-attr]

    database.call(bind)
    result = database.call(
        liaison_admin.change_liaison,
        campaign_id=camp,
        unit_ref="虎门镇",
        action="primary",
        user_ref="@u13",
        actor_id=ADMIN,
        now=T0,
        render=RENDER,
        bot_username="coordbot",
    )
    assert result.unreachable == ["王小明"] and result.nudged_groups == 1
    with database.transaction() as s:
        group = [r for r in s.scalars(select(OutboxMessage)) if r.chat_id == -100]
        assert len(group) == 1
        text = group[0].payload["text"]
        assert "@u13" in text and "@coordbot" in text
        assert "13800138000" not in text and "w@x.cn" not in text and "22830000" not in text


def test_edit_own_details_from_the_summary(database: Database, camp: int) -> None:
    register(database, camp, 11, invite(database, camp))
    step = database.call(registration.start_edit, user_id=11, campaign_id=camp, now=T0)
    assert step.status == "summary" and step.answers["mobile"] == "13800138000"
    bad = database.call(registration.answer, user_id=11, text="手机 123", now=T0)
    assert bad.status == "invalid" and bad.asking == "mobile"
    fixed = database.call(registration.answer, user_id=11, text="13911112222", now=T0)
    assert fixed.status == "summary" and fixed.answers["mobile"] == "13911112222"
    direct = database.call(registration.answer, user_id=11, text="邮箱：new@x.cn", now=T0)
    assert direct.status == "summary" and direct.answers["email"] == "new@x.cn"
    assert database.call(registration.answer, user_id=11, text="确认", now=T0).status == "confirm"
    done = database.call(
        registration.confirm, user_id=11, now=T0, coordinators=frozenset(), render=RENDER
    )
    assert done.status == "confirmed" and done.resumed and done.is_primary
    assert database.call(registration.start_edit, user_id=12, campaign_id=camp, now=T0).status == (
        "not_liaison"
    )


def test_grant_and_revoke_staff(database: Database, camp: int) -> None:
    admins = frozenset({ADMIN})

    def grant(ref: str) -> str:
        return database.call(
            liaison_admin.grant_staff, ref=ref, actor_id=ADMIN, now=T0, coordinators=admins
        ).status

    assert [grant(r) for r in ("@u12", "u12", "@u1", "@ghost", "424242")] == [
        "ok", "already", "coordinator", "unknown", "ok",
    ]  # fmt: skip
    revoke = liaison_admin.revoke_role
    kw: dict[str, Any] = {"actor_id": ADMIN, "now": T0, "coordinators": admins, "campaign_id": camp}
    back = database.call(revoke, ref="@u12", **kw)
    assert back.status == "ok" and back.role == "resident"
    assert database.call(revoke, ref="@u12", **kw).status == "not_staff"
    with database.transaction() as s:
        actions = [a.action for a in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions.count("role.grant") == 2 and actions.count("role.revoke") == 1


async def test_conversation_states_persist(database: Database) -> None:
    store = DbPersistence(database)
    await store.update_conversation("registration", (5, 5), "form")
    await store.update_conversation("registration", (6, 6), "summary")
    await store.update_conversation("registration", (5, 5), "summary")
    assert await DbPersistence(database).get_conversations("registration") == {
        (5, 5): "summary",
        (6, 6): "summary",
    }
    await store.update_conversation("registration", (6, 6), None)
    assert await store.get_conversations("registration") == {(5, 5): "summary"}
    assert await store.get_conversations("other") == {}


VALIDATION = [
    ("mobile", "13800138000", "13800138000"),
    ("mobile", "138 0013 8000", "13800138000"),
    ("mobile", "+86 139-1111-2222", "13911112222"),
    ("mobile", "１３８００１３８０００", "13800138000"),
    ("mobile", "手机：13800138000", "13800138000"),
    ("mobile", "12800138000", None),
    ("mobile", "1380013800", None),
    ("mobile", "0769-22830000", None),
    ("phone", "0769-22830000", "0769-22830000"),
    ("phone", "010-12345678", "010-12345678"),
    ("phone", "22830000", "22830000"),
    ("phone", "2283000", "2283000"),
    ("phone", "(0769)22830000", "0769-22830000"),
    ("phone", "无", ""),
    ("phone", "076922830000", None),
    ("phone", "769-22830000", None),
    ("phone", "228300", None),
    ("phone", "13800138000", None),
    ("email", "name@example.com", "name@example.com"),
    ("email", "a.b+c@mail.dg.gov.cn", "a.b+c@mail.dg.gov.cn"),
    ("email", "name@example", None),
    ("email", "a..b@example.com", None),
    ("gender", "女", "女"),
    ("gender", "Male", "男"),
    ("gender", "其他", None),
    ("name", "王小明", "王小明"),
    ("name", "王小明2", None),
    ("name", "", None),
    ("name", "😀😀", None),
    ("name", "··· ---", None),
    ("name", "王\u200b小\u200d明\ufeff", "王小明"),
    ("name", "\u202e明小王\u202c", "明小王"),
    ("name", "\u2066王小明\u2069\u200e\u200f", "王小明"),
    ("name", "\u200b\u200c\u200d\ufeff", None),
    ("name", "Zoë Müller", "Zoë Müller"),
    ("department", "\u202a虎门镇宣传办\u202c", "虎门镇宣传办"),
    ("title", "🙂", None),
    ("mobile", "138\u200b0013\u200b8000", "13800138000"),
    ("email", "w\u200b@x.cn", "w@x.cn"),
]


@pytest.mark.parametrize(("field", "text", "expected"), VALIDATION)
def test_validation_table(field: str, text: str, expected: str | None) -> None:
    value, error = validate(field, text)
    assert value == expected
    assert (error is None) == (expected is not None)


def test_fields_found_by_name_during_the_form(database: Database, camp: int) -> None:
    token = invite(database, camp)
    database.call(registration.redeem, token=token, user_id=11, campaign_id=camp, now=T0)

    def say(text: str) -> registration.Step:
        return database.call(registration.answer, user_id=11, text=text, now=T0)

    assert say("Mobile").asking == "mobile"  # English name: that field is asked now
    assert say("13800138000").asking == "email"  # then on from there
    labelled = say("姓名：王小明")  # a labelled answer for another field is kept
    assert labelled.asking == "email" and labelled.answers["name"] == "王小明"
    wrong = say("电话：12")
    assert wrong.status == "invalid" and wrong.asking == "phone"
    assert say("22830000").asking == "email"
    assert say("w@x.cn").asking == "department"  # wraps to the first unanswered field


def test_a_removed_liaison_stays_removed_until_a_new_invite(database: Database, camp: int) -> None:
    token = invite(database, camp)
    assert register(database, camp, 11, token).status == "confirmed"
    redeem = registration.redeem
    step = database.call(redeem, token=token, user_id=11, campaign_id=camp, now=T0)
    assert step.status == "already"
    removed = database.call(
        liaison_admin.change_liaison,
        campaign_id=camp,
        unit_ref="虎门镇",
        action="remove",
        user_ref="11",
        actor_id=ADMIN,
        now=T0 + timedelta(hours=1),
        render=RENDER,
        bot_username="coordbot",
    )
    assert removed.status == "ok"
    for later in (T0 + timedelta(hours=2), T0 + timedelta(days=30)):  # valid, then expired
        step = database.call(redeem, token=token, user_id=11, campaign_id=camp, now=later)
        assert step.status == "spent"
        with database.transaction() as s:
            assert liaisons.liaison_of_user(s, camp, 11).active is False  # type: ignore[union-attr]
    day2 = T0 + timedelta(days=2)
    fresh = invite(database, camp, now=day2)  # a new invite: the old answers, ready to confirm
    step = database.call(redeem, token=fresh, user_id=11, campaign_id=camp, now=day2)
    assert step.status == "summary"
    kw: dict[str, Any] = {"coordinators": frozenset({ADMIN}), "render": RENDER}
    again = database.call(registration.confirm, user_id=11, now=day2, **kw)
    assert again.status == "confirmed" and again.is_primary


def test_a_cancelled_form_reopens_only_while_the_link_is_valid(
    database: Database, camp: int
) -> None:
    token = invite(database, camp)
    redeem = registration.redeem
    assert database.call(redeem, token=token, user_id=11, campaign_id=camp, now=T0).status == "ask"
    database.call(registration.answer, user_id=11, text=ANSWERS[0], now=T0)
    late = T0 + timedelta(days=8)  # mid-form when the link expires: the form still resumes
    step = database.call(redeem, token=token, user_id=11, campaign_id=camp, now=late)
    assert step.status == "ask" and step.resumed
    assert database.call(registration.cancel, user_id=11, now=late)
    step = database.call(redeem, token=token, user_id=11, campaign_id=camp, now=late)
    assert step.status == "expired"
