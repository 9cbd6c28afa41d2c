"""Plan a campaign's reminders into the ledger, from its reminder policy.

* task deadlines: each offset of ``task_deadline`` (default T-3d, T-1d, the day at 09:00), one
  row per responsible unit, key ``task:9:unit:虎门镇:T-1d``;
* interviews: ``interview`` offsets (default T-7d "contact the office, prepare materials",
  T-1d), one row per unit, key ``interview:3:unit:虎门镇:T-7d``;
* registration: ``registration`` offsets before the registration deadline, one row per unit
  (at send time only units still without a liaison are named);
* overdue: on each working day after a deadline (up to ``MAX_OVERDUE_DAYS`` working days), one
  row per responsible unit at 09:00, key ``task:9:unit:虎门镇:overdue:2026-11-30``.

Send times go through ``plan_send_time`` (weekends, holidays, 调休; quiet hours → earlier).
A date-only deadline (23:59) has its day reminders at 09:00. Offsets whose send time is not
before the deadline, or whose deadline has passed, are not planned. Planning is idempotent:
existing keys are left alone (a still-planned row follows a moved deadline).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.campaign.spec import ReminderOffset, ReminderPolicy
from bot.reminders import ledger
from bot.workdays import (
    is_working_day,
    missing_years,
    next_allowed_time,
    plan_send_time,
    working_days_between,
)
from storage import campaigns
from storage.models.core import Campaign

MORNING = time(9, 0)
MAX_OVERDUE_DAYS = 10


def policy_of(campaign: Campaign) -> ReminderPolicy:
    try:
        return ReminderPolicy.from_json(campaign.reminder_policy or {})
    except ValueError:
        return ReminderPolicy.default()


def nominal_time(at: datetime, offset: ReminderOffset, tz: ZoneInfo) -> datetime:
    """When the offset names, before ``at`` (local wall-clock arithmetic)."""
    local = at.astimezone(tz)
    if offset.hours:
        return local - timedelta(hours=offset.hours)
    day = local - timedelta(days=offset.days)
    if offset.at is not None:
        return day.replace(hour=offset.at.hour, minute=offset.at.minute, second=0, microsecond=0)
    if (local.hour, local.minute) == (23, 59):  # a date-only deadline: remind in the morning
        return day.replace(hour=MORNING.hour, minute=0, second=0, microsecond=0)
    return day


def plan_campaign(session: Session, *, campaign_id: int, now: datetime) -> int:
    """Insert the reminders the campaign needs and does not have yet; return how many."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return 0
    tz = ZoneInfo(campaign.timezone or "Asia/Shanghai")
    policy = policy_of(campaign)
    quiet = (policy.quiet_start, policy.quiet_end)
    added = 0

    def plan(
        key: str,
        kind: str,
        subject: str,
        offset: str,
        at: datetime,
        send: datetime,
        unit: Any,
        extra: dict[str, Any],
    ) -> None:
        nonlocal added
        payload = {"subject": subject, "offset": offset, **extra}
        values = {
            "key": key,
            "kind": kind,
            "campaign_id": campaign_id,
            "unit_id": unit.id,
            "target": f"unit:{unit.id}",
            "due_at": send,
            "useful_until": at,
            "payload": payload,
            "created_at": now,
        }
        if ledger.insert_if_absent(session, values):
            added += 1
        else:
            ledger.replan(session, campaign_id, key, send, at)

    for task in campaigns.list_tasks(session, campaign_id):
        if task.deadline <= now:
            continue
        units = campaigns.task_units(session, task, "responsible")
        for offset in policy.task_deadline:
            send = plan_send_time(nominal_time(task.deadline, offset, tz), quiet=quiet)
            if send >= task.deadline:
                continue
            for unit in units:
                key = f"task:{task.number}:unit:{unit.name}:T-{offset}"
                extra = {"task_id": task.id, "morning": offset.days == 0}
                plan(
                    key,
                    "task_deadline",
                    f"task:{task.number}",
                    str(offset),
                    task.deadline,
                    send,
                    unit,
                    extra,
                )
    for interview in campaigns.list_interviews(session, campaign_id):
        if interview.at <= now:
            continue
        taking_part = {u.unit_id for u in interview.units}
        for offset in policy.interview:
            send = plan_send_time(nominal_time(interview.at, offset, tz), quiet=quiet)
            if send >= interview.at:
                continue
            for unit in campaigns.list_units(session, campaign_id):
                if unit.id not in taking_part:
                    continue
                key = f"interview:{interview.number}:unit:{unit.name}:T-{offset}"
                extra = {"interview_id": interview.id, "contact": offset.days >= 2}
                plan(
                    key,
                    "interview",
                    f"interview:{interview.number}",
                    str(offset),
                    interview.at,
                    send,
                    unit,
                    extra,
                )
    deadline = campaign.registration_deadline
    if deadline is not None and deadline > now:
        for offset in policy.registration:
            send = plan_send_time(nominal_time(deadline, offset, tz), quiet=quiet)
            if send >= deadline:
                continue
            for unit in campaigns.list_units(session, campaign_id):
                key = f"registration:unit:{unit.name}:T-{offset}"
                plan(key, "registration", "registration", str(offset), deadline, send, unit, {})
    added += plan_overdue(session, campaign_id=campaign_id, now=now, tz=tz, quiet=quiet)
    return added


