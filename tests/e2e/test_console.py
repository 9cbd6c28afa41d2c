"""The console chat a newcomer starts with ``make run`` when no token is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.harness import QUALITY_CITY


def run_console(tmp_path: Path, lines: list[str], *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")}
    env.update(
        COORDBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}",
        COORDBOT_CAMPAIGN=str(QUALITY_CITY),
        COORDBOT_MEDIA_DIR=str(tmp_path / "media"),
    )
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Traceback" not in out.stdout + out.stderr
    return out.stdout


def test_console_as_coordinator(tmp_path: Path) -> None:
    out = run_console(tmp_path, ["/help", "/tasks", "/group", "/bind 虎门镇", "/private", "/quit"])
    assert "协调员" in out  # the role /help names
    assert "制作城市质量精神动漫宣传片" in out  # /tasks, in the seed's words
    assert "已将本群绑定到「虎门镇」" in out  # /bind answered in the demo group


def test_console_as_resident_is_refused_coordinator_commands(tmp_path: Path) -> None:
    out = run_console(tmp_path, ["/group", "/bind 虎门镇", "/quit"], "--as", "resident")
    assert "仅限协调员" in out


def test_console_rejects_an_unknown_role(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")}
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--as", "mayor"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 1
    assert out.stderr.strip().splitlines() == [
        "--as: unknown role 'mayor' (coordinator, staff, liaison or resident)"
    ]


def test_console_run_again_on_the_same_database_still_answers(tmp_path: Path) -> None:
    """Each run starts a new Bot API stand-in; its update ids must not repeat ones the database
    holds (the bot would drop them as re-deliveries and stay silent)."""
    first = run_console(tmp_path, ["/help", "/quit"])
    again = run_console(tmp_path, ["/help", "/tasks", "/quit"])
    assert "协调员" in first and "协调员" in again
    assert "制作城市质量精神动漫宣传片" in again


def test_console_as_a_liaison_of_a_unit_reports_for_it(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (320, 240), (200, 30, 30)).save(tmp_path / "poster.jpg")
    lines = ["/photo poster.jpg /done 9 海报20 标语6", "/quit"]
    out = run_console(tmp_path, lines, "--as", "liaison", "--unit", "虎门镇")
    assert "单位 unit: 虎门镇" in out
    assert "海报 20/100" in out  # the report counted, for 虎门镇
    env = {
        **os.environ,
        "COORDBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
        "COORDBOT_CAMPAIGN": str(QUALITY_CITY),
    }
    refused = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--as", "liaison", "--unit", "火星镇"],
        input="/quit\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert refused.returncode == 1 and "no unit '火星镇'" in refused.stderr
