"""Callbacks in, replies and pushes out, against the fake server's rules."""

from __future__ import annotations

import asyncio

import pytest

from bot.transports.wecom import PermanentError, RetryAfter, WeComError, classify
from bot.transports.wecom.limits import RateLimiter
from tests.fakes.wecom import FakeWeCom, Player
from tests.fakes.wecom import rules as r
from tests.wecom.conftest import BOT, FakeClock, Runner, until


async def next_event(client):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(client.events.get(), 5)


async def test_duplicate_callback_is_surfaced_once(player: Player, start: Runner) -> None:
    client = await start()
    first = await player.text("zhangsan", "/status 虎门镇")
    assert await player.again() == first  # same msgid, delivered a second time
    await player.text("zhangsan", "/help")
    got = [await next_event(client), await next_event(client)]
    assert got[0].msgid == first and got[1].command == "help"
    assert client.events.empty()


async def test_group_delivers_only_mentions_and_strips_them(player: Player, start: Runner) -> None:
    client = await start()
    assert await player.text("lisi", "/bind 虎门镇", group="wrGroup1", mention=False) is None
    assert await player.image("lisi", b"\x89PNG...", group="wrGroup1") is None
    await player.text("lisi", "/bind 虎门镇", group="wrGroup1")
    got = await next_event(client)
    assert (got.chattype, got.chatid, got.userid) == ("group", "wrGroup1", "lisi")
    assert got.text == "/bind 虎门镇" and got.command == "bind" and got.args == ("虎门镇",)
    assert client.events.empty()


async def test_reply_goes_on_the_callback_and_long_text_is_split(
    fake: FakeWeCom, player: Player, start: Runner
) -> None:
    client = await start()
    await player.text("zhangsan", "/help")
    msg = await next_event(client)
    long = "\n".join(f"第{i}行：" + "海报标语" * 40 for i in range(200))  # ~100 KB
    # two replies to one callback at once: their frames still go one at a time per req_id
    results = await asyncio.gather(client.reply_text(msg, long), client.reply_text(msg, "好的"))
    assert results == ["reply", "reply"]
    replies = player.sent_to("zhangsan")
    assert all(s.via == "reply" and s.msgtype == "stream" for s in replies)
    assert all(len(s.text.encode()) <= 20480 for s in replies) and len(replies) >= 6
    pieces = [s.text for s in replies if s.text != "好的"]
    assert "\n".join(pieces) == long
    assert fake.refused == []  # no frame for a busy req_id, nothing over the limit


async def test_reply_after_reconnect_falls_back_to_push(
    fake: FakeWeCom, player: Player, start: Runner
) -> None:
    client = await start()
    await player.text("zhangsan", "/status")
    msg = await next_event(client)
    await fake.drop(BOT)
    await until(lambda: fake.subscribes == 2 and client.state == "connected")
    assert await client.reply_text(msg, "统计如下") == "push"
    assert [(s.via, s.msgtype, s.text) for s in player.sent_to("zhangsan")] == [
        ("push", "markdown", "统计如下")
    ]


async def test_846605_from_the_server_falls_back_to_push(
    fake: FakeWeCom, player: Player, start: Runner, clock: FakeClock
) -> None:
    client = await start()
    await player.text("zhangsan", "/status")
    msg = await next_event(client)
    clock.t += 25 * 3600  # a reply is allowed 24 h after the callback
    assert await client.reply_card(msg, {"card_type": "text_notice"}) == "push"
    assert [c for _, c, _ in fake.refused] == [r.INVALID_REQ_ID]
    assert [(s.via, s.msgtype) for s in player.sent_to("zhangsan")] == [("push", "template_card")]


async def test_push_only_to_chats_that_wrote_and_never_as_text(
    fake: FakeWeCom, player: Player, start: Runner
) -> None:
    client = await start()
    with pytest.raises(WeComError) as never:
        await client.push_markdown("wrSilentGroup", "周报提醒")
    assert isinstance(classify(never.value), PermanentError)
    await player.text("lisi", "/bind 虎门镇", group="wrGroup1")
    await next_event(client)
    await client.push_markdown("wrGroup1", "**提醒**：周五前上报")
    with pytest.raises(WeComError) as text:
        await client._push("wrGroup1", {"msgtype": "text", "text": {"content": "x"}})
    assert text.value.errcode == r.BAD_MSGTYPE and isinstance(classify(text.value), PermanentError)
    assert [(s.via, s.text) for s in player.sent_to("wrGroup1")] == [
        ("push", "**提醒**：周五前上报")
    ]


async def test_rate_limit_queues_instead_of_dropping(
    fake: FakeWeCom, player: Player, start: Runner, clock: FakeClock
) -> None:
    client = await start()
    await player.text("wangwu", "hi")
    await next_event(client)
    for i in range(65):
        await client.push_markdown("wangwu", f"第{i}条")
    assert player.texts_to("wangwu") == [f"第{i}条" for i in range(65)]
    assert fake.refused == [] and client.limiter.waited >= 120  # 30 a minute: two waits


async def test_without_the_limiter_the_server_refuses_as_retry_after(
    fake: FakeWeCom, player: Player, start: Runner, clock: FakeClock
) -> None:
    loose = RateLimiter(((60.0, 1000),), clock=clock, sleep=clock.sleep)
    client = await start(limiter=loose)
    await player.text("wangwu", "hi")
    await next_event(client)
    for i in range(30):
        await client.push_markdown("wangwu", f"第{i}条")
    with pytest.raises(WeComError) as over:
        await client.push_markdown("wangwu", "第31条")
    verdict = classify(over.value)
    assert isinstance(verdict, RetryAfter) and verdict.seconds == 60


async def test_card_press_is_parsed(player: Player, start: Runner) -> None:
    client = await start()
    await player.press("zhaoliu", "done:9", task_id="t-1")
    got = await next_event(client)
    assert got.msgtype == "event" and got.event_type == "template_card_event"
    assert got.card is not None and (got.card.event_key, got.card.task_id) == ("done:9", "t-1")
