"""``coordbot run``: one process serving Telegram by long polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
from datetime import timedelta

from sqlalchemy.exc import IntegrityError

from bot.app import build_application, holder_name, prepare, serve_polling
from bot.campaign import CampaignErrors
from bot.db import is_current, make_engine
from bot.deps import Deps
from bot.memory import limit_arenas
from bot.settings import Settings
from storage import leases

log = logging.getLogger(__name__)


def migrate_in_child(settings: Settings) -> bool:
    """Pending migrations run in a short-lived ``coordbot db upgrade``, so the long-running
    process never loads Alembic (bench/memory.py); False when that child failed."""
    engine = make_engine(settings.database_url)
    try:
        if is_current(engine):
            return True
    finally:
        engine.dispose()
    env = {**os.environ, "COORDBOT_DATABASE_URL": settings.database_url}
    child = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env)
    return child.returncode == 0


async def serve(settings: Settings, *, webhook: str | None = None) -> int:
    limit_arenas()
    if not await asyncio.to_thread(migrate_in_child, settings):
        log.error("the database migrations failed (see above); not starting")
        return 1
    try:
        deps = await asyncio.to_thread(prepare, settings)
    except CampaignErrors as exc:
        for line in exc.lines():
            log.error("%s", line)
        return 1
    token = settings.token or ""
    me = holder_name()
    holder = take_poller_lease(deps, me)
    if holder is not None:
        log.error("another coordbot (%s) is already serving this database; stop it first", holder)
        return 1
    app = build_application(
        deps, token=token, base_url=settings.telegram_base_url, file_url=settings.telegram_file_url
    )
    stop = asyncio.Event()
    try:
        if webhook:
            from bot.webhook import serve_webhook  # aiohttp: loaded only to serve a webhook

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


def take_poller_lease(deps: Deps, me: str) -> str | None:
    """Hold the single-poller lease; return the other holder if it is alive.

    A holder on this host whose process no longer exists (killed, crashed) is taken over at
    once, so a restart after SIGKILL does not wait for the lease to expire.
    """
    ttl = timedelta(seconds=45)
    try:
        holder = deps.db.call(leases.acquire, "poller", me, now=deps.clock.now(), ttl=ttl)
    except IntegrityError:
        return "another process"
    if holder is None or not _dead_here(holder):
        return holder
    taken = deps.db.call(leases.take_over, "poller", me, dead=holder, now=deps.clock.now(), ttl=ttl)
    return None if taken else holder


def _dead_here(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
