"""The supervised connection against the fake server: subscribe, credentials, heartbeat,
reconnect after a drop or missed pongs, a kick that keeps the client off, the outage alert."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.logs import setup_logging
from bot.transports.wecom import WeComAuthError
from tests.fakes.wecom import FakeWeCom, Player
from tests.wecom.conftest import BOT, SECRET, Runner, until


async def test_subscribes_and_receives_a_callback(
    fake: FakeWeCom, player: Player, start: Runner
) -> None:
    client = await start()
    assert fake.subscribes == 1 and BOT in fake.live
    msgid = await player.text("zhangsan", "/help")
    got = await asyncio.wait_for(client.events.get(), 5)
    assert (got.msgid, got.userid, got.chatid, got.command) == (
        msgid,
        "zhangsan",
        "zhangsan",
        "help",
    )
    assert got.platform == "wecom" and got.chattype == "single"


async def test_bad_credentials_stop_with_one_line_and_no_retry(
    fake: FakeWeCom, start: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    setup_logging("INFO")
    client = await start(connected=False, creds=(BOT, "wrong-secret-123456"))
    with pytest.raises(WeComAuthError) as refused:
        await asyncio.wait_for(client.task, 10)  # type: ignore[attr-defined]
    line = str(refused.value)
    assert "\n" not in line and "COORDBOT_WECOM_SECRET" in line and "40001" in line
    assert "wrong-secret-123456" not in caplog.text
    assert client.state == "refused" and client.connects == 1 and fake.subscribes == 0


async def test_secret_never_logged(fake: FakeWeCom, start: Runner, caplog) -> None:
    setup_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    client = await start()
    logging.getLogger("test").info("settings: secret=%s", SECRET)
    assert client.state == "connected"
    assert SECRET not in caplog.text and "<token>" in caplog.text


async def test_heartbeat_pings_are_acknowledged(fake: FakeWeCom, start: Runner) -> None:
    client = await start(heartbeat=0.05)
    await until(lambda: fake.pings >= 3)
    assert client.link is not None and client.link.pings >= 2
    assert fake.subscribes == 1  # acknowledged pings keep the one connection


async def test_missed_pongs_reconnect(fake: FakeWeCom, start: Runner) -> None:
    client = await start(heartbeat=0.05)
    fake.answer_pings = False
    await until(lambda: fake.subscribes >= 2)
    fake.answer_pings = True
    await until(lambda: client.state == "connected")
    assert client.connects >= 2


async def test_dropped_connection_reconnects_and_callbacks_flow_again(
    fake: FakeWeCom, player: Player, start: Runner
) -> None:
    client = await start()
    first = client.connection_id
    await fake.drop(BOT)
    await until(lambda: fake.subscribes == 2 and client.state == "connected")
    assert client.connection_id != first
    await player.text("lisi", "还在吗")
    got = await asyncio.wait_for(client.events.get(), 5)
    assert got.text == "还在吗" and got.connection == client.connection_id


async def test_kicked_by_another_client_stays_off(fake: FakeWeCom, start: Runner) -> None:
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    first = await start(on_alert=alert)
    second = await start()  # another program subscribes with the same bot id
    final = await asyncio.wait_for(first.task, 10)  # type: ignore[attr-defined]
    assert final == "kicked" and first.state == "kicked"
    assert second.state == "connected" and fake.subscribes == 2
    assert any("another program" in a for a in alerts)
    await asyncio.sleep(0.3)  # several backoff periods: the kicked client never came back
    assert fake.subscribes == 2 and fake.live[BOT] is not None


async def test_outage_alert_once_then_restored(fake: FakeWeCom, start: Runner) -> None:
    alerts: list[str] = []

    async def alert(text: str) -> None:
        alerts.append(text)

    client = await start(on_alert=alert, alert_after=0.2, backoff=(0.05, 0.05))
    fake.accepting = False
    await fake.drop(BOT)
    await until(lambda: len(alerts) == 1)
    assert "disconnected" in alerts[0]
    await asyncio.sleep(0.3)
    assert len(alerts) == 1  # once per outage, not once per attempt
    fake.accepting = True
    await until(lambda: client.state == "connected")
    await until(lambda: len(alerts) == 2)
    assert "restored" in alerts[1]
