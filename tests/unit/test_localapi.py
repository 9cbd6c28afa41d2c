"""The fake Bot API against the real python-telegram-bot 22 client."""

from __future__ import annotations

import hashlib

import aiohttp
import pytest
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
)
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.localapi import FakeBotApi
from tests.localapi_fixtures import (
    BOT_USERNAME,
    TOKEN,
    build_application,
    echo,
    jpeg_bytes,
    make_bot,
    polling,
)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("已确认")
    await query.edit_message_text(f"pressed {query.data}")


@pytest.mark.asyncio
async def test_text_echo_and_button_through_polling(api: FakeBotApi) -> None:
    app = build_application(api)
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.add_handler(CallbackQueryHandler(on_button))
    async with polling(app):
        user = api.add_user("张三", username="zhang_san")
        played = api.start_bot(user, payload="inv123")
        assert played.message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
        [reply] = await api.wait_sent(user.id)
        assert reply.text == "收到 /start inv123"
        assert reply.raw_text == "<b>收到</b> /start inv123"
        assert reply.entities == [{"type": "bold", "offset": 0, "length": 2}]
        assert reply.buttons == [("好", "ok:1")]
        assert reply.message is not None and reply.message["from"]["username"] == BOT_USERNAME

        api.press_button(user.id, user, reply, "ok:1")
        await api.wait_sent(user.id, kind="edit")
        answers = api.sent_to(user.id, kind="callback_answer")
        assert [a.text for a in answers] == ["已确认"]
        assert api.sent_to(user.id, kind="edit")[0].text == "pressed ok:1"
        with pytest.raises(ValueError):
            api.press_button(user.id, user, reply, "not-a-button")

        second = api.send_text(user.id, user, "/status@coordbot_test_bot 虎门镇 @zhang_san")
        kinds = [e["type"] for e in second.message["entities"]]
        assert kinds == ["bot_command", "mention"]
        [reply2] = await api.wait_sent(user.id)
        assert reply2.message_id is not None and reply.message_id is not None
        assert reply2.message_id > reply.message_id


@pytest.mark.asyncio
async def test_photo_and_document_round_trip(api: FakeBotApi) -> None:
    app = build_application(api)
    app.add_handler(MessageHandler(filters.ALL, echo))
    async with polling(app):
        user = api.add_user("李四")
        api.start_bot(user)
        await api.wait_sent(user.id)
        photo = jpeg_bytes(1600, 1200)
        played = api.send_photo(user.id, user, photo, caption="/done 9 海报120")
        sizes = played.message["photo"]
        assert [(s["width"], s["height"]) for s in sizes][-1] == (1600, 1200)
        assert len(sizes) == 5 and sizes[0]["width"] == 90
        assert played.message["caption_entities"][0]["type"] == "bot_command"
        [reply] = await api.wait_sent(user.id)
        assert reply.text == f"sha256 {hashlib.sha256(photo).hexdigest()} {len(photo)}"

        doc = b"%PDF-1.4 fake pdf" * 100
        played = api.send_document(user.id, user, doc, "报告.pdf", "application/pdf")
        assert played.message["document"]["file_name"] == "报告.pdf"
        [reply] = await api.wait_sent(user.id)
        assert reply.text == f"sha256 {hashlib.sha256(doc).hexdigest()} {len(doc)}"

    async with make_bot(api) as bot:
        small = await bot.get_file(sizes[0]["file_id"])
        thumb = bytes(await small.download_as_bytearray())
        assert thumb[:2] == b"\xff\xd8" and small.file_size == len(thumb)
        sent = await bot.send_photo(user.id, photo, caption="图")
        assert api.sent[-1].photo == photo and api.sent[-1].caption == "图"
        again = await bot.send_photo(user.id, sent.photo[-1].file_id)
        assert again.photo[-1].file_unique_id == sent.photo[-1].file_unique_id
        album = await bot.send_media_group(
            user.id, [InputMediaPhoto(jpeg_bytes(color=c)) for c in ("red", "blue")]
        )
        assert len({m.media_group_id for m in album}) == 1 and album[0].media_group_id
        big = api.send_document(user.id, user, b"\0" * (25 * 1024 * 1024), "big.zip")
        with pytest.raises(BadRequest, match=r"(?i)file is too big"):
            await bot.get_file(big.message["document"]["file_id"])


