"""Callbacks parsed into Inbound, commands, text splitting, the rate windows, error classes,
and the WeCom settings."""

from __future__ import annotations

import asyncio

import pytest

from bot.settings import SettingsError, load_settings
from bot.transports.wecom import (
    PermanentError,
    RetryAfter,
    TransientError,
    WeComAuthError,
    WeComError,
    classify,
    parse_callback,
)
from bot.transports.wecom.errors import NotConnected
from bot.transports.wecom.frames import decode, encode
from bot.transports.wecom.inbound import split_command
from bot.transports.wecom.limits import RateLimiter, split_text
from tests.wecom.conftest import FakeClock


def body(**extra: object) -> dict[str, object]:
    return {"msgid": "m1", "aibotid": "b", "chattype": "single", "from": {"userid": "u1"}} | extra


def test_group_text_strips_leading_mentions_only() -> None:
    got = parse_callback(
        "r1",
        body(
            chattype="group",
            chatid="wr1",
            msgtype="text",
            text={"content": "@协调助手\u2005/done 9 海报20 @张三"},
        ),
    )
    assert got is not None
    assert (got.chatid, got.text, got.command) == ("wr1", "/done 9 海报20 @张三", "done")
    assert got.args == ("9", "海报20", "@张三")
    private = parse_callback("r2", body(msgtype="text", text={"content": "@me hello"}))
    assert private is not None and private.text == "@me hello" and private.chatid == "u1"


def test_commands() -> None:
    assert split_command("／STATUS 虎门镇") == ("status", ("虎门镇",))
    assert split_command("/start@coordbot ABC") == ("start", ("ABC",))
    assert split_command("/") == (None, ())
    assert split_command("你好 /help") == (None, ())


def test_mixed_voice_file_and_events() -> None:
    items = [
        {"msgtype": "text", "text": {"content": "/done 9"}},
        {"msgtype": "image", "image": {"url": "http://x/1", "aeskey": "k1"}},
        {"msgtype": "image", "image": {}},
        "junk",
    ]
    mixed = parse_callback("r", body(msgtype="mixed", mixed={"msg_item": items}))
    assert mixed is not None and mixed.command == "done"
    assert [(m.kind, m.url, m.aeskey) for m in mixed.images] == [("image", "http://x/1", "k1")]
    voice = parse_callback("r", body(msgtype="voice", voice={"content": "十点开会"}))
    assert voice is not None and voice.text == "十点开会"
    file = parse_callback("r", body(msgtype="file", file={"url": "http://x/2", "aeskey": "k"}))
    assert file is not None and file.media[0].kind == "file"
    flat = parse_callback(
        "r", body(msgtype="event", event={"eventtype": "template_card_event", "event_key": "k9"})
    )
    assert flat is not None and flat.card is not None and flat.card.event_key == "k9"
    enter = parse_callback("r", body(msgtype="event", event={"eventtype": "enter_chat"}))
    assert enter is not None and enter.event_type == "enter_chat" and enter.card is None


def test_callbacks_missing_what_every_callback_has_are_none() -> None:
    assert parse_callback("r", {"msgtype": "text"}) is None
    assert parse_callback("r", body(msgtype="text", chattype="group")) is None  # no chatid
    assert parse_callback("r", body(msgid="", msgtype="text")) is None


def test_frames_round_trip_and_garbage() -> None:
    frame = decode(encode("aibot_send_msg", "q1", {"chatid": "c"}))
    assert (frame.cmd, frame.req_id, frame.body, frame.is_ack) == (
        "aibot_send_msg",
        "q1",
        {"chatid": "c"},
        False,
    )
    ack = decode('{"headers":{"req_id":"q1"},"errcode":0,"errmsg":"ok"}')
    assert ack.is_ack and ack.errcode == 0
    for bad in ("[]", '{"cmd":"x"}', "not json"):
        with pytest.raises(ValueError):
            decode(bad)


@pytest.mark.parametrize("limit", [20480, 100, 7])
def test_split_text_stays_under_the_byte_limit(limit: int) -> None:
    text = "\n\n".join(f"段落{i}：" + "宣传海报张贴情况良好。" * (i % 50) for i in range(300))
    pieces = split_text(text, limit)
    assert all(len(p.encode()) <= limit for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert split_text("短") == ["短"]


async def test_rate_windows_per_chat_and_per_hour() -> None:
    clock = FakeClock()
    limiter = RateLimiter(((60.0, 3), (3600.0, 5)), clock=clock, sleep=clock.sleep)
    start = clock()
    for _ in range(3):
        await limiter.acquire("a")
    await limiter.acquire("b")  # another chat is not held up
    assert clock() == start
    await limiter.acquire("a")
    assert clock() == start + 60
    await limiter.acquire("a")
    await limiter.acquire("a")  # the sixth in the hour waits for the first to leave it
    assert clock() == start + 3600


async def test_waiting_sends_keep_their_order() -> None:
    clock = FakeClock()
    limiter = RateLimiter(((60.0, 1),), clock=clock, sleep=clock.sleep)
    order: list[int] = []

    async def send(i: int) -> None:
        await limiter.acquire("a")
        order.append(i)

    await asyncio.gather(*(send(i) for i in range(5)))
    assert order == [0, 1, 2, 3, 4]


def test_classify() -> None:
    assert isinstance(classify(WeComError(45009, "freq")), RetryAfter)
    assert isinstance(classify(WeComError(-1, "busy")), TransientError)
    assert isinstance(classify(NotConnected()), TransientError)
    assert isinstance(classify(WeComError(40008, "bad msgtype")), PermanentError)
    assert isinstance(classify(WeComAuthError(40001, "invalid")), PermanentError)
    assert isinstance(classify(TimeoutError()), TransientError)


def test_wecom_settings(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    for key in ("COORDBOT_WECOM_BOT_ID", "COORDBOT_WECOM_SECRET", "COORDBOT_WECOM_WS_URL"):
        monkeypatch.delenv(key, raising=False)
    settings = load_settings()
    assert settings.wecom is None and settings.wecom_ws_url == "wss://openws.work.weixin.qq.com"
    settings = load_settings(wecom_bot_id=" aib1 ", wecom_secret="s1")
    assert settings.wecom == ("aib1", "s1") and "s1" not in repr(settings)
    with pytest.raises(SettingsError, match="COORDBOT_WECOM_SECRET"):
        _ = load_settings(wecom_bot_id="aib1").wecom
    with pytest.raises(SettingsError, match="COORDBOT_WECOM_WS_URL"):
        load_settings(wecom_ws_url="https://example.invalid")