def plan_overdue(
    session: Session, *, campaign_id: int, now: datetime, tz: ZoneInfo, quiet: tuple[time, time]
) -> int:
    """Today's overdue reminders (a working day): one per responsible unit of each task whose
    deadline passed 1..MAX_OVERDUE_DAYS working days ago. Units that are done are skipped when
    the row comes due."""
    today = now.astimezone(tz).date()
    if not is_working_day(today):
        return 0
    added = 0
    morning = datetime.combine(today, MORNING, tzinfo=tz)
    send = next_allowed_time(morning, quiet=quiet)
    end_of_day = datetime.combine(today, time(23, 59), tzinfo=tz)
    for task in campaigns.list_tasks(session, campaign_id):
        if task.deadline > now:
            continue
        days = working_days_between(task.deadline.astimezone(tz).date(), today)
        if not 1 <= days <= MAX_OVERDUE_DAYS:
            continue
        for unit in campaigns.task_units(session, task, "responsible"):
            values = {
                "key": f"task:{task.number}:unit:{unit.name}:overdue:{today.isoformat()}",
                "kind": "overdue",
                "campaign_id": campaign_id,
                "unit_id": unit.id,
                "target": f"unit:{unit.id}",
                "due_at": send,
                "useful_until": end_of_day,
                "payload": {
                    "subject": f"task:{task.number}:overdue:{today.isoformat()}",
                    "offset": "overdue",
                    "task_id": task.id,
                    "overdue_days": days,
                },
                "created_at": now,
            }
            added += ledger.insert_if_absent(session, values)
    return added


def calendar_gaps(session: Session, *, campaign_id: int, now: datetime) -> list[int]:
    """The years from today to the campaign's last deadline, interview, registration deadline
    or overdue reminder (``MAX_OVERDUE_DAYS`` later) with no holiday data: reminders planned
    there assume Monday–Friday. The digest and /status tell coordinators."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return []
    tz = ZoneInfo(campaign.timezone or "Asia/Shanghai")
    dates = [t.deadline for t in campaigns.list_tasks(session, campaign_id)]
    dates += [i.at for i in campaigns.list_interviews(session, campaign_id)]
    if campaign.registration_deadline is not None:
        dates.append(campaign.registration_deadline)
    today = now.astimezone(tz).date()
    last = max([d.astimezone(tz).date() for d in dates], default=today)
    if last < today:
        return []
    last += timedelta(days=2 * MAX_OVERDUE_DAYS)  # overdue reminders run on after a deadline
    return missing_years(date(y, 1, 1) for y in range(today.year, last.year + 1))
