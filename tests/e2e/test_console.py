"""The console chat a newcomer starts with ``make run`` when no token is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import ROOT
from tests.harness import QUALITY_CITY


def console_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")}
    env.update(
        COORDBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}",
        COORDBOT_CAMPAIGN=str(QUALITY_CITY),
        COORDBOT_MEDIA_DIR=str(tmp_path / "media"),
    )
    return env


def run_console(tmp_path: Path, lines: list[str], *args: str, stdin: bytes | None = None) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input=stdin if stdin is not None else ("\n".join(lines) + "\n").encode(),
        capture_output=True,
        env=console_env(tmp_path),
        cwd=tmp_path,
        timeout=120,
    )
    stdout, stderr = out.stdout.decode(), out.stderr.decode()
    assert out.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stdout + stderr
    assert "privacy mode" not in stdout + stderr  # the stand-in reads group messages
    assert "Glyph" not in stdout + stderr
    return stdout


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
    env = console_env(tmp_path)
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


def test_each_role_is_its_own_demo_person(tmp_path: Path) -> None:
    liaison = run_console(tmp_path, ["/me", "/quit"], "--as", "liaison")
    assert "李晓东" in liaison and "用户 id 1003" in liaison
    coordinator = run_console(tmp_path, ["/help", "/quit"])
    assert "周敏" in coordinator and "您的身份：协调员" in coordinator  # not made a liaison


def test_console_shows_stored_photos_answers_residents_and_reaches_bound_groups(
    tmp_path: Path,
) -> None:
    from PIL import Image

    Image.new("RGB", (640, 480), (30, 120, 200)).save(tmp_path / "poster.jpg")
    run_console(tmp_path, ["/photo poster.jpg /done 9 海报20 标语6", "/quit"], "--as", "liaison")
    run_console(tmp_path, ["采集人员态度很差，我要投诉", "/quit"], "--as", "resident")
    out = run_console(
        tmp_path,
        [
            "/review",
            "/questions",
            "/answer 1 已转告街道，会尽快处理",
            "/broadcast 虎门镇 明天开会",
            "/quit",
        ],
    )
    assert "Wrong file identifier" not in out and "wrong file" not in out
    assert "📎" in out  # the review photo, served from the earlier run's store
    assert "[→ 陈秀兰 私聊]" in out and "已转告街道，会尽快处理" in out  # the resident's answer
    assert "chat not found" not in out.lower() and "不存在" not in out
    assert "[→ 群「" in out and "明天开会" in out  # the broadcast, in 虎门镇's group


def test_a_second_console_on_the_same_database_is_refused_in_one_line(tmp_path: Path) -> None:
    first = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=console_env(tmp_path),
        cwd=tmp_path,
    )
    try:
        assert first.stdout is not None
        for raw in first.stdout:  # until the banner: it serves the database now
            if "身份 role" in raw.decode():
                break
        second = subprocess.run(
            [sys.executable, "-m", "bot.cli", "console", "--as", "resident"],
            input=b"hello\n/quit\n",
            capture_output=True,
            env=console_env(tmp_path),
            cwd=tmp_path,
            timeout=120,
        )
        assert second.returncode == 1
        [line] = second.stderr.decode().strip().splitlines()
        assert "another coordbot" in line and "stop it first" in line
    finally:
        assert first.stdin is not None
        first.stdin.close()
        assert first.wait(60) == 0
    assert "身份 role" in run_console(tmp_path, ["/quit"])  # the lease was let go


def test_broken_characters_are_replaced_and_the_console_goes_on(tmp_path: Path) -> None:
    half = "你好".encode()[:-1]  # a paste cut in the middle of a character
    stdin = (
        b"/help " + half + b"\n" + "\ud83d".encode("utf-8", "surrogatepass") + b"\n/tasks\n/quit\n"
    )
    out = run_console(tmp_path, [], stdin=stdin)
    assert out.count("已替换为") == 2
    assert "制作城市质量精神动漫宣传片" in out  # /tasks after them was answered


def test_the_banner_names_the_residents_demo_and_the_2018_faq_answers(tmp_path: Path) -> None:
    out = run_console(
        tmp_path,
        ["上门采集要收费吗", "/quit"],
        "--campaign",
        "household-survey-2018",
        "--as",
        "resident",
    )
    assert "campaign: household-survey-2018" in out and "陈秀兰" in out
    assert "没有任何收费项目" in out  # answered from the 2018 FAQ
    unknown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--campaign", "mars-2030"],
        capture_output=True,
        env=console_env(tmp_path),
        cwd=tmp_path,
        timeout=60,
    )
    assert unknown.returncode == 1 and "no campaign 'mars-2030'" in unknown.stderr.decode()


def test_the_readme_residents_transcript_is_what_the_console_shows(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("The residents' side, with the 2018 survey's FAQ", 1)[1]
    block = block.split("```\n", 2)[1]
    typed = [line[len("你> ") :] for line in block.splitlines() if line.startswith("你> ")]
    shown = [line for line in block.splitlines() if line.startswith("🤖")]
    assert len(typed) >= 2 and len(shown) == len(typed)
    out = run_console(
        tmp_path, [*typed, "/quit"], "--campaign", "household-survey-2018", "--as", "resident"
    )
    answers = [line for line in out.splitlines() if line.startswith("🤖")]
    assert answers == shown
