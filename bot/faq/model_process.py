"""The e5 model runs in a child process, started on first use and gone when idle.

The model is a 72 MB file the engine maps; how much of it stays resident depends on the
kernel's page cache (33 MB to 63 MB measured in the bot, bench/memory.py), on top of the bot's
~120 MB. Most residents' questions never need it (the lexical score decides, or the question
was asked before), so ``python -m bot.faq.model_process`` holds it instead: started by the
first embedding, serving the following ones, and let go (its input closed, then reaped) after
``idle`` seconds without one. A crash in the C engine costs that child, not the bot; a child
that died is replaced.

Requests are ``(kind, texts)`` ("q" for queries, "p" for passages); results ``(rows, float32
bytes)``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot import childpipe
from bot.faq.batching import QueryBatcher

if TYPE_CHECKING:
    import numpy as np

IDLE_SECONDS = 60.0


class ModelProcess(childpipe.ChildProcess):
    """Embeds through the child process (``bot/childpipe.py``: started, reused, let go)."""

    def __init__(self, *, threads: int = 1, idle: float = IDLE_SECONDS) -> None:
        super().__init__(__name__, str(threads), label="model process", idle=idle)
        # Questions scored at the same time (a rush) go to the child as one batch.
        self._batcher = QueryBatcher(self.queries)

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings with the e5 "query: " prefix, one row per text."""
        return self._embed("q", list(texts))

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings with the e5 "passage: " prefix, one row per text."""
        return self._embed("p", list(texts))

    def query(self, text: str) -> np.ndarray:
        """One question's embedding; questions asked meanwhile share the model's call."""
        vector: np.ndarray = self._batcher.query(text)
        return vector

    def _embed(self, kind: str, texts: list[str]) -> np.ndarray:
        import numpy as np

        rows, data = self.ask((kind, texts))
        return np.frombuffer(data, dtype=np.float32).reshape(rows, -1).copy()


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
