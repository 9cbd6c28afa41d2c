"""Fixtures: a fake WeCom server on loopback and clients of ours pointed at it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.transports.wecom import WeComClient
from bot.transports.wecom.limits import RateLimiter
from tests.fakes.wecom import FakeWeCom, Player

BOT, SECRET = "aibTestBot0001", "s3cret-Do-Not-Log-9f8e7d6c5b4a"


class FakeClock:
    """Seconds that move only when something sleeps on them (rate windows, media expiry)."""

    def __init__(self) -> None:
        self.t = 10_000.0

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        await asyncio.sleep(0)


async def until(check: Callable[[], bool], *, within: float = 10.0) -> None:
    """Wait for a condition (a bound on a hang, not a timing assertion)."""
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.01)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FakeWeCom]:
    server = FakeWeCom({BOT: SECRET}, clock=clock)
    server.url = await server.start()  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def player(fake: FakeWeCom) -> Player:
    return Player(fake, BOT)


Runner = Callable[..., Awaitable[WeComClient]]


@pytest.fixture
async def start(fake: FakeWeCom, clock: FakeClock) -> AsyncIterator[Runner]:
    """start(**kwargs) runs a client until the test ends; it returns once the client connected
    (or at once with connected=False)."""
    running: list[tuple[asyncio.Event, asyncio.Task[str]]] = []

    async def run(*, connected: bool = True, **kwargs: Any) -> WeComClient:
        kwargs.setdefault("heartbeat", 30.0)
        kwargs.setdefault("backoff", (0.05, 0.2))
        kwargs.setdefault("limiter", RateLimiter(clock=clock, sleep=clock.sleep))
        creds = kwargs.pop("creds", (BOT, SECRET))
        client = WeComClient(*creds, fake.url, **kwargs)  # type: ignore[attr-defined]
        stop = asyncio.Event()
        task = asyncio.create_task(client.run(stop))
        client.task = task  # type: ignore[attr-defined]
        client.stop = stop  # type: ignore[attr-defined]
        running.append((stop, task))
        if connected:
            await until(lambda: client.state == "connected" or task.done())
            if task.done():
                task.result()
        return client

    yield run
    for stop, task in running:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 10)
