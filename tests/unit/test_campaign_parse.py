"""Campaign files: every error kind names its field and line; both shipped files validate."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.campaign import (
    CampaignErrors,
    ReminderOffset,
    ReminderPolicy,
    parse_file,
    parse_text,
    rebase,
)
from bot.campaign.cli import campaign_app

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "campaigns"
QUALITY = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"
HOUSEHOLD = ROOT / "config" / "campaigns" / "household-survey-2018.yaml"
SHA = ZoneInfo("Asia/Shanghai")

EXPECTED = {
    "bad-date.yaml": [
        "tasks[1].deadline (line 12): '2013-11-31' is not a date",
        "tasks[1].starts (line 13): '11月1日' is not a date (use YYYY-MM-DD or YYYY-MM-DD HH:MM)",
        "interviews[0].date (line 16): '2013-11-12 25:00': not a time of day",
    ],
    "names.yaml": [
        "units[0].tags[0] (line 4): '镇街' is both a tag and the name of unit '镇街'",
        "units[1].aliases[1] (line 5): '虎门' is already the alias of '虎门镇'",
        "units[2].aliases[0] (line 6): '长安镇' is already the name of '长安镇'",
        "units[4].name (line 8): duplicate unit name",
        "tasks[0].responsible[1] (line 13): unknown unit or tag '厚街镇'",
        "interviews[0].units[0] (line 16): unknown unit or tag '东城'",
    ],
    "duplicates.yaml": [
        "tasks[2].number (line 8): task number 1 is used twice",
        "interviews[1].number (line 11): interview number 3 is used twice",
        "groups[1].chat_id (line 14): chat -1001 is listed twice",
    ],
    "types.yaml": [
        "campaign.timezone (line 5): unknown time zone 'Asia/Dongguan'",
        "campaign.color (line 6): unknown key 'color' (allowed: slug, title, timezone, "
        "registration_deadline, faq, reminders)",
        "campaign.reminders.task_deadline[1] (line 7): '3 days' is not a reminder offset "
        "like 3d, 2h or 0d@09:00",
        "campaign.reminders.quiet_hours (line 7): '21:00' is not HH:MM-HH:MM",
        "units[0].kind (line 9): 'village' is not one of town, department, company, media, other",
        "units[1].name (line 10): expected text, got a list",
        "tasks[0].number (line 14): expected an integer, got text",
        "tasks[0].quota.flags (line 18): 'flags' is not a quota item (known: posters)",
        "tasks[1].deadline (line 21): '20131120' is not a date (use YYYY-MM-DD)",
        "tasks[1].quota.posters (line 23): -1 is below the minimum 0",
        "tasks[1].owner (line 24): unknown key 'owner' (allowed: number, title, deadline, "
        "responsible, starts, assisting, quota, notes, phase)",
        "groups[0].chat_id (line 26): expected an integer, got text",
        "groups[0].purpose (line 26): 'party' is not one of coordination, unit, residents",
    ],
    "bad-yaml.yaml": ["document (line 5): bad YAML: expected ',' or '}', but got ':'"],
}

MINIMAL = """\
version: 1
campaign: {slug: mini, title: 小测试}
units:
  - {name: 虎门镇, aliases: [虎门], kind: town, tags: [镇街]}
  - {name: 长安镇, aliases: [长安], kind: town, tags: [镇街]}
  - {name: 强市办, kind: department, tags: [部门]}
