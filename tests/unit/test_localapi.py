"""The fake Bot API against the real python-telegram-bot 22 client."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.localapi import FakeBotApi, FaultPlan, FloodLimits, ThreadedFakeBotApi
from bot.localapi.flood import FloodGate
from tests.localapi_fixtures import (
    BOT_USERNAME,
    TOKEN,
    build_application,
    jpeg_bytes,
    make_bot,
    polling,
)


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None
    if message.photo or message.document:
        media = message.photo[-1] if message.photo else message.document
        assert media is not None
        data = bytes(await (await media.get_file()).download_as_bytearray())
        await message.reply_text(f"sha256 {hashlib.sha256(data).hexdigest()} {len(data)}")
        return
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="ok:1")]])
    await message.reply_text(
        f"<b>收到</b> {message.text}", parse_mode="HTML", reply_markup=keyboard
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
async def test_get_updates_offset_and_long_polling(api: FakeBotApi) -> None:
    user = api.add_user("孙七")
    first = api.send_text(user.id, user, "one").update
    api.send_text(user.id, user, "two")
    assert first is not None
    async with make_bot(api) as bot:
        got = await bot.get_updates()
        assert [u.message.text for u in got] == ["one", "two"]  # type: ignore[union-attr]
        got = await bot.get_updates()  # not confirmed: delivered again
        assert len(got) == 2
        got = await bot.get_updates(offset=first["update_id"] + 1)
        assert [u.message.text for u in got] == ["two"]  # type: ignore[union-attr]
        got = await bot.get_updates(offset=0)  # confirmed updates never come back
        assert [u.message.text for u in got] == ["two"]  # type: ignore[union-attr]
        confirm = got[0].update_id + 1

        async def later() -> None:
            await asyncio.sleep(0.05)
            api.send_text(user.id, user, "three")

        task = asyncio.create_task(later())
        got = await bot.get_updates(offset=confirm, timeout=5)
        await task
        assert [u.message.text for u in got] == ["three"]  # type: ignore[union-attr]
        api.inject_update({"message_reaction": {"whatever": 1}})
        got = await bot.get_updates(offset=got[0].update_id + 1, timeout=0)
        assert got == ()  # not in the default allowed_updates


@pytest.mark.asyncio
async def test_webhook_delivery_with_secret_and_retries(api: FakeBotApi) -> None:
    received: list[tuple[str | None, int]] = []
    statuses = [500, 502]  # first two attempts fail

    async def hook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body["update_id"]))
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        user = api.add_user("周八")
        async with make_bot(api) as bot:
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret-token")
            with pytest.raises(Conflict, match=r"(?i)Conflict"):
                await bot.get_updates()
            ids = [api.send_text(user.id, user, f"m{i}").update["update_id"] for i in range(3)]  # type: ignore[index]
            await api.wait_for(lambda: len(received) >= 5)
            assert [r[1] for r in received] == [ids[0], ids[0], ids[0], ids[1], ids[2]]
            assert {r[0] for r in received} == {"s3cret-token"}
            info = await bot.get_webhook_info()
            assert info.pending_update_count == 0 and "Wrong response" in (
                info.last_error_message or ""
            )
            await bot.delete_webhook()
            assert await bot.get_updates() == ()
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_ptb_webhook_mode_and_deliver_twice() -> None:
    async with FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME, deliver_twice=True) as api:
        app = build_application(api)
        app.add_handler(MessageHandler(filters.TEXT, echo))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        async with app:
            await app.start()
            assert app.updater is not None
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="tg",
                webhook_url=f"http://127.0.0.1:{port}/tg",
                secret_token="abc_123",
            )
            try:
                user = api.add_user("吴九")
                api.start_bot(user)
                replies = await api.wait_sent(user.id, count=2)
                assert [r.text for r in replies] == ["收到 /start", "收到 /start"]
            finally:
                await app.updater.stop()
                await app.stop()
        assert api.webhook.secret_token == "abc_123"


@pytest.mark.asyncio
async def test_flood_limits_answer_429_with_retry_after() -> None:
    limits = FloodLimits(per_second=1000, per_group_per_minute=3)
    async with FakeBotApi(token=TOKEN, flood_limits=limits) as api:
        owner = api.add_user("郑十")
        group = api.add_group("东城街道", members=[owner], owner=owner, with_bot=True)
        async with make_bot(api) as bot:
            for i in range(3):
                await bot.send_message(group.id, f"通知 {i}")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(group.id, "第四条")
        wait = info.value.retry_after
        assert (wait if isinstance(wait, int) else wait.total_seconds()) >= 1
        assert api.count_429["sendMessage"] == 1
        assert len(api.sent_to(group.id)) == 3

    clock = [0.0]
    gate = FloodGate(FloodLimits(per_second=30, per_group_per_minute=20), clock=lambda: clock[0])
    assert [gate.check(i, False) for i in range(31)][-2:] == [0, 1]
    clock[0] = 1.01
    assert gate.check(99, False) == 0


def _outcomes(plan: FaultPlan, n: int) -> list[str]:
    return [(f.kind if (f := plan.decide("sendMessage")) else "ok") for _ in range(n)]


@pytest.mark.asyncio
async def test_fault_plan_is_deterministic_and_applied() -> None:
    assert _outcomes(FaultPlan(seed=7, rate=0.3), 200) == _outcomes(
        FaultPlan(seed=7, rate=0.3), 200
    )
    assert _outcomes(FaultPlan(seed=7, rate=0.3), 200) != _outcomes(
        FaultPlan(seed=8, rate=0.3), 200
    )
    share = _outcomes(FaultPlan(seed=1, rate=0.1), 2000).count("ok") / 2000
    assert 0.85 < share < 0.95
    assert FaultPlan(seed=1).decide("getUpdates") is None  # scope "send" by default

    async def run(seed: int) -> list[str]:
        plan = FaultPlan(
            seed=seed, rate=0.5, kinds=("server_error", "flood", "drop", "lost_answer")
        )
        async with FakeBotApi(token=TOKEN, faults=plan) as api:
            user = api.add_user("钱一")
            api.start_bot(user)
            seen: list[str] = []
            async with make_bot(api) as bot:
                for i in range(16):
                    try:
                        await bot.send_message(user.id, f"n{i}")
                        seen.append("ok")
                    except RetryAfter:
                        seen.append("429")
                    except NetworkError as exc:
                        seen.append(
                            "5xx" if "Bad Gateway" in str(exc) or "Internal" in str(exc) else "net"
                        )
            delivered = {r.text for r in api.sent}
            lost = [k for k in plan.log if k[2] == "lost_answer"]
            for _method, n, _kind in lost:
                assert f"n{n}" in delivered  # carried out although the client saw an error
            assert api.count_429["sendMessage"] == seen.count("429")
            return seen

    first = await run(3)
    assert first == await run(3)
    assert {"ok", "429", "5xx", "net"} <= set(first + await run(4) + await run(5))


@pytest.mark.asyncio
async def test_timeout_fault_makes_the_client_time_out() -> None:
    plan = FaultPlan(seed=0, rate=1.0, kinds=("timeout",), timeout_delay=0.6)
    async with FakeBotApi(token=TOKEN, faults=plan) as api:
        user = api.add_user("冯二")
        api.start_bot(user)
        async with make_bot(api, request=HTTPXRequest(read_timeout=0.2)) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(user.id, "hi")
        assert api.sent == []


def test_threaded_server_facade() -> None:
    with ThreadedFakeBotApi(token=TOKEN, bot_username=BOT_USERNAME) as api:
        user = api.add_user("陈三")
        api.start_bot(user)

        async def bot_side() -> None:
            async with make_bot(api) as bot:
                [update] = await bot.get_updates()
                assert update.message is not None
                await bot.send_message(user.id, f"你好 {update.message.text}")

        asyncio.run(bot_side())
        [record] = api.wait_sent(user.id, since=0, timeout=5)
        assert record.text == "你好 /start"
