"""Group commit: small units of work that arrive together share one transaction.

Under a rush, every chat's turn writes a little (its replies, then their sent marks) and reads
a little (who is speaking). A transaction costs far more than such a statement (a pooled
connection, BEGIN, COMMIT, a thread hop), so ``Group.submit`` queues the call and one worker
thread runs everything queued meanwhile in one transaction. Each caller gets its own result
once that transaction committed. If any call fails, the whole group is rolled back and each
call runs again in a transaction of its own, so one bad call fails only itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy.orm import Session

Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], "asyncio.Future[Any]"]
Outcome = tuple["asyncio.Future[Any]", bool, Any]


class Group:
    def __init__(self, pool: Executor, transaction: Callable[[], AbstractContextManager[Session]]):
        self.pool, self.transaction = pool, transaction
        self._queued: list[Call] = []
        self._lock = threading.Lock()
        self._running = False
        self.calls = 0
        self.transactions = 0

    async def submit(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            self._queued.append((fn, args, kwargs, future))
            start, self._running = not self._running, True
        if start:
            loop.run_in_executor(self.pool, self._drain, loop)
        return await future

    def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            with self._lock:
                calls, self._queued = self._queued, []
                if not calls:
                    self._running = False
                    return
            outcomes = self._run(calls)
            loop.call_soon_threadsafe(_settle, outcomes)

    def _run(self, calls: list[Call]) -> list[Outcome]:
        self.calls += len(calls)
        self.transactions += 1
        try:
            with self.transaction() as session:
                values = [fn(session, *args, **kwargs) for fn, args, kwargs, _ in calls]
        except Exception as exc:
            if len(calls) == 1:
                return [(calls[0][3], False, exc)]
            return [self._alone(call) for call in calls]
        return [(call[3], True, value) for call, value in zip(calls, values, strict=True)]

    def _alone(self, call: Call) -> Outcome:
        fn, args, kwargs, future = call
        self.transactions += 1
        try:
            with self.transaction() as session:
                return future, True, fn(session, *args, **kwargs)
        except Exception as exc:
            return future, False, exc


def _settle(outcomes: list[Outcome]) -> None:
    for future, ok, value in outcomes:
        if future.done():  # the waiting turn was cancelled (shutdown)
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