"""


def errors_of(text: str, **kwargs: object) -> list[str]:
    with pytest.raises(CampaignErrors) as exc:
        parse_text(text, **kwargs)  # type: ignore[arg-type]
    return exc.value.errors


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_lists_every_error_with_field_and_line(name: str) -> None:
    with pytest.raises(CampaignErrors) as exc:
        parse_file(DATA / name)
    assert exc.value.errors == EXPECTED[name]
    assert exc.value.lines()[0] == f"{DATA / name}: {EXPECTED[name][0]}"


def test_every_broken_file_is_covered() -> None:
    assert {p.name for p in DATA.glob("*.yaml")} == set(EXPECTED)


def test_unit_named_both_responsible_and_assisting_is_an_error_but_via_tag_is_not() -> None:
    text = MINIMAL + (
        "tasks:\n"
        "  - {number: 1, title: 甲, deadline: 2013-11-20,\n"
        "     responsible: [虎门], assisting: [虎门镇]}\n"
        "  - {number: 2, title: 乙, deadline: 2013-11-20,\n"
        "     responsible: [虎门], assisting: [镇街]}\n"
    )
    assert errors_of(text) == ["tasks[0].assisting[0] (line 9): '虎门镇' is also responsible"]
    ok = parse_text(text.replace("assisting: [虎门镇]", "assisting: [强市办]"))
    assert ok.tasks[1].responsible == ("虎门镇",) and ok.tasks[1].assisting == ("长安镇",)


def test_missing_keys_empty_lists_and_starts_after_deadline() -> None:
    text = MINIMAL + (
        "tasks:\n"
        "  - {number: 1, title: 甲, responsible: [虎门]}\n"
        "  - {number: 2, title: 乙, deadline: 2013-11-20, responsible: []}\n"
        "  - {number: 3, title: 丙, deadline: 2013-11-20, starts: 2013-11-21, responsible: 虎门}\n"
    )
    assert errors_of(text) == [
        "tasks[0] (line 8): missing required key 'deadline'",
        "tasks[1].responsible (line 9): at least one unit is needed",
        "tasks[2].starts (line 10): starts after the deadline",
    ]


def test_top_level_problems() -> None:
    assert errors_of("") == ["document (line 1): the file is empty"]
    assert errors_of("- a\n- b\n") == ["document (line 1): expected a mapping, got a list"]
    errors = errors_of(MINIMAL.replace("version: 1", "version: 2") + "extra: 1\n")
    assert errors == [
        "version (line 1): unsupported version 2 (expected 1)",
        "extra (line 7): unknown key 'extra' (allowed: version, campaign, units, groups, "
        "quota_items, tasks, interviews)",
    ]
    assert errors_of(MINIMAL.replace("{slug: mini,", "{slug: mini, slug: again,")) == [
        "campaign.slug (line 2): duplicate key 'slug'"
    ]
    assert errors_of("version: 1\ncampaign: {slug: Bad Slug, title: x}\nunits: []\n") == [
        "campaign.slug (line 2): 'Bad Slug' must be lower-case letters, digits, -",
        "units (line 3): at least one unit is needed",
    ]


def test_faq_reference_is_resolved_next_to_the_campaign_file(tmp_path: Path) -> None:
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "faq").mkdir()
    text = MINIMAL.replace("title: 小测试}", "title: 小测试, faq: ../faq/mini.yaml}")
    path = tmp_path / "campaigns" / "mini.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CampaignErrors) as exc:
        parse_file(path)
    assert exc.value.errors[0].startswith(
        "campaign.faq (line 2): FAQ file '../faq/mini.yaml' not found"
    )
    (tmp_path / "faq" / "mini.yaml").write_text("version: 1\n", encoding="utf-8")
    assert parse_file(path).faq == tmp_path / "faq" / "mini.yaml"


def test_dates_times_aliases_and_tags_resolve() -> None:
    text = MINIMAL.replace("title: 小测试}", "title: 小测试, registration_deadline: 2013-11-11}")
    text += (
        "quota_items: [{key: posters, name: 海报, measure: 张, aliases: [宣传海报]}]\n"
        "tasks:\n"
        "  - {number: 9, title: 海报, deadline: 2013-11-20, responsible: 镇街,\n"
        "     quota: {posters: 100}}\n"
        "  - {number: 2, title: 乙, deadline: '2013-11-15 12:00', responsible: [强市办, 长安]}\n"
        "  - {number: 3, title: 丙, deadline: 2013-11-15T04:00:00Z, responsible: [虎门]}\n"
        "interviews: [{number: 1, date: 2013-11-12, units: [长安, 部门]}]\n"
        "groups: [{chat_id: -100123, units: [虎门, 镇街]}, {chat_id: -5, purpose: coordination}]\n"
    )
    spec = parse_text(text)
    t9, t2, t3 = spec.tasks
    assert t9.deadline == datetime(2013, 11, 20, 23, 59, tzinfo=SHA)
    assert t9.responsible == ("虎门镇", "长安镇") and t9.quota == (("posters", 100),)
    assert t2.deadline == datetime(2013, 11, 15, 12, 0, tzinfo=SHA)
    assert t2.responsible == ("强市办", "长安镇")
    assert t3.deadline == datetime(2013, 11, 15, 12, 0, tzinfo=SHA)
    assert spec.interviews[0].at == datetime(2013, 11, 12, 9, 0, tzinfo=SHA)
    assert spec.interviews[0].units == ("长安镇", "强市办")
    assert spec.interviews[0].contact_days_before == 7
    assert spec.registration_deadline == datetime(2013, 11, 11, 23, 59, tzinfo=SHA)
    assert (spec.groups[0].units, spec.groups[0].tags) == (("虎门镇",), ("镇街",))
    assert spec.groups[1].purpose == "coordination" and spec.groups[1].units == ()
    assert spec.reminders.to_json()["task_deadline"] == ["3d", "1d", "0d@09:00"]


def test_reminder_offsets() -> None:
    assert ReminderOffset.parse("0d@09:00") == ReminderOffset(days=0, at=time(9, 0))
    assert ReminderOffset.parse("2h") == ReminderOffset(hours=2)
    assert str(ReminderOffset.parse("3d")) == "3d"
    for bad in ("3", "d3", "2h@09:00", "1d@24:00", "-1d"):
        with pytest.raises(ValueError):
            ReminderOffset.parse(bad)


def test_quality_city_campaign_matches_the_seed() -> None:
    spec = parse_file(QUALITY)
    assert spec.slug == "quality-city-2013" and spec.timezone == "Asia/Shanghai"
    assert spec.faq == ROOT / "config" / "faq" / "quality-city-2013-liaisons.yaml"
    assert [t.number for t in spec.tasks] == list(range(1, 16))
    assert len(spec.interviews) == 10 and all(i.contact_days_before == 7 for i in spec.interviews)
    assert spec.registration_deadline == datetime(2013, 11, 11, 17, 30, tzinfo=SHA)
    towns = [u for u in spec.units if "镇街" in u.tags]
    assert len(towns) == 32 and all(u.kind == "town" for u in towns)
    assert spec.unit("虎门镇").aliases == ("虎门",) and spec.unit("莞城街道").aliases == ("莞城",)
    t7, t9 = spec.tasks[6], spec.tasks[8]
    assert t7.starts == datetime(2013, 11, 10, 0, 0, tzinfo=SHA)
    assert t7.deadline == datetime(2014, 1, 10, 23, 59, tzinfo=SHA)
    assert t9.responsible == tuple(u.name for u in towns)
    assert dict(t9.quota) == {"posters": 100, "banners": 10}
    words = {q.key: {q.name, *q.aliases} for q in spec.quota_items}
    assert {"海报", "宣传海报", "张贴海报", "posters"} <= words["posters"]
    assert {"标语", "横幅", "宣传标语", "banners"} <= words["banners"]
    assert spec.interviews[7].units == ("市农业局", "松山湖")
    assert spec.interviews[9].at == datetime(2014, 1, 14, 9, 0, tzinfo=SHA)


def test_household_campaign_validates_and_its_faq_reference_is_checked() -> None:
    spec = parse_file(HOUSEHOLD, check_files=False)
    assert spec.faq == ROOT / "config" / "faq" / "household-survey-2018.yaml"
    phases = {t.number: (t.starts, t.deadline) for t in spec.tasks}
    assert phases[1] == (
        datetime(2018, 7, 1, tzinfo=SHA),
        datetime(2018, 10, 31, 23, 59, tzinfo=SHA),
    )
    assert phases[2][0] == datetime(2018, 11, 1, tzinfo=SHA)
    assert "松山湖" in spec.tasks[0].responsible and len(spec.tasks[0].responsible) == 33
    if spec.faq is not None and spec.faq.is_file():
        parse_file(HOUSEHOLD)
    else:
        with pytest.raises(CampaignErrors) as exc:
            parse_file(HOUSEHOLD)
        assert len(exc.value.errors) == 1 and "campaign.faq (line" in exc.value.errors[0]


@pytest.mark.parametrize("path", [QUALITY, HOUSEHOLD])
def test_shipped_files_carry_no_phone_numbers_or_emails(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\d{8,}", re.sub(r"chat_id: -\d+", "", text))
    assert "@" not in text.replace("0d@", "")


def test_rebase_shifts_every_date_by_the_same_whole_weeks() -> None:
    spec = parse_file(QUALITY)
    moved = rebase(spec, date(2025, 3, 3))
    first = min(t.deadline.date() for t in moved.tasks)
    assert date(2025, 3, 3) <= first < date(2025, 3, 10)  # the week from the day, none before
    assert moved.rebase_days % 7 == 0
    delta = timedelta(days=moved.rebase_days)
    pairs: list[tuple[datetime | None, datetime | None]]
    pairs = [(a.deadline, b.deadline) for a, b in zip(spec.tasks, moved.tasks, strict=True)]
    pairs += [(a.at, b.at) for a, b in zip(spec.interviews, moved.interviews, strict=True)]
    pairs += [(spec.tasks[6].starts, moved.tasks[6].starts)]
    pairs += [(spec.registration_deadline, moved.registration_deadline)]
    for old, new in pairs:
        assert old is not None and new is not None
        assert new.date() - old.date() == delta and new.timetz() == old.timetz()
        assert new.weekday() == old.weekday()  # Tuesday interviews stay on Tuesdays
    assert rebase(moved, date(2013, 11, 10)).tasks == spec.tasks


@pytest.mark.parametrize("day", [date(2026, 12, d) for d in range(1, 8)])
def test_rebase_to_any_day_of_a_week_leaves_no_deadline_before_it(day: date) -> None:
    moved = rebase(parse_file(QUALITY), day)
    firsts = [t.deadline.date() for t in moved.tasks]
    assert day <= min(firsts) <= day + timedelta(days=6)


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_rebase_keeps_local_wall_time_across_dst(first: date) -> None:
    berlin = "version: 1\ncampaign: {slug: b, title: b, timezone: Europe/Berlin}\n"
    text = (
        berlin
        + MINIMAL.split("\n", 2)[2]
        + (
            "tasks:\n"
            "  - {number: 1, title: a, deadline: '2021-03-20 08:30', responsible: 虎门}\n"
            "  - {number: 2, title: b, deadline: '2021-04-20 18:00', responsible: 虎门}\n"
        )
    )
    moved = rebase(parse_text(text), first)
    a, b = moved.tasks
    assert 0 <= (a.deadline.date() - first).days < 7 and a.deadline.time() == time(8, 30)
    assert a.deadline.weekday() == date(2021, 3, 20).weekday()
    assert (b.deadline.date() - a.deadline.date()).days == 31 and b.deadline.time() == time(18, 0)


def test_cli_validate_prints_ok_or_every_error_with_the_file_name() -> None:
    runner = CliRunner()
    ok = runner.invoke(campaign_app, ["validate", str(QUALITY)])
    assert ok.exit_code == 0
    assert ok.output.strip() == "OK: quality-city-2013: 65 units, 15 tasks, 10 interviews"
    bad = runner.invoke(campaign_app, ["validate", str(DATA / "bad-date.yaml")])
    assert bad.exit_code == 1
    lines = bad.output.strip().splitlines()
    assert lines == [f"{DATA / 'bad-date.yaml'}: {e}" for e in EXPECTED["bad-date.yaml"]]
    missing = runner.invoke(campaign_app, ["validate", str(DATA / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot read the file" in missing.output


def test_office_hours_in_the_reminder_policy() -> None:
    """``reminders.office_hours`` (下班前 / 上班前 in /remind); default 09:00–17:30, lunch."""
    assert parse_text(MINIMAL).reminders.office_hours == "09:00-12:00, 13:30-17:30"
    text = MINIMAL.replace(
        "title: 小测试}", 'title: 小测试, reminders: {office_hours: "08:30-12:00,14:00-18:00"}}'
    )
    policy = parse_text(text).reminders
    assert policy.to_json()["office_hours"] == "08:30-12:00, 14:00-18:00"
    assert ReminderPolicy.from_json(policy.to_json()) == policy
    bad = MINIMAL.replace("title: 小测试}", 'title: 小测试, reminders: {office_hours: "9-5"}}')
    (error,) = errors_of(bad)
    assert error.startswith("campaign.reminders.office_hours (line 2): '9-5' is not HH:MM-HH:MM")
