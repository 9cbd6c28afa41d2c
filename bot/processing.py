"""What the dispatcher tracks for the update being processed (a context variable).

Handlers record failures here; the dispatcher marks the update failed with that error.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass
class Processing:
    update_id: int
    error: str | None = None
    handlers: int = 0


current: contextvars.ContextVar[Processing | None] = contextvars.ContextVar(
    "coordbot_processing", default=None
)
