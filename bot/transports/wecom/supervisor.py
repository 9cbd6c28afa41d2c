"""The supervised connection: lease, subscribe, serve, reconnect with backoff.

Reconnects after every close or missed pong, never after a kick (another client subscribed with
this bot id: two instances would otherwise kick each other off forever) nor after the server
refused the credentials. Alerts once when disconnected longer than ``alert_after``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from bot.logs import redact_secret
from bot.transports.wecom import frames
from bot.transports.wecom.errors import NotConnected, WeComAuthError, WeComError
from bot.transports.wecom.inbound import Inbound, parse_callback
from bot.transports.wecom.lease import BotLease
from bot.transports.wecom.link import Link

log = logging.getLogger(__name__)
Sink = Callable[[Inbound], Awaitable[None]]
Alert = Callable[[str], Awaitable[None]]
SEEN_MSGIDS = 10_000


class Supervisor:
    def __init__(
        self,
        bot_id: str,
        secret: str,
        url: str,
        *,
        sink: Sink | None = None,
        lease: BotLease | None = None,
        heartbeat: float = 30.0,
        backoff: tuple[float, float] = (1.0, 60.0),
        alert_after: float = 180.0,
        on_alert: Alert | None = None,
        wait_connected: float = 30.0,
    ) -> None:
        redact_secret(secret)  # the secret never reaches a log line
        self.bot_id, self._secret, self.url = bot_id, secret, url
        self.sink, self.lease = sink, lease
        self.heartbeat, self.backoff = heartbeat, backoff
        self.alert_after, self.on_alert = alert_after, on_alert
        self.wait_connected = wait_connected
        self.events: asyncio.Queue[Inbound] = asyncio.Queue()
        self.state = "idle"  # standby, connecting, connected, backoff, kicked, refused, stopped
        self.link: Link | None = None
        self.connection_id = ""
        self.connects = 0
        self.connected = asyncio.Event()
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._down_since: float | None = None
        self._alerted = False

    # --- the loop ---------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> str:
        """Serve until ``stop``, a kick or refused credentials; return the final state.
        WeComAuthError propagates (one line: the bot id or secret is wrong)."""
        helpers = [asyncio.create_task(self._watch(stop), name="wecom-watchdog")]
        if self.sink is not None:
            helpers.append(asyncio.create_task(self._pump(self.sink), name="wecom-sink"))
        delay = self.backoff[0]
        try:
            async with aiohttp.ClientSession() as http:
                while not stop.is_set():
                    if self.lease is not None:
                        self.state = "standby"
                        if not await self.lease.wait_for_turn(stop):
                            break
                    self._down_since = self._down_since or time.monotonic()
                    self.state = "connecting"
                    try:
                        link = await self._connect(http)
                    except WeComAuthError as exc:
                        self.state = "refused"
                        log.error("%s", exc)
                        raise
                    except (aiohttp.ClientError, OSError, TimeoutError, WeComError) as exc:
                        log.warning("WeCom: cannot connect (%s); again in %.0f s", exc, delay)
                        await self._pause(stop, delay)
                        delay = min(delay * 2, self.backoff[1])
                        continue
                    began = time.monotonic()
                    lost = await self._serve(link, stop)
                    # a connection that held a minute resets the backoff; one closed at once
                    # (a server refusing us after subscribe) keeps doubling it
                    if time.monotonic() - began >= 60:
                        delay = self.backoff[0]
                    if link.kicked:
                        self.state = "kicked"
                        log.error(
                            "WeCom: another client connected with this bot id and took the "
                            "connection over; staying off (one connection per bot)"
                        )
                        await self._alert(
                            "WeCom: another program connected with this bot's id; "
                            "coordbot stays disconnected until restarted"
                        )
                        return self.state
                    if stop.is_set() or lost:
                        continue  # lost lease: stand by again at once
                    log.warning(
                        "WeCom: disconnected (%s); again in %.1f s", link.close_reason, delay
                    )
                    self.state = "backoff"
                    await self._pause(stop, delay)
                    delay = min(delay * 2, self.backoff[1])
        finally:
            for helper in helpers:
                helper.cancel()
            if self.state not in ("kicked", "refused"):
                self.state = "stopped"
            if self.lease is not None:
                with contextlib.suppress(Exception):
                    await self.lease.release()
        return self.state

    async def _connect(self, http: aiohttp.ClientSession) -> Link:
        ws = await asyncio.wait_for(http.ws_connect(self.url, autoping=True), 10)
        self.connects += 1
        link = Link(ws, uuid.uuid4().hex, self._on_callback, heartbeat=self.heartbeat)
        try:
            await link.subscribe(self.bot_id, self._secret)
        except BaseException:
            await link.close("subscribe failed")
            raise
        return link

    async def _serve(self, link: Link, stop: asyncio.Event) -> bool:
        """Serve one link until it closes or stop; True when the lease went to someone else."""
        self.link, self.connection_id = link, link.token
        self.state = "connected"
        self.connected.set()
        if self._alerted:
            await self._alert("WeCom: connection restored")
        self._down_since, self._alerted = None, False
        log.info("WeCom: connected and subscribed (connection %d)", self.connects)
        waits: dict[asyncio.Task[Any], str] = {
            asyncio.create_task(link.closed.wait()): "closed",
            asyncio.create_task(stop.wait()): "stop",
        }
        if self.lease is not None:
            waits[asyncio.create_task(self.lease.keep())] = "lease"
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        first = waits[next(iter(done))]
        self.connected.clear()
        self.link = None
        self._down_since = time.monotonic()
        if first == "lease":
            log.warning("WeCom: another instance holds the lease now; handing the connection over")
        if not link.closed.is_set():
            await link.close("stopping" if first == "stop" else "lease lost")
        return first == "lease"

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        jittered = seconds * random.uniform(0.8, 1.2)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), jittered)

    async def _watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(min(self.alert_after / 4, 15.0))
            down = self._down_since
            if down is None or self._alerted or self.state == "standby":
                continue
            if time.monotonic() - down >= self.alert_after:
                self._alerted = True
                minutes = (time.monotonic() - down) / 60
                log.error("WeCom: disconnected for %.1f minutes", minutes)
                await self._alert(f"WeCom: the bot has been disconnected for {minutes:.0f} min")

    async def _alert(self, text: str) -> None:
        if self.on_alert is None:
            return
        try:
            await self.on_alert(text)
        except Exception:
            log.exception("WeCom: the disconnection alert failed")

    # --- callbacks in -----------------------------------------------------------------------

    def _on_callback(self, frame: frames.Frame, token: str) -> None:
        inbound = parse_callback(frame.req_id, frame.body, connection=token)
        if inbound is None:
            log.warning("WeCom: a callback without msgid/from/msgtype was ignored")
            return
        if inbound.msgid in self._seen:
            log.info("WeCom: callback %s delivered again; ignored", inbound.msgid)
            return
        self._seen[inbound.msgid] = None
        while len(self._seen) > SEEN_MSGIDS:
            self._seen.popitem(last=False)
        self.events.put_nowait(inbound)

    async def _pump(self, sink: Sink) -> None:
        """Hand callbacks to the sink one at a time, in arrival order."""
        while True:
            inbound = await self.events.get()
            try:
                await sink(inbound)
            except Exception:
                log.exception("WeCom: handling callback %s failed", inbound.msgid)

    # --- frames out -------------------------------------------------------------------------

    async def request(
        self, cmd: str, req_id: str, body: dict[str, Any] | None = None, *, connection: str = ""
    ) -> frames.Frame:
        """Send a frame on the live connection (waiting up to ``wait_connected`` for one), or on
        ``connection`` only when given (replies); NotConnected otherwise."""
        link = self.link
        if link is None and not connection:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.connected.wait(), self.wait_connected)
            link = self.link
        if link is None:
            raise NotConnected(f"WeCom is {self.state}")
        if connection and link.token != connection:
            raise NotConnected("the callback arrived on an earlier connection")
        return await link.request(cmd, req_id, body)
