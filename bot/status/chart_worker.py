"""Charts are drawn in a child process, so matplotlib never enters the bot's own process.

matplotlib with a CJK font and its render caches adds ~50-60 MB to a process for good (measured:
bench/memory.py), and a campaign office asks for a chart a few times a day. The first chart
starts ``python -m bot.status.chart_worker`` (a plain interpreter: matplotlib, numpy and this
package's plain data, ~90 MB); it draws the following charts too and exits after ``idle``
seconds without one, so the bot's own memory stays flat. A child that died is replaced.

The pipe (``bot/childpipe.py``) carries ``(overview, title, legend, out path)`` one way,
``(ok, path or error)`` back.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

from bot import childpipe
from bot.status.rows import Overview

IDLE_SECONDS = 30.0


class ChartWorker:
    def __init__(self, idle: float = IDLE_SECONDS) -> None:
        self.idle = idle
        self.started = 0  # child processes started (tests, logs)
        self._proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()  # one chart at a time through the pipe
        self._timer: asyncio.TimerHandle | None = None
        self._closing: asyncio.Future[None] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    async def draw(self, view: Overview, *, title: str, legend: dict[str, str], out: Path) -> Path:
        request = childpipe.frame((view, title, legend, str(out)))
        async with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            try:
                ok, value = await self._ask(request)
            except (OSError, asyncio.IncompleteReadError):  # it died: once more, a new one
                await self.aclose()
                ok, value = await self._ask(request)
            finally:
                loop = asyncio.get_running_loop()
                self._timer = loop.call_later(
                    self.idle, lambda: asyncio.ensure_future(self.aclose())
                )
        if not ok:
            raise RuntimeError(f"chart process: {value}")
        return Path(value)

    async def _ask(self, request: bytes) -> tuple[bool, str]:
        if not self.running:
            self._proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.status.chart_worker",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
            self.started += 1
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(request)
        await proc.stdin.drain()
        reply: tuple[bool, str] = await childpipe.read_frame_async(proc.stdout)
        return reply

    def _idle_close(self) -> None:
        self._closing = asyncio.ensure_future(self.aclose())

    async def aclose(self) -> None:
        """Let the child go: after the idle time, at shutdown, or when it died."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # end of input: the child returns
        try:
            await asyncio.wait_for(proc.wait(), 5)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


def _draw(request: tuple[Overview, str, dict[str, str], str]) -> str:
    from bot.status.chart import render_chart

    view, title, legend, out = request
    return str(render_chart(view, title=title, legend=legend, out=Path(out)))


if __name__ == "__main__":
    childpipe.serve(_draw)
