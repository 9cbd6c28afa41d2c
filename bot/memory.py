"""glibc's allocator, tuned for a long-running bot on a small machine (no-ops elsewhere).

By default glibc gives each thread that allocates its own arena (up to 8 per core) and keeps
freed memory for reuse; the bot's worker threads (database, FAQ, charts) then hold tens of MB
they no longer use. ``limit_arenas`` caps the arenas at start; ``trim`` hands free memory back
to the system after a large, rare job (a chart, an export, a FAQ rebuild). Figures:
docs/benchmarks.md (memory).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

log = logging.getLogger(__name__)
M_ARENA_MAX = -8  # from malloc.h


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        libc.mallopt  # noqa: B018 - glibc only
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = 2) -> bool:
    libc = _libc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas))


def trim() -> None:
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
