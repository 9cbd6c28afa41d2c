"""Group commit: small units of work that arrive together share one transaction.

Under a rush, every chat's turn writes a little (its replies, then their sent marks) and reads
a little (who is speaking). A transaction costs far more than such a statement (a pooled
connection, BEGIN, COMMIT, a thread hop), so ``Group.submit`` queues the call and one worker
thread runs everything queued meanwhile in one transaction. Each caller gets its own result
once that transaction committed. If any call fails, the whole group is rolled back and each
call runs again in a transaction of its own, so one bad call fails only itself.

A *batched* call (``submit_batch``) goes further: the items of every queued call of the same
``fn(session, items) -> results`` are handed to one call of ``fn``, so a rush of turns costs one
statement per kind of write (an ``executemany``), not one per turn.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy.orm import Session

# (fn, args, kwargs, future, batched): a batched call has args == (item,) and no kwargs
Call = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any], "asyncio.Future[Any]", bool]
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
        """``fn(session, *args, **kwargs)``, in a transaction shared with calls queued meanwhile."""
        return await self._queue(fn, args, kwargs, batched=False)

    async def submit_batch(self, fn: Callable[[Session, list[Any]], list[Any]], item: Any) -> Any:
        """``fn(session, items)[i]``, where ``items`` are the items of every call of ``fn`` queued
        meanwhile (this one's at ``i``); ``fn`` returns one result per item, in order."""
        return await self._queue(fn, (item,), {}, batched=True)

    async def _queue(self, fn: Callable[..., Any], args: Any, kwargs: Any, *, batched: bool) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            self._queued.append((fn, args, kwargs, future, batched))
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
                values = _execute(session, calls)
        except Exception as exc:
            if len(calls) == 1:
                return [(calls[0][3], False, exc)]
            return [self._alone(call) for call in calls]
        return [(call[3], True, value) for call, value in zip(calls, values, strict=True)]

    def _alone(self, call: Call) -> Outcome:
        future = call[3]
        self.transactions += 1
        try:
            with self.transaction() as session:
                return future, True, _execute(session, [call])[0]
        except Exception as exc:
            return future, False, exc


def _execute(session: Session, calls: list[Call]) -> list[Any]:
    """Run plain calls in order, then each batched ``fn`` once over its calls' items."""
    values: list[Any] = [None] * len(calls)
    batches: dict[Callable[..., Any], list[int]] = {}
    for i, (fn, args, kwargs, _, batched) in enumerate(calls):
        if batched:
            batches.setdefault(fn, []).append(i)
        else:
            values[i] = fn(session, *args, **kwargs)
    for fn, indices in batches.items():
        results = fn(session, [calls[i][1][0] for i in indices])
        for i, value in zip(indices, results, strict=True):
            values[i] = value
    return values


def _settle(outcomes: list[Outcome]) -> None:
    for future, ok, value in outcomes:
        if future.done():  # the waiting turn was cancelled (shutdown)
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)
