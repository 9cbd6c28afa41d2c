"""Properties of time phrases over many "now"s (hypothesis), 2025-01-01 .. 2026-12-31:
what /remind accepts is never in the past, and a phrase that asks for a working day never
lands on a day off (调休 included) — it resolves there or is refused in one line."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import WhenError, parse_when, split_when
from bot.workdays import has_calendar, is_working_day

SH = ZoneInfo("Asia/Shanghai")
NOWS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31, 23, 59)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=SH)
)
# around National Day 2026 and month ends, where the rules matter most
HOT_NOWS = st.one_of(
    st.builds(
        lambda d, m: datetime.combine(d, time()).replace(tzinfo=SH) + timedelta(minutes=m),
        st.dates(date(2026, 9, 15), date(2026, 10, 15)),
        st.integers(0, 24 * 60 - 1),
    ),
    st.builds(
        lambda mo, back, m: datetime(2026, mo + 1, 1, tzinfo=SH) - timedelta(days=back, minutes=m),
        st.integers(1, 11),
        st.integers(0, 3),
        st.integers(1, 24 * 60),
    ),
)
WORKDAY_PHRASES = [
    "周五下班前", "周五前", "下班前", "上班前", "下周一上班前", "月底前", "本周内", "下周内",
    "国庆后第一个工作日", "国庆前", "节后第一个工作日", "节前", "春节前", "10月1日后第一个工作日",
    "明天后第一个工作日", "月初", "下月初", "季度末前", "年底前", "上午下班前", "下午上班前",
    "下个工作日", "国庆前最后一个工作日", "节后上班第一天", "三个工作日内", "明天上班前",
]  # fmt: skip
EVERYDAY = [
    "明天下午3点", "后天上午10点半", "今晚8点", "下周一", "周五", "三天后", "两小时后", "20号",
    "12月10日", "月底", "昨天", "3天前", "五日内", "半小时之内", "5秒之后", "本周三",
]  # fmt: skip


def _resolve(text: str, now: datetime) -> datetime | None:
    try:
        return parse_when(text, now=now, tz=SH, allow_past=True)
    except WhenError as exc:
        assert exc.code in ("no_calendar", "invalid"), (text, now, exc)
        return None


@settings(max_examples=300, deadline=None)
@given(now=st.one_of(NOWS, HOT_NOWS), text=st.sampled_from(WORKDAY_PHRASES + EVERYDAY))
def test_remind_never_accepts_the_past(now: datetime, text: str) -> None:
    try:
        at, rest = split_when(f"{text} 镇街 提交材料", now=now, tz=SH)
    except WhenError as exc:
        assert exc.code in ("past", "no_calendar", "invalid")
        assert "\n" not in exc.zh and "\n" not in exc.en
        return
    assert at > now and rest == "镇街 提交材料"


@settings(max_examples=300, deadline=None)
@given(now=st.one_of(NOWS, HOT_NOWS), text=st.sampled_from(WORKDAY_PHRASES))
def test_a_working_day_phrase_lands_on_a_working_day(now: datetime, text: str) -> None:
    at = _resolve(text, now)
    if at is not None:
        assert is_working_day(at.date()), (text, now, at)


@settings(max_examples=200, deadline=None)
@given(now=st.one_of(NOWS, HOT_NOWS), n=st.integers(1, 15))
def test_n_working_days_within_is_the_nth_working_day(now: datetime, n: int) -> None:
    at = _resolve(f"{n}个工作日内", now)
    if at is None:
        return
    today = now.date()
    days = [today + timedelta(days=i) for i in range(1, (at.date() - today).days + 1)]
    assert sum(map(is_working_day, days)) == n and is_working_day(at.date())
    assert at.time() == time(17, 30)


@settings(max_examples=200, deadline=None)
@given(now=st.one_of(NOWS, HOT_NOWS))
def test_before_a_date_is_its_last_working_day(now: datetime) -> None:
    target = parse_when("12月5日", now=now, tz=SH, allow_past=True)
    at = _resolve("12月5日前", now)
    if at is None:
        assert not has_calendar(target.year)
        return
    assert at.date() <= target.date() and is_working_day(at.date())
    gap = (target.date() - at.date()).days
    between = [at.date() + timedelta(days=i) for i in range(1, gap + 1)]
    assert not any(map(is_working_day, between))
