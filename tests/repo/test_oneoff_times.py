"""When a one-off /remind goes out: the campaign's own quiet hours, and nothing planned further
than a year ahead (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db import Database
from bot.reminders import oneoff
from storage.models.core import Campaign

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


def campaign(database: Database, quiet: str | None) -> int:
    def add(session: object) -> int:
        policy = {"quiet_hours": quiet} if quiet else {}
        row = Campaign(slug=f"q{quiet}", title="提醒", reminder_policy=policy)
        session.add(row)  # type: ignore[attr-defined]
        session.flush()  # type: ignore[attr-defined]
        return row.id

    return database.call(add)


def test_remind_uses_the_campaigns_quiet_hours(database: Database) -> None:
    late = campaign(database, "23:00-06:30")
    quiet = database.call(oneoff.quiet_hours, late)
    assert quiet == (time(23, 0), time(6, 30))
    at_21_30 = datetime(2026, 3, 3, 21, 30, tzinfo=SHANGHAI)  # quiet by default, not here
    assert oneoff.send_time(at_21_30, quiet=quiet, tz=SHANGHAI, now=NOW) == at_21_30
    at_23_30 = datetime(2026, 3, 3, 23, 30, tzinfo=SHANGHAI)
    moved = datetime(2026, 3, 4, 6, 30, tzinfo=SHANGHAI)
    assert oneoff.send_time(at_23_30, quiet=quiet, tz=SHANGHAI, now=NOW) == moved
    default = database.call(oneoff.quiet_hours, campaign(database, None))
    assert default == (time(21, 0), time(8, 0))
    assert database.call(oneoff.quiet_hours, None) == default


def test_remind_refuses_times_past_a_year_and_the_end_of_the_calendar(database: Database) -> None:
    quiet = database.call(oneoff.quiet_hours, campaign(database, None))
    last = datetime(9999, 12, 31, 23, 59, tzinfo=SHANGHAI)  # quiet: moving it overflowed
    assert oneoff.send_time(last, quiet=quiet, tz=SHANGHAI, now=NOW) is None
    in_a_year = NOW + oneoff.MAX_AHEAD
    assert oneoff.send_time(in_a_year, quiet=quiet, tz=SHANGHAI, now=NOW) == in_a_year
    beyond = NOW + oneoff.MAX_AHEAD + timedelta(minutes=1)
    assert oneoff.send_time(beyond, quiet=quiet, tz=SHANGHAI, now=NOW) is None
