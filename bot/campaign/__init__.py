"""Campaigns as data: YAML file -> validated ``CampaignSpec`` -> database rows.

spec = parse_file("config/campaigns/quality-city-2013.yaml")   # or CampaignErrors
spec = rebase(spec, date(2025, 3, 10))                         # optional
report = load(session, spec, now=now)                          # idempotent; never commits
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.campaign.loader import load
from bot.campaign.parse import CampaignErrors, parse_file, parse_text
from bot.campaign.rebase import first_deadline, rebase, shift
from bot.campaign.report import LoadReport
from bot.campaign.spec import (
    CampaignSpec,
    GroupSpec,
    InterviewSpec,
    QuotaItemSpec,
    ReminderOffset,
    ReminderPolicy,
    TaskSpec,
    UnitSpec,
)
from storage.campaigns import get_campaign


def load_file(
    session: Session,
    path: str | Path,
    *,
    now: datetime,
    rebase_to: date | None = None,
    actor_id: int | None = None,
) -> LoadReport:
    """Parse, rebase (to ``rebase_to``, else by the shift stored with the campaign), and load
    a campaign file (raises ``CampaignErrors``)."""
    spec = parse_file(path)
    spec = rebase(spec, rebase_to) if rebase_to is not None else remembered_shift(session, spec)
    return load(session, spec, now=now, source=Path(path).resolve(), actor_id=actor_id)


def remembered_shift(session: Session, spec: CampaignSpec) -> CampaignSpec:
    """``spec`` moved by the shift its campaign was last loaded with (a demo rebased once keeps
    its dates when the file is reloaded without ``--rebase``)."""
    stored = get_campaign(session, spec.slug)
    if stored is None or not stored.rebase_days or spec.rebase_days:
        return spec
    return shift(spec, stored.rebase_days)


__all__ = [
    "CampaignErrors",
    "CampaignSpec",
    "GroupSpec",
    "InterviewSpec",
    "LoadReport",
    "QuotaItemSpec",
    "ReminderOffset",
    "ReminderPolicy",
    "TaskSpec",
    "UnitSpec",
    "first_deadline",
    "load",
    "load_file",
    "parse_file",
    "parse_text",
    "rebase",
    "remembered_shift",
    "shift",
]
