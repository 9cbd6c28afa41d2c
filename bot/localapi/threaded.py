"""Run the fake Bot API in a background thread with its own event loop.

For the console chat and for tests whose bot runs in another process or loop:

    with ThreadedFakeBotApi(token="123:TEST") as api:
        ...  # api.base_url, api.file_url; api.send_text(...) runs on the server's loop
        records = api.wait_sent(chat_id=user.id)  # async methods block the calling thread

Every method call is executed on the server loop (thread-safe); coroutine methods are awaited
there and their result returned. Plain attributes (``api.sent``) are read directly: treat them
as snapshots.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from bot.localapi.server import FakeBotApi

T = TypeVar("T")


class ThreadedFakeBotApi:
    def __init__(self, **kwargs: Any) -> None:
        self._kwargs = kwargs
        self._api: FakeBotApi | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def api(self) -> FakeBotApi:
        """The underlying server (only touch it from its loop, e.g. through ``call``)."""
        if self._api is None:
            raise RuntimeError("ThreadedFakeBotApi is not started")
        return self._api

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("ThreadedFakeBotApi is not started")
        return self._loop

    def start(self, timeout: float = 10) -> ThreadedFakeBotApi:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                self._api = FakeBotApi(**self._kwargs)
                loop.run_until_complete(self._api.start())
            except BaseException as exc:
                self._error = exc
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._api.stop())
                loop.close()

        self._thread = threading.Thread(target=run, name="fake-bot-api", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("fake Bot API did not start")
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> ThreadedFakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def call(self, fn: Callable[..., T], *args: Any, call_timeout: float = 30, **kwargs: Any) -> T:
        """Run ``fn(*args, **kwargs)`` on the server loop and return its (awaited) result."""

        async def runner() -> Any:
            result = fn(*args, **kwargs)
            if inspect.isawaitable(result):
                result = await result
            return result

        future = asyncio.run_coroutine_threadsafe(runner(), self.loop)
        return future.result(call_timeout)  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(self.api, name)
        if not callable(value):
            return value

        @functools.wraps(value)
        def proxy(*args: Any, **kwargs: Any) -> Any:
            extra = kwargs.get("timeout", 10) if inspect.iscoroutinefunction(value) else 0
            return self.call(value, *args, call_timeout=float(extra) + 30, **kwargs)

        return proxy
