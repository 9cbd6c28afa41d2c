"""Security: webhook secret token, the bot token kept out of logs and replies, invite brute force.

(No phone number or e-mail is ever sent to a group: the autouse guard in tests/conftest.py
checks every message of every test.)
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select
from telegram.error import TelegramError

from bot.localapi import FakeBotApi, FaultPlan
from bot.logs import setup_logging
from bot.webhook import SECRET_HEADER, webhook_app
from storage.models.intake import InboxUpdate
from tests.harness import HOUSEHOLD, bot_session

TOKEN = "5123456789:AAH7-realistic_Looking_token_value_0xZ"


def an_update(update_id: int, user_id: int = 4242) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "路人"}
    chat = {"id": user_id, "type": "private", "first_name": "路人"}
    message = {"message_id": 1, "date": 1_700_000_000, "chat": chat, "from": user, "text": "/help"}
    return {"update_id": update_id, "message": message}


async def test_webhook_refuses_requests_without_the_secret(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        secret = secrets.token_urlsafe(32)
        app = webhook_app(h.deps, h.dispatcher, path="/hook", secret=secret)
        async with TestClient(TestServer(app)) as client:
            body = json.dumps(an_update(900_001))
            for headers in ({}, {SECRET_HEADER: ""}, {SECRET_HEADER: secret[:-1] + "x"}):
                response = await client.post("/hook", data=body, headers=headers)
                assert response.status == 403, headers
            wrong_case = {SECRET_HEADER: secret.upper()} if secret.upper() != secret else {}
            if wrong_case:
                assert (await client.post("/hook", data=body, headers=wrong_case)).status == 403
            with h.deps.db.transaction() as s:
                stored = s.scalars(select(InboxUpdate.update_id)).all()
                assert 900_001 not in stored  # refused requests are stored nowhere

            good = {SECRET_HEADER: secret}
            assert (await client.post("/hook", data="not json", headers=good)).status == 400
            assert (await client.post("/hook", data="[1, 2]", headers=good)).status == 400
            response = await client.post("/hook", data=body, headers=good)
            assert response.status == 200
            await h.dispatcher.wait_idle()
            with h.deps.db.transaction() as s:
                row = s.get(InboxUpdate, 900_001)
                assert row is not None and row.state == "done"


@pytest.fixture
def production_logging() -> Iterator[None]:
    """Logging as ``coordbot run`` sets it up, with httpx/httpcore at DEBUG (their request lines
    carry the Bot API URL, token included); restored afterwards."""
    root = logging.getLogger()
    factory = logging.getLogRecordFactory()
    handlers, level = list(root.handlers), root.level
    noisy = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "telegram")}
    setup_logging("DEBUG")
    for name in noisy:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in noisy.items():
            logging.getLogger(name).setLevel(old)


async def test_token_never_in_logs_or_replies(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, production_logging: None
) -> None:
    caplog.set_level(logging.DEBUG)
    # Failing requests too: 5xx, dropped connections and a send to a chat that does not exist.
    faults = FaultPlan(seed=3, rate=0.3, kinds=("server_error", "drop"), scope="send")
    api = FakeBotApi(token=TOKEN, faults=faults)
    async with bot_session(tmp_path, api=api, campaign=HOUSEHOLD) as h:
        user = h.api.add_user("小周")
        for text in ("/help", "/tasks", "/status", "上门采集的流程是怎样的？", "/me"):
            await h.say(user, text)
        with pytest.raises(TelegramError) as failure:
            await h.app.bot.send_message(999_999_999, "nobody")
        assert TOKEN not in str(failure.value)
        logging.getLogger("coordbot.test").exception("a failing request", exc_info=failure.value)
        logging.getLogger("coordbot.test").warning("url was %s", f"{api.base_url}{TOKEN}/getMe")
        assert faults.counts, "no fault was injected: the scenario tests nothing"
        replies = [r.body for r in h.api.sent]
    text = caplog.text + "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any("/bot" in r.getMessage() for r in caplog.records), "no request line was logged"
    assert TOKEN not in text
    assert TOKEN.split(":", 1)[1] not in text  # not even the secret half
    assert not any(TOKEN in body for body in replies)
    assert "<token>" in text  # the mask was applied, so the check above saw real lines


async def test_invite_tokens_cannot_be_guessed(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        invite = await h.reply_text(h.admin, "/invite 虎门镇")
        tokens = re.findall(r"start=([A-Za-z0-9_-]{16,64})", invite)
        assert tokens, invite
        guesser = h.api.add_user("猜测者")
        catalog, locale = h.deps.catalog, h.settings.locale
        unknown = catalog.t(locale, "registration.start.unknown")
        limited = catalog.t(locale, "registration.start.limited")
        answers = [
            await h.reply_text(guesser, f"/start {secrets.token_urlsafe(24)}") for _ in range(5)
        ]
        assert all(unknown in a for a in answers), answers
        assert limited in await h.reply_text(guesser, f"/start {secrets.token_urlsafe(24)}")
        # once limited, even the right token is refused: guessing cannot be confirmed
        assert limited in await h.reply_text(guesser, f"/start {tokens[0]}")
        # someone else with the real link is not affected
        liaison = h.api.add_user("真联络员")
        assert limited not in await h.reply_text(liaison, f"/start {tokens[0]}")
