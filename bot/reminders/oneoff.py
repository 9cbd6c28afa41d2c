"""One-off reminders (``/remind``): a draft echoed to the coordinator, confirmed by a button,
then planned in the ledger like any other reminder; listed and cancelled by id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy.orm import Session

from bot.campaign.spec import ReminderPolicy
from bot.reminders import ledger
from bot.reminders.planner import policy_of
from bot.reminders.targets import Target, audience
from bot.when.office import DEFAULT_OFFICE, OfficeHours
from bot.workdays import apply_quiet_hours
from storage.models.core import Campaign
from storage.models.reminders import Reminder

# How far ahead a one-off reminder may be set: a campaign runs for months, not centuries.
MAX_AHEAD = timedelta(days=366)


def quiet_hours(session: Session, campaign_id: int | None) -> tuple[time, time]:
    """The campaign's quiet hours (its ``quiet_hours``), else the default 21:00–08:00."""
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    policy = policy_of(campaign) if campaign is not None else ReminderPolicy.default()
    return policy.quiet_start, policy.quiet_end


def send_time(
    at: datetime, *, quiet: tuple[time, time], tz: tzinfo, now: datetime
) -> datetime | None:
    """When a reminder asked for ``at`` goes out: moved out of the quiet hours; None when ``at``
    is further ahead than ``MAX_AHEAD`` (nothing to plan, and no date arithmetic past year 9999)."""
    if at - now > MAX_AHEAD:
        return None
    return apply_quiet_hours(at.astimezone(tz), start=quiet[0], end=quiet[1])


@dataclass(frozen=True)
class Draft:
    id: int
    due_at: datetime
    chats: int


def draft(
    session: Session,
    *,
    campaign_id: int | None,
    created_by: int,
    chat_id: int,
    target: Target,
    text: str,
    due_at: datetime,
    now: datetime,
) -> Draft:
    """Save the reminder as a draft (not sent until confirmed); how many chats it would reach."""
    row = Reminder(
        key=f"oneoff:{uuid.uuid4().hex}",
        kind="oneoff",
        campaign_id=campaign_id,
        target=target.spec,
        chat_id=chat_id,
        due_at=due_at,
        payload={"kind": target.kind, "label": target.label},
        text=text,
        state="draft",
        created_by=created_by,
        created_at=now,
        note="",
    )
    session.add(row)
    session.flush()
    return Draft(row.id, due_at, len(audience(session, campaign_id=campaign_id, spec=target.spec)))


def confirm(session: Session, reminder_id: int) -> Reminder | None:
    """The confirm button: draft → planned (None if it is no longer a draft)."""
    row = ledger.set_state(session, reminder_id, "planned", from_states=("draft",))
    return row if row is not None and row.kind == "oneoff" else None


def cancel(session: Session, reminder_id: int) -> Reminder | None:
    """``/reminders cancel <id>`` or the cancel button: a draft or planned reminder is dropped."""
    row = session.get(Reminder, reminder_id)
    if row is None or row.kind != "oneoff":
        return None
    return ledger.set_state(session, reminder_id, "cancelled", from_states=("draft", "planned"))


def pending(session: Session) -> list[Reminder]:
    return ledger.pending_oneoffs(session)


def office_hours(session: Session, campaign_id: int | None) -> OfficeHours:
    """The campaign's office hours (for 下班前 / 上班前 in ``/remind``), or the default."""
    campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
    if campaign is None:
        return DEFAULT_OFFICE
    try:
        return OfficeHours.parse(policy_of(campaign).office_hours)
    except ValueError:
        return DEFAULT_OFFICE
