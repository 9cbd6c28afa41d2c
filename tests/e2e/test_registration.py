"""Liaison registration as people use it: invite, the 附件3 dialog, the roster, refusals."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from bot.clock import FixedClock
from bot.localapi import FakeUser, SentRecord
from storage.models.core import AuditEntry, User
from storage.models.registration import ConversationState, Invite, Liaison
from tests.harness import Harness, bot_session

MOBILE = re.compile(r"1[3-9]\d{9}")


def token_of(text: str) -> str:
    found = re.search(r"\?start=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found[1]


async def invite(h: Harness, unit: str = "虎门镇") -> str:
    return token_of(await h.reply_text(h.admin, f"/invite {unit}"))


async def press(h: Harness, user: FakeUser, data: str) -> list[SentRecord]:
    """Press the button ``data`` on the latest bot message in the user's chat that has it."""
    msg = next(r for r in reversed(h.api.sent_to(user.id)) if data in dict(h_buttons(r)).values())
    start = h.api.mark()
    h.api.press_button(h.api.private_chat(user), user, msg, data)
    await h.settle()
    return h.api.messages_since(start, user.id)


def h_buttons(record: SentRecord) -> list[tuple[str, str | None]]:
    return record.buttons


async def fill(h: Harness, user: FakeUser, token: str, name: str, mobile: str) -> str:
    """Open the link and answer every field correctly; return the summary."""
    assert "姓名" in await h.reply_text(user, f"/start {token}")
    await h.reply_text(user, name)
    await h.reply_text(user, "虎门镇宣传办")
    assert "性别" in await h.reply_text(user, "科员")
    await press(h, user, "reg:g:f")
    await h.reply_text(user, "0769-22830000")
    await h.reply_text(user, mobile)
    return await h.reply_text(user, f"{mobile}@example.com")


