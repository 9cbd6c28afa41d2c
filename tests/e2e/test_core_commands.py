"""The foundation as a user sees it: /help, /tasks, /status, /lang, /bind, group bookkeeping."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models.core import Chat, ChatBinding, User
from tests.harness import bot_session


async def test_help_tasks_status_in_private_chat(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        resident = h.api.add_user("小李")
        helptext = await h.reply_text(resident, "/help")
        assert "/tasks" in helptext and "/help" in helptext
        assert "/bind" not in helptext  # residents cannot bind groups
        admin_help = await h.reply_text(h.admin, "/help")
        assert "/bind" in admin_help

        tasks = await h.reply_text(resident, "/tasks")
        for n in range(1, 16):
            assert f"\n{n}. " in "\n" + tasks
        # task titles in the seed's own wording
        assert "制作城市质量精神动漫宣传片" in tasks
        assert "张贴宣传海报、悬挂宣传标语" in tasks

        status = await h.reply_text(resident, "/status")
        assert "15" in status and "单位" in status


async def test_language_switch_is_remembered(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        user = h.api.add_user("Ann")
        assert "English" in await h.reply_text(user, "/lang en")
        assert "Commands you can use" in await h.reply_text(user, "/help")
        assert "用法" in await h.reply_text(user, "/lang xx") or "Usage" in await h.reply_text(
            user, "/lang xx"
        )
        with h.deps.db.transaction() as s:
            assert s.get(User, user.id).locale == "en"  # type: ignore[union-attr]


async def test_group_join_bind_and_refusals(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        member = h.api.add_user("群成员")
        group = h.api.add_group("虎门镇宣传群", members=[h.admin.id, member.id], with_bot=False)
        h.api.add_bot_to_group(group, h.admin)
        await h.settle()
        with h.deps.db.transaction() as s:
            chat = s.get(Chat, group.id)
            assert chat is not None and chat.active and chat.title == "虎门镇宣传群"

        refused = await h.reply_text(member, "/bind 虎门镇", chat=group)
        assert "协调员" in refused  # says who may
        assert "bound" not in refused
        assert "已将本群绑定" in await h.reply_text(h.admin, "/bind 虎门", chat=group)
        assert "已绑定" in await h.reply_text(h.admin, "/bind 虎门镇", chat=group)
        assert "找不到" in await h.reply_text(h.admin, "/bind 火星镇", chat=group)
        private = await h.reply_text(h.admin, "/bind 虎门镇")
        assert "群" in private  # group-only command refused in private
        with h.deps.db.transaction() as s:
            rows = s.scalars(select(ChatBinding).where(ChatBinding.chat_id == group.id)).all()
            assert len(rows) == 1

        h.api.migrate_group(group, -100777)
        await h.settle()
        with h.deps.db.transaction() as s:
            assert s.get(Chat, group.id).active is False  # type: ignore[union-attr]
            moved = s.scalars(select(ChatBinding).where(ChatBinding.chat_id == -100777)).all()
            assert len(moved) == 1

        h.api.remove_bot_from_group(-100777)
        await h.settle()
        with h.deps.db.transaction() as s:
            assert s.get(Chat, -100777).active is False  # type: ignore[union-attr]


async def test_repeated_update_is_answered_once(tmp_path: Path) -> None:
    from bot.localapi import FakeBotApi

    async with bot_session(tmp_path, api=FakeBotApi(deliver_twice=True)) as h:
        user = h.api.add_user("重复")
        sent = await h.say(user, "/tasks")
        assert len(sent) == 1
        await h.settle()
        assert len(h.api.sent_to(user.id)) == 1


async def test_an_unknown_command_in_private_is_answered_with_help(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        resident = h.api.add_user("小李")
        assert await h.reply_text(resident, "/foo") == (
            "没有 /foo 这个命令。发送 /help 查看可用命令。"
        )
        near = await h.reply_text(resident, "/stauts")
        assert "/status" in near and "/help" in near
        assert "/tasks" in await h.reply_text(resident, "/tsaks 1")
        # known commands still run, and only once
        assert len(await h.say(resident, "/help")) == 1
        group = h.api.add_group("某群", members=[resident], with_bot=True)
        assert await h.say(resident, "/foo", chat=group) == []  # may be another bot's command
        await h.reply_text(h.admin, "/lang en")
        assert "did you mean /status" in await h.reply_text(h.admin, "/statsu")
