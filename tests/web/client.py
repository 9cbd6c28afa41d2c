"""A browser-less visitor of the dashboard: the real bot (tests/harness) serving it on a free
port, and an aiohttp client with its own cookie jar that signs in through ``/web``."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from bot.localapi import FakeUser
from bot.web.serve import WebServer
from tests.harness import QUALITY_CITY, Harness, bot_session

LINK = re.compile(r"https?://\S+/login/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@contextlib.asynccontextmanager
async def web_session(
    tmp_path: Path, campaign: Path = QUALITY_CITY, **kw: Any
) -> AsyncIterator[tuple[Harness, str]]:
    port = free_port()  # known before start, so that the links /web gives point at it
    listen, url = f"127.0.0.1:{port}", f"http://127.0.0.1:{port}"
    async with bot_session(tmp_path, campaign=campaign, web_listen=listen, web_url=url, **kw) as h:
        server = h.deps.services["web"]
        assert isinstance(server, WebServer)
        yield h, server.base_url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def link_token(h: Harness, user: FakeUser) -> str:
    reply = await h.reply_text(user, "/web")
    found = LINK.search(reply)
    assert found, reply
    return found.group(1)


async def sign_in(h: Harness, base: str, user: FakeUser, client: aiohttp.ClientSession) -> str:
    """Sign ``user`` in through /web; return the landing page's HTML."""
    token = await link_token(h, user)
    async with client.get(f"{base}/login/{token}") as page:
        assert page.status == 200
    async with client.post(f"{base}/login", data={"token": token}) as landed:
        assert landed.status == 200, await landed.text()
        return await landed.text()


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)