async def test_invite_dialog_roster_and_reuse_refused(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        wang = h.api.add_user("王", username="wang")
        token = await invite(h)
        assert len(token) <= 64 and len(token) >= 22  # ≥ 128 bits URL-safe

        first = await h.reply_text(wang, f"/start {token}")
        assert "虎门镇" in first and "姓名" in first
        assert "所属部门" in await h.reply_text(wang, "王小明")
        assert "职务" in await h.reply_text(wang, "虎门镇宣传办")
        gender = await h.say(wang, "副主任")
        assert [b[1] for b in gender[-1].buttons] == ["reg:g:m", "reg:g:f"]
        assert "联系电话" in "".join(r.body for r in await press(h, wang, "reg:g:m"))
        assert "移动电话" in await h.reply_text(wang, "0769-22830000")
        wrong = await h.reply_text(wang, "12345")
        assert "格式不对" in wrong and "移动电话" in wrong  # the same question again
        assert "电子邮箱" in await h.reply_text(wang, "13800138000")
        assert "格式不对" in await h.reply_text(wang, "not-an-email")
        summary = await h.reply_text(wang, "wxm@example.com")
        assert "13800138000" in summary and "副主任" in summary

        # correct one field from the summary, by button, then by its Chinese name
        assert "职务" in "".join(r.body for r in await press(h, wang, "reg:e:title"))
        assert "主任" in await h.reply_text(wang, "主任")
        assert "移动电话" in await h.reply_text(wang, "手机")
        assert "13900139000" in await h.reply_text(wang, "13900139000")
        done = "".join(r.body for r in await press(h, wang, "reg:ok"))
        assert "登记完成" in done and "主联络员" in done

        roster = await h.reply_text(h.admin, "/liaisons 虎门镇")
        assert "王小明" in roster and "13900139000" in roster and "wxm@example.com" in roster
        full = await h.reply_text(h.admin, "/liaisons")
        assert "王小明" in full and "尚未登记" in full and "莞城街道" in full
        me = await h.reply_text(wang, "/me")
        assert "联络员" in me and "13900139000" in me
        await h.settle()
        assert any("新联络员登记" in r.body for r in h.api.sent_to(h.admin.id))

        # someone else opening the same link is refused in one line
        li = h.api.add_user("李")
        refused = await h.say(li, f"/start {token}")
        assert len(refused) == 1 and "已被他人使用" in refused[0].body
        assert "\n" not in refused[0].body

        with h.deps.db.transaction() as s:
            rows = s.scalars(select(Invite)).all()
            assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
            liaison = s.scalars(select(Liaison)).one()
            assert liaison.is_primary and liaison.title == "主任" and liaison.gender == "男"
            assert s.get(User, wang.id).role == "liaison"  # type: ignore[union-attr]
            audit = [a.action for a in s.scalars(select(AuditEntry))]
            assert "invite.create" in audit and "liaison.register" in audit
            assert all(token not in str(a.detail) for a in s.scalars(select(AuditEntry)))


async def test_backup_primary_switch_and_export(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        a, b = h.api.add_user("甲", username="jia"), h.api.add_user("乙", username="yi")
        await fill(h, a, await invite(h), "甲某", "13800000001")
        await press(h, a, "reg:ok")
        note = await h.reply_text(h.admin, "/invite 虎门镇")
        assert "备用" in note
        await fill(h, b, token_of(note), "乙某", "13800000002")
        assert "备用联络员" in "".join(r.body for r in await press(h, b, "reg:ok"))

        assert "乙某" in await h.reply_text(h.admin, "/liaison 虎门镇 primary @yi")
        await h.settle()
        assert any("主联络员" in r.body for r in h.api.sent_to(b.id)[-1:])
        assert any("备用联络员" in r.body for r in h.api.sent_to(a.id)[-1:])

        sent = await h.say(h.admin, "/liaisons export")
        doc = next(r for r in sent if r.method == "sendDocument")
        assert doc.filename and doc.filename.endswith(".xlsx") and doc.document
        sheet = load_workbook(io.BytesIO(doc.document)).worksheets[0]
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        form = ["姓名", "所属部门", "职务", "性别", "联系电话", "移动电话", "电子邮箱"]
        assert rows[0][:7] == form and rows[0][7:9] == ["填报单位", "角色"]
        assert rows[1][0] == "乙某" and rows[1][8] == "主联络员" and rows[2][8] == "备用联络员"

        assert "解除" in await h.reply_text(h.admin, "/liaison 虎门镇 remove 乙某")
        roster = await h.reply_text(h.admin, "/liaisons 虎门镇")
        assert "乙某" not in roster and "甲某" in roster and "主联络员" in roster


async def test_invite_tag_gives_list_and_csv(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        sent = await h.say(h.admin, "/invite 部门")
        text = "\n".join(r.body for r in sent if r.method == "sendMessage")
        assert text.count("?start=") == 14 and "市城管局" in text
        doc = next(r for r in sent if r.method == "sendDocument")
        csv_text = (doc.document or b"").decode("utf-8-sig")
        assert csv_text.startswith("unit,link,expires_at") and "市城管局" in csv_text
        listed = await h.reply_text(h.admin, "/invites")
        assert "14" in listed and "?start=" not in listed  # links are not kept
        assert "14" in await h.reply_text(h.admin, "/invite revoke 部门")
        assert "没有未使用" in await h.reply_text(h.admin, "/invites")


async def test_expired_revoked_unknown_and_group_refused(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2013, 11, 5, 1, 0, tzinfo=UTC))
    async with bot_session(tmp_path, clock=clock) as h:
        late, other = h.api.add_user("迟到"), h.api.add_user("别人")
        token = await invite(h)
        clock.advance(timedelta(days=8))
        assert "过期" in await h.reply_text(late, f"/start {token}")
        assert "无效" in await h.reply_text(other, "/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        fresh = await invite(h)
        await h.reply_text(h.admin, "/invite revoke 虎门镇")
        assert "撤销" in await h.reply_text(other, f"/start {fresh}")
        group = h.api.add_group("虎门镇群", members=[h.admin.id, other.id], with_bot=True)
        in_group = await h.say(other, f"/start {await invite(h)}", chat=group)
        assert len(in_group) == 1 and "私聊" in in_group[0].body


async def test_restart_mid_dialog_resumes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    async with bot_session(tmp_path, database_url=url) as h:
        user = h.api.add_user("续", id=777001)
        await h.reply_text(user, f"/start {await invite(h)}")
        await h.reply_text(user, "赵续")
        assert "职务" in await h.reply_text(user, "虎门镇宣传办")
        with h.deps.db.transaction() as s:
            assert s.scalars(select(ConversationState)).all()
    async with bot_session(tmp_path, database_url=url) as h:
        h.api.updates._next_id = 100_000  # a new Telegram session: update ids move on
        user = h.api.add_user("续", id=777001)
        assert "性别" in await h.reply_text(user, "副主任")  # resumed at the third field
        await press(h, user, "reg:g:m")
        await h.reply_text(user, "无")
        await h.reply_text(user, "13700137000")
        summary = await h.reply_text(user, "zx@example.com")
        assert "赵续" in summary and "虎门镇宣传办" in summary
        assert "登记完成" in "".join(r.body for r in await press(h, user, "reg:ok"))
        assert "赵续" in await h.reply_text(h.admin, "/liaisons 虎门镇")


async def test_cancel_and_status_in_group_has_no_personal_data(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        quitter, wang = h.api.add_user("退"), h.api.add_user("王", username="wang")
        await h.reply_text(quitter, f"/start {await invite(h)}")
        assert "未保存" in await h.reply_text(quitter, "/cancel")
        assert "还不是联络员" in await h.reply_text(quitter, "/me")
        await fill(h, wang, await invite(h), "王小明", "13800138000")
        await press(h, wang, "reg:ok")
        group = h.api.add_group("虎门镇宣传群", members=[h.admin.id, wang.id], with_bot=True)
        await h.reply_text(h.admin, "/bind 虎门镇", chat=group)
        for who in (h.admin, wang):
            shown = await h.reply_text(who, "/status 虎门镇", chat=group)
            assert shown and not MOBILE.search(shown) and "@" not in shown
            assert "22830000" not in shown
        resident = h.api.add_user("群众")
        refused = await h.say(resident, "/liaisons")
        assert len(refused) == 1 and "\n" not in refused[0].body and "仅限" in refused[0].body


COMMANDS = {  # command: (roles allowed, private only)
    "/invite 虎门镇": ({"coordinator"}, True),
    "/invites": ({"coordinator"}, True),
    "/liaisons 虎门镇": ({"coordinator", "staff"}, True),
    "/liaison 虎门镇 primary @nobody": ({"coordinator"}, True),
    "/me": ({"coordinator", "staff", "liaison", "resident"}, True),
    "/grant staff @nobody": ({"coordinator"}, False),
    "/revoke @nobody": ({"coordinator"}, False),
}


async def test_role_matrix(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        staff = h.api.add_user("职员", username="staffer")
        liaison = h.api.add_user("联络", username="lianluo")
        resident = h.api.add_user("居民")
        for u in (staff, liaison, resident):
            await h.reply_text(u, "/help")
        assert "工作人员" in await h.reply_text(h.admin, "/grant staff @staffer")
        await fill(h, liaison, await invite(h), "联络某", "13600136000")
        await press(h, liaison, "reg:ok")
        people = {"coordinator": h.admin, "staff": staff, "liaison": liaison, "resident": resident}
        group = h.api.add_group("混合群", members=[u.id for u in people.values()], with_bot=True)
        for command, (allowed, private_only) in COMMANDS.items():
            for role, user in people.items():
                for chat in (None, group):
                    sent = await h.say(user, command, chat=chat)
                    where = "group" if chat else "private"
                    assert sent, f"{role} {command} in {where}: no answer"
                    body = sent[0].body
                    refused = "仅限" in body or "私聊中使用" in body
                    expected = role not in allowed or (private_only and chat is not None)
                    assert refused == expected, f"{role} {command} in {where}: {body!r}"
                    if refused:
                        assert len(sent) == 1 and "\n" not in body, body
                    if chat is not None:
                        assert not MOBILE.search("".join(r.body for r in sent))