@pytest.mark.asyncio
async def test_telegram_errors(api: FakeBotApi) -> None:
    stranger = api.add_user("王五")
    owner = api.add_user("赵六")
    group = api.add_group("虎门镇联络群", members=[owner], owner=owner)
    async with make_bot(api) as bot:
        with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
            await bot.send_message(stranger.id, "hi")
        with pytest.raises(Forbidden, match=r"(?i)not a member"):
            await bot.send_message(group.id, "hi")
        api.add_bot_to_group(group, owner)
        await bot.send_message(group.id, "大家好")
        updates = await bot.get_updates()
        assert updates[0].my_chat_member is not None
        assert updates[0].my_chat_member.new_chat_member.status == "member"
        assert updates[1].message is not None and updates[1].message.new_chat_members
        api.remove_bot_from_group(group)
        updates = await bot.get_updates(offset=updates[-1].update_id + 1)
        assert updates[0].my_chat_member.new_chat_member.status == "kicked"  # type: ignore[union-attr]
        with pytest.raises(Forbidden, match=r"(?i)bot was kicked from the group chat"):
            await bot.send_message(group.id, "还在吗")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(-999, "hi")
        api.start_bot(stranger)
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(stranger.id, "长" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(stranger.id, "1 < 2 <b>", parse_mode="HTML")
        api.block_bot(stranger)
        with pytest.raises(Forbidden, match=r"(?i)blocked"):
            await bot.send_message(stranger.id, "hi")

        other = api.add_group("旧群", members=[owner], owner=owner, with_bot=True)
        played = api.migrate_group(other)
        with pytest.raises(ChatMigrated) as info:
            await bot.send_message(other.id, "hi")
        assert info.value.new_chat_id == played.message["migrate_to_chat_id"]
        assert (await bot.get_chat(info.value.new_chat_id)).type == "supergroup"
        member = await bot.get_chat_member(info.value.new_chat_id, owner.id)
        assert member.status == "creator"
        with pytest.raises(Forbidden, match=r"(?i)kicked"):
            await bot.get_chat_member(group.id, owner.id)

    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}{TOKEN}/noSuchMethod") as response:
            assert response.status == 404 and (await response.json())["description"] == "Not Found"
        async with session.post(f"{api.base_url}1:WRONG/getMe") as response:
            assert response.status == 401


@pytest.mark.asyncio
async def test_other_methods_parse_in_ptb(api: FakeBotApi) -> None:
    owner = api.add_user("林四", username="lin_si")
    admin = api.add_user("何五")
    group = api.add_group("长安镇", members=[owner, admin], owner=owner, bot_admin=True)
    api.set_member_status(group, admin, "administrator")
    api.start_bot(owner)
    async with make_bot(api) as bot:
        assert (await bot.get_chat(owner.id)).first_name == "林四"
        assert (await bot.get_chat("@lin_si")).id == owner.id
        admins = await bot.get_chat_administrators(group.id)
        assert {a.status for a in admins} == {"creator", "administrator"}
        assert await bot.get_chat_member_count(group.id) == 3
        await bot.set_my_commands([BotCommand("done", "报告完成"), BotCommand("status", "进度")])
        assert [c.command for c in await bot.get_my_commands()] == ["done", "status"]
        with pytest.raises(BadRequest):
            await bot.set_my_commands([BotCommand("Bad-Name", "x")])
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()

        note = api.send_text(group, owner, "原文").message
        copied = await bot.copy_message(owner.id, group.id, note["message_id"])
        assert api.sent_to(owner.id)[-1].text == "原文" and copied.message_id
        forwarded = await bot.forward_message(owner.id, group.id, note["message_id"])
        assert forwarded.forward_origin is not None

        doc = await bot.send_document(group.id, b"a,b\n1,2\n", filename="表.csv", caption="名单")
        assert doc.document is not None and doc.document.file_name == "表.csv"
        assert api.sent[-1].document == b"a,b\n1,2\n" and api.sent[-1].mime_type == "text/csv"
        edited = await bot.edit_message_caption(group.id, doc.message_id, caption="新名单")
        assert isinstance(edited, Message) and edited.caption == "新名单"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x")]])
        await bot.edit_message_reply_markup(group.id, doc.message_id, reply_markup=markup)
        with pytest.raises(BadRequest, match=r"(?i)not modified"):
            await bot.edit_message_reply_markup(group.id, doc.message_id, reply_markup=markup)
        await bot.send_chat_action(group.id, "typing")
        assert api.chat_actions == [(group.id, "typing")]
        assert await bot.delete_message(group.id, doc.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(group.id, doc.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(group.id, "re", reply_to_message_id=9999)
        reply = await bot.send_message(
            group.id, "回复", reply_parameters=ReplyParameters(note["message_id"])
        )
        assert reply.reply_to_message is not None and reply.reply_to_message.text == "原文"
        assert await bot.leave_chat(group.id)
        updates = await bot.get_updates(allowed_updates=["my_chat_member"])
        assert updates[-1].my_chat_member.new_chat_member.status == "left"  # type: ignore[union-attr]
        assert await bot.close() and await bot.log_out()


async def test_a_restarted_stand_in_numbers_above_what_the_bot_has_seen(api: FakeBotApi) -> None:
    api.updates.continue_after(500)
    api.world.continue_after(70)
    user = api.add_user("张三")
    update, message = api.send_text(api.private_chat(user), user, "你好")
    assert update is not None and (update["update_id"], message["message_id"]) == (501, 71)
    update, message = api.send_text(api.private_chat(user), user, "再见")
    assert update is not None and (update["update_id"], message["message_id"]) == (502, 72)
