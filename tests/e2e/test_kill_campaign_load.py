"""SIGKILL during `coordbot campaign load`: the database is either before or after, never half."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from bot.db import make_engine, upgrade
from storage.models.core import Campaign, Interview, Task, TaskUnit, Unit
from tests.harness import QUALITY_CITY

pytestmark = pytest.mark.slow
EMPTY = (0, 0, 0, 0, 0)
FULL = (1, 65, 15, 10)


def counts(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = tuple(
            int(conn.execute(select(func.count()).select_from(m)).scalar_one())
            for m in (Campaign, Unit, Task, Interview, TaskUnit)
        )
    engine.dispose()
    return found


def test_killed_load_leaves_before_or_after(tmp_path: Path) -> None:
    template = tmp_path / "empty.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")}
    load = [sys.executable, "-m", "bot.cli", "campaign", "load", str(QUALITY_CITY)]
    seen = []
    # Time one whole load, then kill others at fractions of that time: start-up (imports)
    # takes most of it, the load itself is one short transaction near the end, so the kills
    # land before, during and after it whatever the machine's speed.
    probe = tmp_path / "probe.db"
    shutil.copy(template, probe)
    env["COORDBOT_DATABASE_URL"] = f"sqlite:///{probe}"
    started = time.monotonic()
    subprocess.run(load, env=env, check=True, capture_output=True)
    whole = time.monotonic() - started
    for i, share in enumerate((0.3, 0.6, 0.75, 0.85, 0.92)):
        delay = whole * share
        db = tmp_path / f"run{i}.db"
        shutil.copy(template, db)
        env["COORDBOT_DATABASE_URL"] = url = f"sqlite:///{db}"
        proc = subprocess.Popen(load, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        found = counts(url)
        seen.append(found)
        assert found == EMPTY or found[:4] == FULL, f"half a campaign after a kill at {delay}s"
        if found != EMPTY:  # complete: every task has its units
            assert found[4] > 15
    assert EMPTY in seen  # the kills did land before the commit at least once
    subprocess.run(load, env=env, check=True, capture_output=True)
    assert counts(url)[:4] == FULL  # a later load completes whatever the kill left
