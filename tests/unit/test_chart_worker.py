"""Charts are drawn by a child process that is reused while busy, leaves when idle, and is
replaced when it dies; the PNG is real."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.status.chart_worker import ChartWorker
from bot.status.rows import Overview, TaskRow, UnitRow


def view() -> Overview:
    deadline = datetime(2026, 11, 30, tzinfo=UTC)
    tasks = [TaskRow(number=1, title="宣传片", deadline=deadline, total=2, done=1)]
    units = [UnitRow(unit_id=1, name="虎门镇", total=1, done=1), UnitRow(2, "长安镇", total=1)]
    matrix = {(1, 1): "done", (2, 1): "not_started"}
    return Overview("演示", 2, 1, {}, None, tasks, units, [], matrix)


async def test_child_draws_is_reused_then_leaves_and_is_replaced(tmp_path: Path) -> None:
    worker = ChartWorker(idle=0.5)
    legend = {"done": "完成", "in_progress": "进行中", "overdue": "逾期", "not_started": "未开始"}
    try:
        first = await worker.draw(view(), title="总览", legend=legend, out=tmp_path / "a.png")
        second = await worker.draw(view(), title="总览", legend=legend, out=tmp_path / "b.png")
        assert first.read_bytes()[:4] == b"\x89PNG" and second.stat().st_size > 1000
        assert worker.started == 1 and worker.running
        await asyncio.sleep(1.0)
        assert not worker.running  # idle: the child has gone
        await worker.draw(view(), title="总览", legend=legend, out=tmp_path / "c.png")
        assert worker.started == 2
        assert worker._proc is not None
        os.kill(worker._proc.pid, signal.SIGKILL)  # the child dies: the next chart still comes
        await asyncio.sleep(0.3)
        again = await worker.draw(view(), title="总览", legend=legend, out=tmp_path / "d.png")
        assert again.read_bytes()[:4] == b"\x89PNG" and worker.started == 3
        broken = Overview("坏", 1, 1, {}, None, [], [], [], {})
        broken.unit_rows = None  # type: ignore[assignment]
        with pytest.raises(RuntimeError, match="chart process: TypeError"):
            await worker.draw(broken, title="x", legend=legend, out=tmp_path / "e.png")
        assert worker.running and worker.started == 3  # a failed chart does not end the child
    finally:
        await worker.aclose()
    assert not worker.running
