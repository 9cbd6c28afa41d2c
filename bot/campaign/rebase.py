"""``--rebase``: move a whole campaign in time so its first deadline falls in the week that
starts on a given day.

Every date of the campaign (task starts and deadlines, interviews, the registration deadline)
moves by the same whole number of weeks, so a Tuesday interview stays on a Tuesday and a
weekday deadline on a weekday; local times of day are kept (wall-clock arithmetic in the
campaign's time zone, so a 23:59 deadline stays 23:59 across a DST change). The shift is
stored with the campaign (``rebase_days``) and applied again when the file is reloaded
without one (``remembered_shift``).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.campaign.spec import CampaignSpec


def first_deadline(spec: CampaignSpec) -> date:
    """The local date of the earliest task deadline."""
    if not spec.tasks:
        raise ValueError(f"campaign {spec.slug!r} has no tasks to rebase on")
    tz = ZoneInfo(spec.timezone)
    return min(t.deadline.astimezone(tz).date() for t in spec.tasks)


def rebase(spec: CampaignSpec, first: date) -> CampaignSpec:
    """A copy of ``spec`` shifted by whole weeks so that its earliest task deadline is on
    ``first`` or within the six days after it (never before: nothing is overdue on ``first``)."""
    days = (first - first_deadline(spec)).days
    return shift(spec, -(-days // 7) * 7)


def shift(spec: CampaignSpec, days: int) -> CampaignSpec:
    """A copy of ``spec`` with every date moved by ``days`` (``rebase_days`` accumulates)."""
    tz = ZoneInfo(spec.timezone)

    def move(at: datetime) -> datetime:
        local = at.astimezone(tz)
        return datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=tz)

    def maybe(at: datetime | None) -> datetime | None:
        return move(at) if at is not None else None

    tasks = tuple(
        dataclasses.replace(t, deadline=move(t.deadline), starts=maybe(t.starts))
        for t in spec.tasks
    )
    interviews = tuple(dataclasses.replace(iv, at=move(iv.at)) for iv in spec.interviews)
    return dataclasses.replace(
        spec,
        tasks=tasks,
        interviews=interviews,
        registration_deadline=maybe(spec.registration_deadline),
        rebase_days=spec.rebase_days + days,
    )
