"""FakeWeCom: aiohttp WebSocket server enforcing the 智能机器人 long-connection rules.

Frame shapes as in WecomTeam/aibot-node-sdk (src/types/api.ts, src/ws.ts, src/client.ts) and
PyPI wecom-aibot-python-sdk (aibot/ws.py): ``{"cmd", "headers": {"req_id"}, "body"}`` in,
``{"headers": {"req_id"}, "errcode", "errmsg"}`` acks out (uploads add a ``body``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.wecom import rules as r
from tests.fakes.wecom import uploads
from tests.fakes.wecom.uploads import Upload


@dataclass
class Sent:
    """A message the bot got through: a reply (``aibot_respond_msg``) or a push."""

    via: str  # "reply" or "push"
    chatid: str
    msgtype: str
    body: dict[str, Any]
    req_id: str

    @property
    def text(self) -> str:
        part = self.body.get(self.msgtype) or {}
        return str(part.get("content") or "")


@dataclass
class Conn:
    ws: web.WebSocketResponse
    request: web.Request | None = None
    bot_id: str = ""
    callbacks: dict[str, tuple[str, float]] = field(default_factory=dict)  # req_id → chat, at
    busy: set[str] = field(default_factory=set)


class FakeWeCom:
    def __init__(
        self, bots: dict[str, str], *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.bots = bots  # bot_id → secret
        self.clock = clock
        self.live: dict[str, Conn] = {}
        self.wrote: set[tuple[str, str]] = set()  # (bot_id, chatid) that wrote to the bot
        self.windows: dict[tuple[str, str], deque[float]] = {}
        self.uploads: dict[str, Upload] = {}
        self.media: dict[str, tuple[str, str, bytes]] = {}  # media_id → kind, filename, bytes
        self.hosted: dict[str, tuple[bytes, float, str]] = {}  # token → data, expires, filename
        self.sent: list[Sent] = []
        self.refused: list[tuple[str, int, dict[str, Any]]] = []
        self.subscribes = self.pings = 0
        self.answer_pings = True
        self.accepting = True
        self.ack_delay = 0.02
        self._acking: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self.base = ""

    # --- running ---------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/", self._ws)
        app.router.add_get("/media/{token}", self._media)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base = f"127.0.0.1:{port}"
        return f"ws://{self.base}/"

    async def stop(self) -> None:
        for conn in list(self.live.values()):
            await conn.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def drop(self, bot_id: str) -> None:
        """The network drops the bot's connection: the TCP connection ends without a close
        handshake."""
        conn = self.live.pop(bot_id, None)
        if conn is not None and conn.request is not None and conn.request.transport is not None:
            conn.request.transport.abort()
        elif conn is not None:
            await conn.ws.close(code=1006)

    # --- the WebSocket ---------------------------------------------------------------------

    async def _ws(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        if not self.accepting:
            await ws.close(code=1013)
            return ws
        conn = Conn(ws, request)
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._frame(conn, json.loads(msg.data))
        finally:
            if conn.bot_id and self.live.get(conn.bot_id) is conn:
                del self.live[conn.bot_id]
        return ws

    async def _frame(self, conn: Conn, frame: dict[str, Any]) -> None:
        cmd, req_id = frame.get("cmd", ""), frame.get("headers", {}).get("req_id", "")
        body = frame.get("body") or {}
        if cmd == "aibot_subscribe":
            return await self._subscribe(conn, req_id, body)
        if not conn.bot_id or self.live.get(conn.bot_id) is not conn:
            await self._ack(conn, req_id, r.NOT_SUBSCRIBED, "subscribe first", cmd=cmd, body=body)
            await conn.ws.close()
            return None
        if cmd == "ping":
            self.pings += 1
            if self.answer_pings:
                await self._ack(conn, req_id)
            return None
        if cmd == "aibot_respond_msg":
            return await self._respond(conn, req_id, body)
        if cmd == "aibot_send_msg":
            return await self._push(conn, req_id, body)
        if cmd.startswith("aibot_upload_media_"):
            code, msg, out = self._upload(cmd.removeprefix("aibot_upload_media_"), body)
            return await self._ack(conn, req_id, code, msg, cmd=cmd, body=body, out=out)
        await self._ack(conn, req_id, r.UNKNOWN_CMD, f"unknown cmd {cmd}", cmd=cmd, body=body)
        return None

    async def _subscribe(self, conn: Conn, req_id: str, body: dict[str, Any]) -> None:
        bot_id = str(body.get("bot_id") or "")
        if not bot_id or self.bots.get(bot_id) != body.get("secret"):
            await self._ack(conn, req_id, r.INVALID_CREDENTIAL, "invalid credential", cmd="sub")
            await conn.ws.close()
            return
        self.subscribes += 1
        old = self.live.get(bot_id)
        conn.bot_id = bot_id
        self.live[bot_id] = conn
        await self._ack(conn, req_id)
        if old is not None and old is not conn:  # one live connection per bot: kick the old one
            event = {"eventtype": "disconnected_event"}
            with contextlib.suppress(ConnectionError):
                await old.ws.send_json(self._callback_frame("aibot_event_callback", bot_id, event))
            await old.ws.close()

    async def _respond(self, conn: Conn, req_id: str, body: dict[str, Any]) -> None:
        origin = conn.callbacks.get(req_id)
        if origin is None or self.clock() - origin[1] > r.REPLY_TTL:
            return await self._ack(conn, req_id, r.INVALID_REQ_ID, "invalid req_id", body=body)
        if req_id in conn.busy:  # a frame for this req_id before the previous one's ack
            return await self._ack(conn, req_id, r.REQ_ID_BUSY, "req_id busy", body=body)
        code, msg = self._deliverable(conn.bot_id, origin[0], body, reply=True)
        if code:
            return await self._ack(conn, req_id, code, msg, body=body)
        conn.busy.add(req_id)
        self.sent.append(Sent("reply", origin[0], body.get("msgtype", ""), body, req_id))
        task = asyncio.create_task(self._late_ack(conn, req_id))  # the reader goes on meanwhile
        self._acking.add(task)
        task.add_done_callback(self._acking.discard)
        return None

    async def _late_ack(self, conn: Conn, req_id: str) -> None:
        await asyncio.sleep(self.ack_delay)  # a second frame before this ack is refused
        conn.busy.discard(req_id)
        await self._ack(conn, req_id)

    async def _push(self, conn: Conn, req_id: str, body: dict[str, Any]) -> None:
        chatid = str(body.get("chatid") or "")
        if (conn.bot_id, chatid) not in self.wrote:
            return await self._ack(conn, req_id, r.CHAT_NEVER_WROTE, "chat never wrote", body=body)
        code, msg = self._deliverable(conn.bot_id, chatid, body, reply=False)
        if code:
            return await self._ack(conn, req_id, code, msg, body=body)
        self.sent.append(Sent("push", chatid, body.get("msgtype", ""), body, req_id))
        return await self._ack(conn, req_id)

    def _deliverable(
        self, bot_id: str, chatid: str, body: dict[str, Any], *, reply: bool
    ) -> tuple[int, str]:
        kind = body.get("msgtype")
        allowed = {"markdown", "template_card", "image", "file"}
        if reply:
            allowed |= {"stream", "stream_with_template_card"}
        if kind not in allowed or not isinstance(body.get(kind), dict):
            return r.BAD_MSGTYPE, f"invalid msgtype {kind}"
        content = body[kind].get("content")
        if isinstance(content, str) and len(content.encode("utf-8")) > 20480:
            return r.BAD_PARAM, "content exceeds 20480 bytes"
        if kind in ("image", "file") and body[kind].get("media_id") not in self.media:
            return r.BAD_PARAM, "invalid media_id"
        window = self.windows.setdefault((bot_id, chatid), deque())
        now = self.clock()
        while window and window[0] <= now - 3600:
            window.popleft()
        if len(window) >= r.PER_HOUR or sum(t > now - 60 for t in window) >= r.PER_MINUTE:
            return r.FREQ_LIMIT, "api freq out of limit"
        window.append(now)
        return 0, "ok"

    def _upload(self, step: str, body: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
        return uploads.step(self.uploads, self.media, step, body)

    async def _ack(
        self,
        conn: Conn,
        req_id: str,
        code: int = 0,
        msg: str = "ok",
        *,
        cmd: str = "",
        body: dict[str, Any] | None = None,
        out: dict[str, Any] | None = None,
    ) -> None:
        if code:
            self.refused.append((cmd or str((body or {}).get("msgtype")), code, body or {}))
        frame: dict[str, Any] = {"headers": {"req_id": req_id}, "errcode": code, "errmsg": msg}
        if out:
            frame["body"] = out
        with contextlib.suppress(ConnectionError):
            await conn.ws.send_json(frame)

    # --- what the player drives ------------------------------------------------------------

    def _callback_frame(self, cmd: str, bot_id: str, event: dict[str, Any]) -> dict[str, Any]:
        body = {"msgid": uuid.uuid4().hex, "create_time": int(time.time()), "aibotid": bot_id}
        body |= {"msgtype": "event", "event": event}
        return {"cmd": cmd, "headers": {"req_id": uuid.uuid4().hex}, "body": body}

    async def deliver(self, bot_id: str, body: dict[str, Any], *, cmd: str = "") -> str | None:
        """Send a callback to the bot's live connection; its req_id, or None when offline."""
        conn = self.live.get(bot_id)
        if conn is None:
            return None
        req_id = uuid.uuid4().hex
        chatid = body.get("chatid") or body["from"]["userid"]
        self.wrote.add((bot_id, chatid))
        conn.callbacks[req_id] = (chatid, self.clock())
        kind = cmd or ("aibot_event_callback" if body.get("msgtype") == "event" else "")
        frame = {"cmd": kind or "aibot_msg_callback", "headers": {"req_id": req_id}, "body": body}
        await conn.ws.send_json(frame)
        return req_id

    def host(self, plain: bytes, filename: str = "") -> tuple[str, str]:
        """Encrypt ``plain`` and serve it for 5 minutes; its (url, aeskey)."""
        data, aeskey = r.encrypt_media(plain)
        token = os.urandom(8).hex()
        self.hosted[token] = (data, self.clock() + r.MEDIA_TTL, filename)
        return f"http://{self.base}/media/{token}", aeskey

    async def _media(self, request: web.Request) -> web.Response:
        found = self.hosted.get(request.match_info["token"])
        if found is None or self.clock() > found[1]:
            return web.Response(status=403, text="url expired")
        headers = {}
        if found[2]:
            quoted = "".join(f"%{b:02X}" for b in found[2].encode("utf-8"))
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quoted}"
        return web.Response(body=found[0], headers=headers)
