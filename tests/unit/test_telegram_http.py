"""PTB on aiohttp (bot/telegram_http.py): real Bot API calls against the fake server, uploads
and downloads byte for byte, and errors mapped the way PTB's own httpx request maps them."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.localapi import FakeBotApi
from bot.telegram_http import AiohttpRequest
from tests.localapi_fixtures import jpeg_bytes


async def test_messages_uploads_and_downloads() -> None:
    async with FakeBotApi(bot_username="aio_bot") as api:
        user = api.add_user("张三")
        api.start_bot(user)
        updates = AiohttpRequest(connections=1)
        bot = Bot(api.token, base_url=api.base_url, base_file_url=api.file_url,
                  request=AiohttpRequest(), get_updates_request=updates)  # fmt: skip
        async with bot:
            assert (await bot.get_me()).username == "aio_bot"
            await bot.send_message(user.id, "你好，居民")
            document = "单位,完成\n虎门镇,是\n".encode()
            await bot.send_document(user.id, document, filename="汇总.csv", caption="表")
            picture = jpeg_bytes()
            api.send_photo(api.private_chat(user), user, picture, caption="/done 9")
            _start, update = await bot.get_updates(timeout=1)  # /start, then the photo
            assert update.message is not None and update.message.photo
            file = await update.message.photo[-1].get_file()
            downloaded = await file.download_as_bytearray()
        [text, doc] = api.sent_to(user.id)
        assert text.body == "你好，居民"
        assert doc.document == document and doc.filename == "汇总.csv"
        assert bytes(downloaded) == picture


async def test_a_silent_server_times_out_and_a_closed_port_is_a_network_error() -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        await asyncio.sleep(30)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    request = AiohttpRequest(read_timeout=0.3)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.do_request(f"http://127.0.0.1:{closed}/botX/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:1/botX/getMe", "POST")


async def test_a_call_without_files_is_sent_as_json() -> None:
    """UTF-8 JSON with nested objects as objects (as the Bot API reads it), not a form."""
    from aiohttp import web

    seen: list[tuple[str, bytes]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.read()))
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/botX/sendMessage", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    request = AiohttpRequest()
    await request.initialize()
    bot = Bot("X", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    markup = {"inline_keyboard": [[{"text": "是", "callback_data": "y"}]]}
    params = {"chat_id": 7, "text": "你好", "reply_markup": markup}
    try:
        await bot.do_api_request("sendMessage", api_kwargs=params)  # as bot/sender.py sends
    finally:
        await request.shutdown()
        await runner.cleanup()
    [(ctype, body)] = seen
    assert ctype == "application/json"
    assert "你好".encode() in body  # not \\u-escaped, not percent-encoded
    assert json.loads(body) == {"chat_id": 7, "text": "你好", "reply_markup": markup}
