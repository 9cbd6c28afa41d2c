"""One subscribed WebSocket: frames out with their acks awaited, callbacks in, heartbeat.

Behaviour follows WecomTeam/aibot-node-sdk ``src/ws.ts``: subscribe first, ``ping`` every 30 s,
the connection counts as dead after two pings without an ack, ``aibot_event_callback`` with
``event.eventtype == "disconnected_event"`` means another client took the bot over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.transports.wecom import frames
from bot.transports.wecom.errors import NotConnected, WeComAuthError, WeComError

log = logging.getLogger(__name__)
ACK_TIMEOUT = 10.0


class Link:
    """A live connection; ``token`` tells replies which connection received a callback."""

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        token: str,
        on_callback: Callable[[frames.Frame, str], None],
        *,
        heartbeat: float,
        max_missed: int = 2,
    ) -> None:
        self.ws, self.token = ws, token
        self.on_callback = on_callback
        self.heartbeat, self.max_missed = heartbeat, max_missed
        self.kicked = False
        self.close_reason = ""
        self.pings = 0
        self.closed = asyncio.Event()
        self._pending: dict[str, asyncio.Future[frames.Frame]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    async def subscribe(self, bot_id: str, secret: str) -> None:
        """Send ``aibot_subscribe``; WeComAuthError when the server refuses it."""
        self._tasks.append(asyncio.create_task(self._read(), name="wecom-read"))
        body = {"bot_id": bot_id, "secret": secret}
        try:
            ack = await self.request(frames.SUBSCRIBE, frames.new_req_id(frames.SUBSCRIBE), body)
        except NotConnected:
            raise  # closed before any answer: a network fault, not a refusal
        except WeComError as exc:
            await self.close("subscribe refused")
            raise WeComAuthError(exc.errcode, exc.errmsg, cmd=frames.SUBSCRIBE) from None
        del ack  # errcode 0: subscribed
        self._tasks.append(asyncio.create_task(self._beat(), name="wecom-heartbeat"))

    async def request(
        self,
        cmd: str,
        req_id: str,
        body: dict[str, Any] | None = None,
        *,
        timeout: float = ACK_TIMEOUT,
    ) -> frames.Frame:
        """Send one frame and wait for its ack; WeComError when ``errcode`` != 0, NotConnected
        when the connection ends first. Callers send one frame per ``req_id`` at a time."""
        if self.closed.is_set():
            raise NotConnected(self.close_reason or "connection closed")
        if req_id in self._pending:
            raise RuntimeError(f"a frame for {req_id} is still waiting for its ack")
        future: asyncio.Future[frames.Frame] = asyncio.get_running_loop().create_future()
        self._pending[req_id] = future
        try:
            await self.ws.send_str(frames.encode(cmd, req_id, body))
            ack = await asyncio.wait_for(future, timeout)
        except (ConnectionError, aiohttp.ClientError) as exc:
            raise NotConnected(f"send failed: {exc}") from None
        finally:
            self._pending.pop(req_id, None)
        if ack.errcode:
            raise WeComError(ack.errcode, ack.errmsg, cmd=cmd)
        return ack

    async def close(self, reason: str) -> None:
        if not self.close_reason:
            self.close_reason = reason
        with contextlib.suppress(Exception):
            await self.ws.close()
        if self._tasks:
            await self.closed.wait()
        else:
            self._finish()

    def _finish(self) -> None:
        self.close_reason = self.close_reason or "closed by the server"
        for future in self._pending.values():
            if not future.done():
                future.set_exception(NotConnected(self.close_reason))
        self._pending.clear()
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self.closed.set()

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    frame = frames.decode(msg.data)
                except ValueError as exc:
                    log.warning("WeCom sent a frame that is not JSON: %s", exc)
                    continue
                self._dispatch(frame)
        except (ConnectionError, aiohttp.ClientError) as exc:
            self.close_reason = self.close_reason or f"read failed: {exc}"
        finally:
            if not self.close_reason:
                code = self.ws.close_code
                self.close_reason = f"connection closed (code {code})"
            self._finish()

    def _dispatch(self, frame: frames.Frame) -> None:
        if frame.cmd in (frames.MSG_CALLBACK, frames.EVENT_CALLBACK):
            event = frame.body.get("event")
            if isinstance(event, dict) and event.get("eventtype") == frames.DISCONNECTED_EVENT:
                self.kicked = True
                self.close_reason = "another client subscribed with this bot id (kicked)"
                return
            self.on_callback(frame, self.token)
            return
        future = self._pending.get(frame.req_id)
        if future is not None and not future.done():
            future.set_result(frame)
        elif frame.errcode:
            log.warning("WeCom error for %s: %s %s", frame.req_id, frame.errcode, frame.errmsg)

    async def _beat(self) -> None:
        missed = 0
        while not self.closed.is_set():
            await asyncio.sleep(self.heartbeat)
            try:
                await self.request(
                    frames.PING, frames.new_req_id(frames.PING), timeout=self.heartbeat
                )
                self.pings += 1
                missed = 0
            except TimeoutError:
                missed += 1
                log.warning("WeCom heartbeat: no pong (%d in a row)", missed)
                if missed >= self.max_missed:
                    self.close_reason = f"{missed} pings without a pong"
                    with contextlib.suppress(Exception):
                        await self.ws.close()
                    return
            except WeComError as exc:
                log.warning("WeCom heartbeat refused: %s", exc)
