"""The fake Bot API server: an aiohttp app speaking Telegram's HTTP protocol on loopback.

async with FakeBotApi(token="123:TEST", bot_username="coord_bot") as api:
    app = ApplicationBuilder().token(api.token).base_url(api.base_url)
          .base_file_url(api.file_url).build()
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import socket
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.localapi.faults import Fault, FaultPlan
from bot.localapi.flood import FloodGate, FloodLimits
from bot.localapi.inspection import InspectionMixin
from bot.localapi.models import (
    JSON,
    SEND_METHODS,
    ApiError,
    FakeChat,
    FakeUser,
    require_utf8,
)
from bot.localapi.params import read_params
from bot.localapi.players import PlayersMixin
from bot.localapi.registry import METHODS
from bot.localapi.state import World
from bot.localapi.updates import UpdateQueue, WebhookConfig

_NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}
_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


def _dumps(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


class FakeBotApi(PlayersMixin, InspectionMixin):
    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        bot_username: str = "coordbot_test_bot",
        *,
        bot_name: str = "CoordBot",
        host: str = "127.0.0.1",
        port: int = 0,
        flood_limits: bool | FloodLimits = False,
        faults: FaultPlan | None = None,
        deliver_twice: bool = False,
        webhook_retry_delay: float = 0.2,
        webhook_max_delay: float = 2.0,
        now: Callable[[], float] = time.time,
        files_dir: Path | None = None,
    ) -> None:
        self.token = token
        head = token.split(":", 1)[0]
        bot = FakeUser(int(head) if head.isdigit() else 123456, bot_name, bot_username, is_bot=True)
        self.world = World(bot, now, files_dir)
        self.updates = UpdateQueue(deliver_twice)
        self.webhook = WebhookConfig()
        self.faults = faults
        limits = FloodLimits() if flood_limits is True else flood_limits or None
        self.flood = FloodGate(limits) if limits else None
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_max_delay = webhook_max_delay
        self.host = host
        self.port = port
        self.chat_actions: list[tuple[int, str]] = []
        self.callback_queries: dict[str, JSON] = {}
        self.commands: dict[str, list[JSON]] = {}
        self.method_counts: Counter[str] = Counter()
        self.status_counts: Counter[tuple[str, int]] = Counter()
        self.count_429: Counter[str] = Counter()
        self.request_log: list[tuple[float, str, int]] = []  # (monotonic time, method, status)
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._init_inspection()

    # ----- lifecycle ------------------------------------------------------------------------
    @property
    def bot_user(self) -> FakeUser:
        return self.world.bot

    @property
    def root(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/bot"

    @property
    def file_url(self) -> str:
        return f"{self.root}/file/bot"

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        return app

    async def start(self) -> FakeBotApi:
        self.updates.closed = False
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        return self

    async def stop(self) -> None:
        self.updates.close()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----- update delivery ------------------------------------------------------------------
    def inject_update(self, update: JSON) -> JSON:
        """Queue a raw update (an update_id is assigned if missing); returns it. Text that is
        not UTF-8 (an unpaired surrogate) raises ApiError: no client can send it, and queued it
        would fail every getUpdates after it."""
        require_utf8(update)
        queued = self.updates.push(update)
        self.notify()
        return queued

    def set_webhook(self, url: str, secret_token: str | None) -> None:
        self.webhook.url = url
        self.webhook.secret_token = secret_token
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        if url:
            self.updates.kick_pollers()
            self._webhook_task = asyncio.ensure_future(
                self.updates.push_webhook(
                    self.webhook, self.webhook_retry_delay, self.webhook_max_delay
                )
            )

    def change_bot_status(self, chat: FakeChat, status: str, by_user: FakeUser) -> JSON:
        """Set the bot's membership and queue the my_chat_member update Telegram sends."""
        old, new = self.world.set_status(chat, self.world.bot, status)
        return self.inject_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": by_user.to_dict(),
                    "date": int(self.world.now()),
                    "old_chat_member": old,
                    "new_chat_member": new,
                }
            }
        )

    # ----- HTTP -----------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self._answer(method, _UNAUTHORIZED, 401)
        name = method.lower()
        handler = METHODS.get(name)
        if handler is None:
            return self._answer(method, _NOT_FOUND, 404)
        self.method_counts[method] += 1
        fault = self.faults.decide(method) if self.faults is not None else None
        if fault is not None and fault.kind != "lost_answer":
            return await self._fault_answer(request, method, fault)
        try:
            params, uploads = await read_params(request)
            require_utf8(params)
            if self.flood is not None and name in SEND_METHODS:
                self._check_flood(params)
            result = handler(self, params, uploads)
            if inspect.isawaitable(result):
                result = await result
            body: JSON = {"ok": True, "result": result}
            status = 200
        except ApiError as error:
            body, status = error.payload(), error.code
        self.notify()
        if fault is not None:  # lost_answer: done, but the client never hears it
            return self._drop(request, method)
        return self._answer(method, body, status)

    def _check_flood(self, params: JSON) -> None:
        assert self.flood is not None
        try:
            chat = self.world.resolve(params.get("chat_id"))
        except ApiError:
            return
        wait = self.flood.check(chat.id, chat.type in ("group", "supergroup"))
        if wait:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})

    def _answer(self, method: str, body: JSON, status: int) -> web.Response:
        self.status_counts[(method, status)] += 1
        if status == 429:
            self.count_429[method] += 1
        self.request_log.append((time.monotonic(), method, status))
        return web.Response(text=_dumps(body), status=status, content_type="application/json")

    def _drop(self, request: web.Request, method: str) -> web.StreamResponse:
        self.request_log.append((time.monotonic(), method, 0))
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError  # aiohttp ends the handler without writing an answer

    async def _fault_answer(
        self, request: web.Request, method: str, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind == "server_error":
            phrase = "Internal Server Error" if fault.status == 500 else "Bad Gateway"
            body = {"ok": False, "error_code": fault.status, "description": phrase}
            return self._answer(method, body, fault.status)
        if fault.kind == "flood":
            error = ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                {"retry_after": fault.retry_after},
            )
            return self._answer(method, error.payload(), 429)
        if fault.kind == "timeout":
            assert self.faults is not None
            await asyncio.sleep(self.faults.timeout_delay)
        return self._drop(request, method)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        if self.faults is not None and self.faults.scope == "all":
            fault = self.faults.decide("download")
            if fault is not None:
                return await self._fault_answer(request, "download", fault)
        data = self.world.files.download(request.match_info["path"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="application/octet-stream")
