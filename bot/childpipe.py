"""Length-prefixed pickles over a child process's stdin and stdout: how the bot talks to its
helper processes (charts: ``bot/status/chart_worker.py``; the e5 model:
``bot/faq/model_process.py``). Both ends are this program, so pickle is safe here."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from collections.abc import Callable
from typing import IO, Any


def frame(message: Any) -> bytes:
    data = pickle.dumps(message)
    return len(data).to_bytes(8, "big") + data


def read_frame(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the other end has gone."""
    return pickle.loads(_exactly(stream, int.from_bytes(_exactly(stream, 8), "big")))


async def read_frame_async(stream: asyncio.StreamReader) -> Any:
    """``read_frame`` from an asyncio stream (IncompleteReadError when the other end has gone)."""
    size = int.from_bytes(await stream.readexactly(8), "big")
    return pickle.loads(await stream.readexactly(size))


def _exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) < size:
        raise EOFError("the other end closed the pipe")
    return data


def serve(handle: Callable[[Any], Any]) -> None:
    """The child's side: answer each request with ``(True, handle(request))``, or ``(False,
    error)`` if it raised, until the input ends."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the pipe is the protocol: anything a library prints goes to stderr instead
    while True:
        try:
            request = read_frame(sys.stdin.buffer)
        except EOFError:
            return
        try:
            reply = (True, handle(request))
        except Exception as exc:  # reported to the bot, which logs it
            reply = (False, f"{type(exc).__name__}: {exc}")
        try:
            replies.write(frame(reply))
            replies.flush()
        except BrokenPipeError:  # the bot has gone (killed, say): nothing to report to
            with contextlib.suppress(OSError):
                replies.close()
            return
