"""Questions that reach the model together share one forward pass (micro-batching).

Every thread scoring a question calls ``query``; while one batch is in the model the others
queue, and the next free caller takes everything queued (up to ``max_batch``) into one call.
A question alone goes at once, so a quiet bot waits for nothing; under a rush the model's
per-call costs (the pipe round trip, a forward pass per question) are paid once per batch.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

MAX_BATCH = 32


@dataclass
class _Slot:
    text: str
    vector: Any = None
    error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.vector is not None or self.error is not None


class QueryBatcher:
    """Wraps ``embed(texts) -> rows`` so that concurrent ``query(text)`` calls share calls."""

    def __init__(
        self, embed: Callable[[Sequence[str]], Any], *, max_batch: int = MAX_BATCH
    ) -> None:
        self._embed = embed
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._pending: list[_Slot] = []
        self._busy = False
        self.calls = 0  # forward passes made (tests and benchmarks read it)

    def query(self, text: str) -> Any:
        slot = _Slot(text)
        with self._cond:
            self._pending.append(slot)
            while not slot.done:
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy = True
                batch = self._pending[: self.max_batch]
                del self._pending[: self.max_batch]
                self._cond.release()
                try:
                    self._run(batch)
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.vector

    def _run(self, batch: list[_Slot]) -> None:
        self.calls += 1
        try:
            rows = self._embed([s.text for s in batch])
        except BaseException as exc:  # every caller in the batch sees the failure
            for s in batch:
                s.error = exc
            return
        for s, row in zip(batch, rows, strict=True):
            s.vector = row
