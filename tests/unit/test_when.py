"""The time-phrase contract: a table of phrases against fixed ``now``s (see bot/when/resolve.py).

Every expected weekday in the table is checked against the real calendar (test_table_weekdays),
so a wrong expectation fails on its own, whatever the parser does.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.when import WhenError, parse_when, split_when
from bot.when.cli import app

SH = ZoneInfo("Asia/Shanghai")
THU = datetime(2026, 11, 26, 10, 0, tzinfo=SH)  # Thursday morning
SUN = datetime(2026, 11, 29, 20, 30, tzinfo=SH)  # Sunday evening
DEC31 = datetime(2026, 12, 31, 10, 0, tzinfo=SH)  # Thursday, last day of the year
FRI = datetime(2026, 11, 27, 16, 0, tzinfo=SH)  # Friday afternoon


def at(y: int, mo: int, d: int, h: int = 9, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SH)


# (now, phrase, expected moment, its weekday as a check on the table itself)
ROWS: list[tuple[datetime, str, datetime, str]] = [
    # the phrases of the brief, now = Thursday 2026-11-26 10:00
    (THU, "明天下午3点", at(2026, 11, 27, 15), "Fri"),
    (THU, "后天上午10点半", at(2026, 11, 28, 10, 30), "Sat"),
    (THU, "今晚8点", at(2026, 11, 26, 20), "Thu"),
    (THU, "下周一", at(2026, 11, 30), "Mon"),
    (THU, "本周五下午", at(2026, 11, 27, 15), "Fri"),
    (THU, "周五", at(2026, 11, 27), "Fri"),
    (THU, "三天后", at(2026, 11, 29, 10), "Sun"),
    (THU, "3天后", at(2026, 11, 29, 10), "Sun"),
    (THU, "两小时后", at(2026, 11, 26, 12), "Thu"),
    (THU, "半小时后", at(2026, 11, 26, 10, 30), "Thu"),
    (THU, "下个月1号", at(2026, 12, 1), "Tue"),
    (THU, "20号", at(2026, 12, 20), "Sun"),
    (THU, "11月20日 9:00", at(2027, 11, 20), "Sat"),
    (THU, "十二月五日", at(2026, 12, 5), "Sat"),
    (THU, "12月5日上午", at(2026, 12, 5), "Sat"),
    (THU, "2026-12-05 14:00", at(2026, 12, 5, 14), "Sat"),
    (THU, "12/5 14:00", at(2026, 12, 5, 14), "Sat"),
    (THU, "tomorrow 3pm", at(2026, 11, 27, 15), "Fri"),
    (THU, "next monday", at(2026, 11, 30), "Mon"),
    (THU, "in 2 hours", at(2026, 11, 26, 12), "Thu"),
    # day words and parts of day
    (THU, "大后天", at(2026, 11, 29), "Sun"),
    (THU, "今天下午", at(2026, 11, 26, 15), "Thu"),
    (THU, "明天早上", at(2026, 11, 27, 8), "Fri"),
    (THU, "明天中午", at(2026, 11, 27, 12), "Fri"),
    (THU, "明天傍晚", at(2026, 11, 27, 18), "Fri"),
    (THU, "明天晚上", at(2026, 11, 27, 20), "Fri"),
    (THU, "明早", at(2026, 11, 27, 8), "Fri"),
    (THU, "明天凌晨5点", at(2026, 11, 27, 5), "Fri"),
    (THU, "12月5日下午", at(2026, 12, 5, 15), "Sat"),
    (THU, "12月5日晚上", at(2026, 12, 5, 20), "Sat"),
    # clock times
    (THU, "明天3点", at(2026, 11, 27, 15), "Fri"),  # bare 1-6点 is the afternoon
    (THU, "明天03:00", at(2026, 11, 27, 3), "Fri"),  # a leading zero is taken literally
    (THU, "明天9点", at(2026, 11, 27, 9), "Fri"),
    (THU, "明天10点一刻", at(2026, 11, 27, 10, 15), "Fri"),
    (THU, "明天10点三刻", at(2026, 11, 27, 10, 45), "Fri"),
    (THU, "明天10点20分", at(2026, 11, 27, 10, 20), "Fri"),
    (THU, "明天10:20", at(2026, 11, 27, 10, 20), "Fri"),
    (THU, "十点十五", at(2026, 11, 26, 10, 15), "Thu"),  # a time alone: today if still ahead
    (THU, "9点", at(2026, 11, 27, 9), "Fri"),  # ... else tomorrow
    (THU, "中午1点", at(2026, 11, 26, 13), "Thu"),
    (THU, "下午15点", at(2026, 11, 26, 15), "Thu"),
    (THU, "晚上12点", at(2026, 11, 27, 0), "Fri"),  # midnight ending today
    (THU, "明天24点", at(2026, 11, 28, 0), "Sat"),
    # weekdays
    (THU, "周四", at(2026, 12, 3), "Thu"),  # a bare weekday is never today
    (THU, "星期六", at(2026, 11, 28), "Sat"),
    (THU, "礼拜天", at(2026, 11, 29), "Sun"),
    (THU, "周日", at(2026, 11, 29), "Sun"),
    (THU, "这周日", at(2026, 11, 29), "Sun"),
    (THU, "下周日", at(2026, 12, 6), "Sun"),
    (THU, "下下周一", at(2026, 12, 7), "Mon"),
    (THU, "下周三下午2点", at(2026, 12, 2, 14), "Wed"),
    (THU, "下个星期五上午10点", at(2026, 12, 4, 10), "Fri"),
    # relative
    (THU, "3天后下午3点", at(2026, 11, 29, 15), "Sun"),
    (THU, "一个半小时后", at(2026, 11, 26, 11, 30), "Thu"),
    (THU, "30分钟后", at(2026, 11, 26, 10, 30), "Thu"),
    (THU, "2周后", at(2026, 12, 10, 10), "Thu"),
    (THU, "一个月后", at(2026, 12, 26, 10), "Sat"),
    # dates
    (THU, "28号", at(2026, 11, 28), "Sat"),
    (THU, "2026年12月5日", at(2026, 12, 5), "Sat"),
    (THU, "明年3月1日", at(2027, 3, 1), "Mon"),
    (THU, "2月29日", at(2028, 2, 29), "Tue"),  # waits for a leap year
    (THU, "月底", at(2026, 11, 30), "Mon"),
    (THU, "下个月底", at(2026, 12, 31), "Thu"),
    # writing variants: Traditional, full-width, spaces, 的
    (THU, "明天下午3點", at(2026, 11, 27, 15), "Fri"),
    (THU, "後天上午10點半", at(2026, 11, 28, 10, 30), "Sat"),
    (THU, "１２月５日", at(2026, 12, 5), "Sat"),
    (THU, "明天下午３点", at(2026, 11, 27, 15), "Fri"),
    (THU, "明天 下午 3点", at(2026, 11, 27, 15), "Fri"),
    (THU, "下周一的上午10点", at(2026, 11, 30, 10), "Mon"),
    # English
    (THU, "the day after tomorrow at noon", at(2026, 11, 28, 12), "Sat"),
    (THU, "Friday 5pm", at(2026, 11, 27, 17), "Fri"),
    (THU, "this friday", at(2026, 11, 27), "Fri"),
    (THU, "Dec 5 at 2:30 pm", at(2026, 12, 5, 14, 30), "Sat"),
    (THU, "5 December 2026", at(2026, 12, 5), "Sat"),
    (THU, "in half an hour", at(2026, 11, 26, 10, 30), "Thu"),
    (THU, "3 days later", at(2026, 11, 29, 10), "Sun"),
    (THU, "tonight", at(2026, 11, 26, 20), "Thu"),
    (THU, "tomorrow morning", at(2026, 11, 27, 9), "Fri"),
    (THU, "at 3", at(2026, 11, 26, 15), "Thu"),
    (THU, "midnight", at(2026, 11, 27, 0), "Fri"),
    (THU, "in a fortnight", at(2026, 12, 10, 10), "Thu"),  # dateparser fallback
    (THU, "the 5th of december", at(2026, 12, 5), "Sat"),  # dateparser fallback
    # Sunday evening
    (SUN, "今晚9点", at(2026, 11, 29, 21), "Sun"),
    (SUN, "明天", at(2026, 11, 30), "Mon"),
    (SUN, "下周一", at(2026, 11, 30), "Mon"),  # weeks start on Monday: tomorrow
    (SUN, "周一", at(2026, 11, 30), "Mon"),
    (SUN, "周日", at(2026, 12, 6), "Sun"),
    (SUN, "3天后", at(2026, 12, 2, 20, 30), "Wed"),
    (SUN, "两小时后", at(2026, 11, 29, 22, 30), "Sun"),
    (SUN, "12月1日", at(2026, 12, 1), "Tue"),
    # the last day of the year
    (DEC31, "明天", at(2027, 1, 1), "Fri"),
    (DEC31, "下个月1号", at(2027, 1, 1), "Fri"),
    (DEC31, "1号", at(2027, 1, 1), "Fri"),
    (DEC31, "31号下午", at(2026, 12, 31, 15), "Thu"),
    (DEC31, "12月5日", at(2027, 12, 5), "Sun"),
    (DEC31, "下周一", at(2027, 1, 4), "Mon"),
    (DEC31, "月底下午", at(2026, 12, 31, 15), "Thu"),
    (DEC31, "下个月底", at(2027, 1, 31), "Sun"),
    (DEC31, "一个月后", at(2027, 1, 31, 10), "Sun"),
    (DEC31, "in 3 days", at(2027, 1, 3, 10), "Sun"),
    # Friday afternoon
    (FRI, "周五", at(2026, 12, 4), "Fri"),
    (FRI, "本周五晚上", at(2026, 11, 27, 20), "Fri"),
    (FRI, "下午", at(2026, 11, 28, 15), "Sat"),  # 15:00 has passed today
    (FRI, "5点", at(2026, 11, 27, 17), "Fri"),
    (FRI, "3点", at(2026, 11, 28, 15), "Sat"),
    (FRI, "下周五", at(2026, 12, 4), "Fri"),
    (FRI, "this friday 5pm", at(2026, 11, 27, 17), "Fri"),
    (FRI, "next friday", at(2026, 12, 4), "Fri"),
]

REFUSED: list[tuple[datetime, str, str]] = [
    (THU, "明天25点", "invalid"),
    (THU, "2月30日", "invalid"),
    (THU, "13月1日", "invalid"),
    (THU, "10点61分", "invalid"),
    (THU, "4月31日", "invalid"),
    (THU, "32号", "invalid"),
    (THU, "2026年2月29日", "invalid"),
    (THU, "上午15点", "invalid"),
    (THU, "13pm", "invalid"),
    (THU, "晚上2点", "ambiguous"),
    (THU, "凌晨", "ambiguous"),
    (THU, "本周三", "past"),  # this week's Wednesday was yesterday
    (THU, "今天", "past"),  # 09:00 today
    (THU, "昨天", "past"),
    (THU, "上周五", "past"),
    (THU, "2025-12-05", "past"),
    (THU, "yesterday 3pm", "past"),
    (THU, "banana", "unknown"),
    (THU, "", "unknown"),
    (THU, "next week", "unknown"),  # too vague, even though dateparser reads it
    (THU, "5 units", "unknown"),
    (THU, "明天下午3点 开会", "unknown"),  # parse_when wants the whole text
    (THU, "周末", "unknown"),
    (SUN, "今晚8点", "past"),
    (SUN, "本周日", "past"),
    (SUN, "这周一", "past"),
    (DEC31, "31号", "past"),
    (DEC31, "月底", "past"),
    (FRI, "本周五", "past"),
    (FRI, "今天下午", "past"),
]


def _id(row: tuple[object, ...]) -> str:
    return f"{row[0]:%a%H%M}-{row[1]}"  # type: ignore[str-format]


@pytest.mark.parametrize("row", ROWS, ids=_id)
def test_parse_when(row: tuple[datetime, str, datetime, str]) -> None:
    now, text, expected, _ = row
    got = parse_when(text, now=now, tz=SH)
    assert got == expected
    assert got.tzinfo == SH and got.utcoffset() == expected.utcoffset()


def test_table_weekdays() -> None:
    wrong = [(text, exp, wd) for _, text, exp, wd in ROWS if exp.strftime("%a") != wd]
    assert not wrong
    assert len(ROWS) + len(REFUSED) >= 60


@pytest.mark.parametrize("row", REFUSED, ids=_id)
def test_refused(row: tuple[datetime, str, str]) -> None:
    now, text, code = row
    with pytest.raises(WhenError) as err:
        parse_when(text, now=now, tz=SH)
    assert err.value.code == code
    assert err.value.zh and err.value.en and "\n" not in str(err.value)


SPLITS = [
    ("明天下午3点 所有镇街 提交宣传资料", at(2026, 11, 27, 15), "所有镇街 提交宣传资料"),
    ("11月20日 9:00 镇街 提交", at(2027, 11, 20), "镇街 提交"),
    ("tomorrow 3pm all text", at(2026, 11, 27, 15), "all text"),
    ("20号，各镇街报送", at(2026, 12, 20), "各镇街报送"),
    ("下周一上午10点：开会", at(2026, 11, 30, 10), "开会"),
    ("3天后 5个镇街未提交", at(2026, 11, 29, 10), "5个镇街未提交"),
    ("明天下午3点所有镇街", at(2026, 11, 27, 15), "所有镇街"),
    ("明天下午3點 所有鎮街", at(2026, 11, 27, 15), "所有鎮街"),  # the rest is kept as written
    ("in 2 hours check the photos", at(2026, 11, 26, 12), "check the photos"),
    ("the 5th of december at 3pm please send", at(2026, 12, 5, 15), "please send"),
    ("两小时后", at(2026, 11, 26, 12), ""),
    ("周五 下午茶活动", at(2026, 11, 27), "下午茶活动"),  # 下午茶 is not the afternoon
    ("明天 5号楼集合", at(2026, 11, 27), "5号楼集合"),  # 5号楼 is a building
    ("明天十点十五个人", at(2026, 11, 27, 10), "十五个人"),
]


@pytest.mark.parametrize(("args", "expected", "rest"), SPLITS)
def test_split_when(args: str, expected: datetime, rest: str) -> None:
    assert split_when(args, now=THU, tz=SH) == (expected, rest)


@pytest.mark.parametrize(
    ("args", "code"),
    [("所有镇街 提交", "unknown"), ("明天25点 开会", "invalid"), ("5 units left", "unknown")],
)
def test_split_when_refused(args: str, code: str) -> None:
    with pytest.raises(WhenError) as err:
        split_when(args, now=THU, tz=SH)
    assert err.value.code == code


def test_other_zone_and_naive_now() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    got = parse_when("明天下午3点", now=THU, tz=berlin)  # THU is 03:00 in Berlin, same day
    assert got == datetime(2026, 11, 27, 15, tzinfo=berlin)
    assert got.isoformat() == "2026-11-27T15:00:00+01:00"
    assert parse_when("明天", now=THU.replace(tzinfo=None), tz=SH) == at(2026, 11, 27)


def test_dateparser_is_imported_lazily() -> None:
    code = (
        "import sys; from datetime import datetime; from zoneinfo import ZoneInfo;"
        "from bot.when import parse_when; tz = ZoneInfo('Asia/Shanghai');"
        "parse_when('明天下午3点', now=datetime(2026, 11, 26, 10, tzinfo=tz), tz=tz);"
        "print('dateparser' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


runner = CliRunner()


def test_cli_prints_iso() -> None:
    result = runner.invoke(
        app, ["明天下午3点", "--now", "2026-11-26T10:00", "--tz", "Asia/Shanghai"]
    )
    assert result.exit_code == 0, result.output
    assert result.output == "2026-11-27T15:00:00+08:00\n"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["明天25点", "--now", "2026-11-26T10:00", "--tz", "Asia/Shanghai"], "25"),
        (["banana", "--now", "2026-11-26T10:00", "--tz", "Asia/Shanghai"], "banana"),
        (["明天", "--now", "yesterday", "--tz", "Asia/Shanghai"], "--now"),
        (["明天", "--now", "2026-11-26T10:00", "--tz", "Mars/Base"], "Mars/Base"),
    ],
)
def test_cli_fails_with_one_line(args: list[str], needle: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in result.output


def test_cli_zone_defaults_to_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("COORDBOT_TIMEZONE", "Europe/Berlin")
    result = runner.invoke(app, ["tomorrow 3pm", "--now", "2026-11-26T10:00"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-11-27T15:00:00+01:00"
