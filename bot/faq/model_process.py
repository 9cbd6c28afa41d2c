"""The e5 model runs in a child process, started on first use and gone when idle.

The model is a 72 MB file the engine maps; how much of it stays resident depends on the
kernel's page cache (33 MB to 63 MB measured in the bot, bench/memory.py), on top of the bot's
~120 MB. Most residents' questions never need it (the lexical score decides, or the question
was asked before), so ``python -m bot.faq.model_process`` holds it instead: started by the
first embedding, serving the following ones, and let go (its input closed, then reaped) after
``idle`` seconds without one. A crash in the C engine costs that child, not the bot; a child
that died is replaced.

The pipe (``bot/childpipe.py``) carries ``(kind, texts)`` one way ("q" for queries, "p" for
passages) and ``(True, (rows, float32 bytes))`` or ``(False, error)`` back.
"""

from __future__ import annotations

import contextlib
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot import childpipe

if TYPE_CHECKING:
    import numpy as np

IDLE_SECONDS = 60.0


class ModelProcess:
    """Embeds through the child process; thread-safe (one request on the pipe at a time)."""

    def __init__(self, *, threads: int = 1, idle: float = IDLE_SECONDS) -> None:
        self.threads, self.idle = threads, idle
        self.started = 0  # child processes started (tests, logs)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._last_used = 0.0
        self._timer: threading.Timer | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings with the e5 "query: " prefix, one row per text."""
        return self._embed("q", list(texts))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings with the e5 "passage: " prefix, one row per text."""
        return self._embed("p", list(texts))

    def query(self, text: str) -> np.ndarray:
        return self._embed("q", [text])[0]

    def _embed(self, kind: str, texts: list[str]) -> np.ndarray:
        import numpy as np

        request = childpipe.frame((kind, texts))
        with self._lock:
            try:
                reply = self._ask(request)
            except (OSError, EOFError, pickle.UnpicklingError):  # it died: once more, a new one
                self._stop()
                reply = self._ask(request)
            self._last_used = time.monotonic()
            if self._timer is None:
                self._wake_in(self.idle)
        ok, value = reply
        if not ok:
            raise RuntimeError(f"model process: {value}")
        rows, data = value
        return np.frombuffer(data, dtype=np.float32).reshape(rows, -1).copy()

    def _ask(self, request: bytes) -> tuple[bool, Any]:
        if not self.running:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "bot.faq.model_process", str(self.threads)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
            self.started += 1
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(request)
        proc.stdin.flush()
        reply: tuple[bool, Any] = childpipe.read_frame(proc.stdout)
        return reply

    def _wake_in(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        """Let the child go once it has been idle long enough (one timer at a time)."""
        with self._lock:
            self._timer = None
            left = self.idle - (time.monotonic() - self._last_used)
            if left > 0 and self.running:
                self._wake_in(left)
            else:
                self._stop()

    def close(self) -> None:
        """Let the child go now (shutdown; tests)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._stop()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()  # end of input: the child returns
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def _embed_in_child(threads: int) -> Callable[[Any], Any]:
    from bot.faq.embedding import Embedder

    model = Embedder(threads=threads)

    def embed(request: tuple[str, list[str]]) -> tuple[int, bytes]:
        kind, texts = request
        vectors = model.queries(texts) if kind == "q" else model.passages(texts)
        return len(texts), vectors.astype("float32").tobytes()

    return embed


if __name__ == "__main__":
    childpipe.serve(_embed_in_child(int(sys.argv[1])))
