"""The chrono parser's Simplified-Chinese test cases (tests/data/chrono_zh_hans.yaml, with its
source) through ``coordbot when --now … --tz Asia/Shanghai``: each agrees on every component
its test asserts, or is one of the documented, deliberate differences (and still differs: a
difference that went away must leave the list)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.when.cli import app

TABLE = Path(__file__).resolve().parents[1] / "data" / "chrono_zh_hans.yaml"
CASES: list[dict[str, Any]] = yaml.safe_load(TABLE.read_text(encoding="utf-8"))
runner = CliRunner()


def components(at: datetime) -> dict[str, int]:
    return {
        "year": at.year, "month": at.month, "day": at.day, "hour": at.hour,
        "minute": at.minute, "second": at.second, "millisecond": at.microsecond // 1000,
        "weekday": (at.weekday() + 1) % 7, "meridiem": int(at.hour >= 12),
    }  # fmt: skip


def run(case: dict[str, Any]) -> dict[str, int] | None:
    """What coordbot says about the asserted components, or None if it refuses the phrase."""
    result = runner.invoke(app, [case["phrase"], "--now", case["now"], "--tz", "Asia/Shanghai"])
    if result.exit_code != 0:
        return None
    got = components(datetime.fromisoformat(result.stdout.strip()))
    return {k: got[k] for k in case["expect"]}


def _id(case: dict[str, Any]) -> str:
    return f"{case['source']}-{case['phrase']}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_case(case: dict[str, Any]) -> None:
    got = run(case)
    if "differs" in case:
        assert got is not None and got != case["expect"], "agrees now: drop its 'differs'"
    else:
        assert got == case["expect"]


def test_the_table_and_the_agreement() -> None:
    singles = [c for c in CASES if not c.get("range")]
    assert (len(singles), len(CASES) - len(singles)) == (72, 36)
    agreeing = [c for c in singles if "differs" not in c]
    assert len(agreeing) / len(singles) >= 0.86  # 62 of 72
    assert sum("differs" in c for c in CASES) == 10


def test_a_past_time_is_printed_with_a_note_on_stderr() -> None:
    result = runner.invoke(app, ["3天前", "--now", "2026-11-26T10:00", "--tz", "Asia/Shanghai"])
    assert result.exit_code == 0
    assert result.stdout == "2026-11-23T10:00:00+08:00\n"
    assert "已经过去" in result.stderr and "passed" in result.stderr
