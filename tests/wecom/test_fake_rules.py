"""The fake server itself refuses what WeCom refuses, seen from a raw WebSocket (so a client
that broke a rule would be caught, not just ours)."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from tests.fakes.wecom import FakeWeCom, Player
from tests.fakes.wecom import rules as r
from tests.wecom.conftest import BOT, SECRET


async def frame(ws: aiohttp.ClientWebSocketResponse, cmd: str, req_id: str, body: Any) -> None:
    await ws.send_str(json.dumps({"cmd": cmd, "headers": {"req_id": req_id}, "body": body}))


async def read(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    return json.loads((await ws.receive(timeout=5)).data)


async def test_subscribe_first(fake: FakeWeCom) -> None:
    async with aiohttp.ClientSession() as http, http.ws_connect(fake.url) as ws:  # type: ignore[attr-defined]
        await frame(ws, "aibot_send_msg", "r1", {"chatid": "x", "msgtype": "markdown"})
        ack = await read(ws)
        assert ack == {
            "headers": {"req_id": "r1"},
            "errcode": r.NOT_SUBSCRIBED,
            "errmsg": ack["errmsg"],
        }
        assert (await ws.receive(timeout=5)).type == aiohttp.WSMsgType.CLOSE


async def test_second_frame_for_a_busy_req_id_is_refused(fake: FakeWeCom) -> None:
    player = Player(fake, BOT)
    async with aiohttp.ClientSession() as http, http.ws_connect(fake.url) as ws:  # type: ignore[attr-defined]
        await frame(ws, "aibot_subscribe", "s1", {"bot_id": BOT, "secret": SECRET})
        assert (await read(ws))["errcode"] == 0
        await player.text("zhangsan", "hi")
        callback = await read(ws)
        assert callback["cmd"] == "aibot_msg_callback"
        req_id = callback["headers"]["req_id"]
        body = {"msgtype": "markdown", "markdown": {"content": "a"}}
        await frame(ws, "aibot_respond_msg", req_id, body)
        await frame(ws, "aibot_respond_msg", req_id, body)  # without waiting for the ack
        acks = [await read(ws), await read(ws)]
        assert sorted(a["errcode"] for a in acks) == [0, r.REQ_ID_BUSY]
        await frame(ws, "aibot_respond_msg", "not-a-callback", body)
        assert (await read(ws))["errcode"] == r.INVALID_REQ_ID
