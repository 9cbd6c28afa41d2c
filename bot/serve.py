"""``coordbot run``: one process serving Telegram by long polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.app import build_application, holder_name, prepare, serve_polling
from bot.campaign import CampaignErrors
from bot.settings import Settings
from bot.webhook import serve_webhook
from storage import leases

log = logging.getLogger(__name__)


async def serve(settings: Settings, *, webhook: str | None = None) -> int:
    try:
        deps = await asyncio.to_thread(prepare, settings)
    except CampaignErrors as exc:
        for line in exc.lines():
            log.error("%s", line)
        return 1
    token = settings.token or ""
    me = holder_name()
    try:
        holder = deps.db.call(
            leases.acquire, "poller", me, now=deps.clock.now(), ttl=timedelta(seconds=45)
        )
    except IntegrityError:
        holder = "another process"
    if holder is not None:
        log.error("another coordbot (%s) is already serving this database; stop it first", holder)
        return 1
    app = build_application(
        deps, token=token, base_url=settings.telegram_base_url, file_url=settings.telegram_file_url
    )
    stop = asyncio.Event()
    try:
        if webhook:
            await serve_webhook(deps, app, url=webhook, stop=stop)
        else:
            await serve_polling(deps, app, stop)
    except asyncio.CancelledError:
        log.info("stopping")
    finally:
        stop.set()
        deps.db.call(leases.release, "poller", me)
        deps.db.close()
    return 0
