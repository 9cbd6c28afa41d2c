"""The fake Bot API: update delivery (offsets, webhooks, duplicates), flood limits, faults."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from telegram.error import (
    Conflict,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.localapi import FakeBotApi, FaultPlan, FloodLimits, ThreadedFakeBotApi
from bot.localapi.flood import FloodGate
from tests.localapi_fixtures import (
    BOT_USERNAME,
    TOKEN,
    build_application,
    echo,
    make_bot,
)


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
    pytest.importorskip("tornado")  # PTB's webhook server: python-telegram-bot[webhooks]
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
