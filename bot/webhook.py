"""Webhook mode: an update is committed to the inbox before Telegram gets its 200.

Every request must carry the secret token given to ``setWebhook``
(``X-Telegram-Bot-Api-Secret-Token``); anything else is refused with 403 and stored nowhere.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot.app import PTBApp, running
from bot.intake import Dispatcher, accept

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_app(deps: Deps, dispatcher: Dispatcher, *, path: str, secret: str) -> web.Application:
    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return web.Response(status=403, text="forbidden")
        try:
            raw: Any = json.loads(await request.read())
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                raise ValueError("not an update")
        except ValueError:
            return web.Response(status=400, text="bad update")
        await accept(deps, dispatcher, [raw])
        return web.Response(text="ok")

    app = web.Application(client_max_size=2**20)
    app.router.add_post(path, receive)
    return app


async def serve_webhook(deps: Deps, app: PTBApp, *, url: str, stop: asyncio.Event) -> None:
    configured = deps.settings.webhook_secret
    secret = configured.get_secret_value() if configured else secrets.token_urlsafe(32)
    host, _, port = deps.settings.webhook_listen.rpartition(":")
    path = urlsplit(url).path or "/"
    async with running(deps, app) as dispatcher:
        runner = web.AppRunner(webhook_app(deps, dispatcher, path=path, secret=secret))
        await runner.setup()
        site = web.TCPSite(runner, host or "0.0.0.0", int(port))
        await site.start()
        await deps.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
        log.info("webhook listening on %s, path %s", deps.settings.webhook_listen, path)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
