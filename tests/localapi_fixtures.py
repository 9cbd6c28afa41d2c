"""Fixtures and helpers for talking to the fake Bot API (imported by tests/conftest.py).

async def test_x(fake_api):
    app = build_application(fake_api)
    app.add_handler(...)
    async with polling(app):
        user = fake_api.add_user("张三")
        fake_api.start_bot(user)
        [reply] = await fake_api.wait_sent(user.id)
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.localapi import FakeBotApi, ThreadedFakeBotApi

TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "coordbot_test_bot"


def jpeg_bytes(width: int = 640, height: int = 480, color: Any = (200, 30, 30)) -> bytes:
    """A real JPEG of the given size (distinct colors give distinct files)."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def build_application(api: FakeBotApi, **timeouts: float) -> Application:  # type: ignore[type-arg]
    """A PTB Application pointed at the fake server (timeouts: read_timeout=..., etc.)."""
    builder = (
        ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.file_url)
    )
    for name, value in timeouts.items():
        builder = getattr(builder, name)(value)
    return builder.build()


def make_bot(api: FakeBotApi | ThreadedFakeBotApi, **kwargs: Any) -> Bot:
    """A bare PTB Bot on the fake server (use ``async with make_bot(api) as bot``)."""
    return Bot(api.token, base_url=api.base_url, base_file_url=api.file_url, **kwargs)


@asynccontextmanager
async def polling(app: Application, timeout: int = 1) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Initialize, start and long-poll; stop everything on exit."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=timeout)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME) as api:
        yield api


@pytest.fixture
def threaded_fake_api() -> Iterator[ThreadedFakeBotApi]:
    with ThreadedFakeBotApi(token=TOKEN, bot_username=BOT_USERNAME) as api:
        yield api


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API with the test token and bot name."""
    async with FakeBotApi(token=TOKEN, bot_username=BOT_USERNAME) as server:
        yield server


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The echo bot of the fake server's own tests: text back with a button; files' SHA-256."""
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
