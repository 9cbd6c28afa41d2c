"""Assembling and serving the bot: settings → database → campaign → PTB Application → intake."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot import commands, sender
from bot.campaign_boot import load_configured_campaign
from bot.db import Database, upgrade
from bot.delivery import Delivery
from bot.deps import Deps
from bot.flood import FloodLimiter
from bot.intake import Dispatcher, Poller
from bot.logs import redact_token
from bot.persistence import DbPersistence
from bot.settings import Settings
from bot.telegram_http import AiohttpRequest
from storage import inbox, leases, outbox

log = logging.getLogger(__name__)
PTBApp = Application[Any, Any, Any, Any, Any, Any]


def prepare(settings: Settings, **deps_kw: Any) -> Deps:
    """Database migrated, campaign loaded: everything but Telegram."""
    db = Database.from_url(settings.database_url)
    upgrade(db.engine)
    deps = Deps(settings=settings, db=db, **deps_kw)
    deps.campaign_id, deps.campaign_slug = load_configured_campaign(deps)
    return deps


def build_application(deps: Deps, *, token: str, base_url: str, file_url: str) -> PTBApp:
    redact_token(token)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(file_url)
        .updater(None)
        .concurrent_updates(True)
        .rate_limiter(FloodLimiter())  # Telegram's flood limits; replies go before bulk sends
        # PTB on aiohttp (bot/telegram_http.py): a third of httpx's CPU per request. Eight
        # connections carry Telegram's 30 sends/s at its usual latency.
        .request(AiohttpRequest(connections=8))
        .get_updates_request(AiohttpRequest(connections=1))
        .persistence(DbPersistence(deps.db))  # conversation states only (bot/persistence.py)
        .build()
    )
    app.bot_data["deps"] = deps
    deps.bot = app.bot
    for group, handler in commands.build(deps):
        app.add_handler(handler, group)
    app.add_error_handler(_on_error)
    return app


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Errors outside turn handlers (PTB internals): log them and mark the update failed."""
    from bot.processing import current

    log.error("unhandled error on update: %s", context.error, exc_info=context.error)
    processing = current.get()
    if processing is not None:
        processing.error = f"{type(context.error).__name__}: {context.error}"[:2000]


@contextlib.asynccontextmanager
async def running(deps: Deps, app: PTBApp) -> AsyncIterator[Dispatcher]:
    """Start the application and its services; recover what a crash left; stop cleanly."""
    await app.initialize()
    deps.bot_username = app.bot.username or ""
    await app.start()
    for module in commands.handler_modules():
        hook = getattr(module, "on_startup", None)
        if hook is not None:
            await hook(app, deps)
    dispatcher = Dispatcher(app, deps)
    deps.services["dispatcher"] = dispatcher
    delivery = Delivery(deps, holder=holder_name())
    deps.services["delivery"] = delivery
    delivery.start()
    await resend_unsent_replies(deps)
    resumed = await dispatcher.resume_pending()
    if resumed:
        log.info("resuming %d updates stored before the last stop", resumed)
    from bot.web.serve import start_web

    web = await start_web(deps)
    try:
        yield dispatcher
    finally:
        if web is not None:
            await web.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(dispatcher.wait_idle(), 10)
        await delivery.stop()
        for module in reversed(commands.handler_modules()):
            hook = getattr(module, "on_shutdown", None)
            if hook is not None:
                with contextlib.suppress(Exception):
                    await hook(app, deps)
        await app.stop()
        await app.shutdown()


async def resend_unsent_replies(deps: Deps) -> None:
    def rows(session: Any) -> list[sender.Pending]:
        return [
            sender.Pending(r.id, r.chat_id, dict(r.payload)) for r in outbox.unsent_replies(session)
        ]

    pending = await deps.db.run(rows)
    if pending:
        log.info("sending %d replies recorded before the last stop", len(pending))
        by_chat: dict[int, list[sender.Pending]] = {}
        for row in pending:
            by_chat.setdefault(row.chat_id, []).append(row)
        # each chat's replies in order, the chats at once
        await asyncio.gather(*(sender.send_recorded(deps, rs) for rs in by_chat.values()))


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def hold_poller_lease(deps: Deps, stop: asyncio.Event) -> None:
    """Keep the poller lease fresh while running (another process sees it and refuses to poll)."""
    from datetime import timedelta

    me = holder_name()
    while not stop.is_set():
        await asyncio.sleep(10)
        await deps.db.run(
            leases.acquire, "poller", me, now=deps.clock.now(), ttl=timedelta(seconds=45)
        )


async def serve_polling(deps: Deps, app: PTBApp, stop: asyncio.Event) -> None:
    async with running(deps, app) as dispatcher:
        poller = Poller(deps, dispatcher)
        keeper = asyncio.create_task(hold_poller_lease(deps, stop))
        housekeeping = asyncio.create_task(prune_inbox(deps, stop))
        try:
            await poller.run(stop)
        finally:
            keeper.cancel()
            housekeeping.cancel()


async def prune_inbox(deps: Deps, stop: asyncio.Event) -> None:
    from datetime import timedelta

    keep = timedelta(days=deps.settings.inbox_keep_days)
    while not stop.is_set():
        removed = await deps.db.run(inbox.prune, now=deps.clock.now(), keep=keep)
        if removed:
            log.info("pruned %d processed updates older than %s", removed, keep)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 3600)
