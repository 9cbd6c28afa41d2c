"""Serving the dashboard: inside the bot (``coordbot run``, the console) or alone (``coordbot
web``, e.g. behind a reverse proxy). A port already taken is one warning, never a stop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)


@dataclass
class WebServer:
    runner: Any  # aiohttp.web.AppRunner
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_web(deps: Deps, listen: str | None = None) -> WebServer | None:
    """Serve on ``COORDBOT_WEB_LISTEN`` (``host:0`` picks a free port); None when off or the
    port cannot be had."""
    listen = listen or deps.settings.web_listen
    if listen == "off":
        return None
    from aiohttp import web

    from bot.web.app import build_app

    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    runner = web.AppRunner(build_app(deps), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, int(port))
    try:
        await site.start()
    except OSError as exc:
        log.warning("the web dashboard cannot listen on %s (%s); running without it", listen, exc)
        await runner.cleanup()
        return None
    sockets = getattr(getattr(site, "_server", None), "sockets", None) or []
    bound = int(sockets[0].getsockname()[1]) if sockets else int(port)
    server = WebServer(runner, host, bound)
    deps.services["web"] = server
    log.info("web dashboard on %s (sign-in links use %s)", server.base_url, deps.settings.web_url)
    return server


async def serve_alone(deps: Deps) -> int:
    """``coordbot web``: the dashboard without the bot (the bot's process delivers what it
    queues in the outbox)."""
    server = await start_web(deps)
    if server is None:
        log.error("the web dashboard is off or its port is taken; nothing to serve")
        return 1
    try:
        await asyncio.Event().wait()
    except asyncio.CancelledError:
        log.info("stopping")
    finally:
        await server.stop()
        deps.db.close()
    return 0
