"""Charts are drawn in a child process, so matplotlib never enters the bot's own process.

matplotlib with a CJK font and its render caches adds ~50-60 MB to a process for good (measured:
bench/memory.py), and a campaign office asks for a chart a few times a day. The first chart
starts ``python -m bot.status.chart_worker`` (a plain interpreter: matplotlib, numpy and this
package's plain data, ~90 MB); it draws the following charts too and exits after ``idle``
seconds without one, so the bot's own memory stays flat. A child that died is replaced.

Requests are ``(overview, title, legend, out path)``; results the path of the PNG.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot import childpipe
from bot.status.rows import Overview

IDLE_SECONDS = 30.0
TIMEOUT_SECONDS = 60.0  # a chart takes well under a second; one that hangs is ended


class ChartWorker(childpipe.ChildProcess):
    """Draws through the child process (``bot/childpipe.py``: started, reused, let go)."""

    def __init__(self, idle: float = IDLE_SECONDS, timeout: float = TIMEOUT_SECONDS) -> None:
        super().__init__(__name__, label="chart process", idle=idle, timeout=timeout)

    async def draw(self, view: Overview, *, title: str, legend: dict[str, str], out: Path) -> Path:
        return Path(await asyncio.to_thread(self.ask, (view, title, legend, str(out))))

    async def aclose(self) -> None:
        """Let the child go now (shutdown)."""
        await asyncio.to_thread(self.close)


def _draw(request: tuple[Overview, str, dict[str, str], str]) -> str:
    from bot.status.chart import render_chart

    view, title, legend, out = request
    return str(render_chart(view, title=title, legend=legend, out=Path(out)))


if __name__ == "__main__":
    childpipe.serve(_draw)
