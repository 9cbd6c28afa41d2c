"""The due-scan: due ledger rows become outbox rows, in the same transaction.

Campaign reminders are grouped by subject (task 9 at T-1d): units that are done, or that
registered a liaison, are skipped; the rest are named in one message per destination — the
unit's bound group, else its liaisons privately, else a list to the coordinators. Of several due
rows for the same unit and subject (the bot was down over two offsets) only the latest is sent.
A row whose ``useful_until`` has passed is skipped, not sent; in quiet hours or on a day off,
a late row waits for the next allowed time. An overdue unit two working days late is also
named to its backup liaisons and in a notice to the coordinators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.reminders import ledger
from bot.reminders.planner import policy_of
from bot.reminders.targets import audience, guarded, liaison_users
from bot.render import fmt_datetime, split_message
from bot.workdays import next_allowed_time
from storage import campaigns, outbox
from storage.models.core import Campaign, Interview, Task, Unit
from storage.models.reminders import Reminder

Translate = Callable[..., str]
ONEOFF_STALE = timedelta(hours=24)  # a one-off reminder missed by more than this is skipped


def queue_due(
    session: Session,
    *,
    now: datetime,
    admins: Iterable[int],
    t: Translate,
    locale: str = "zh-CN",
    tz: ZoneInfo | None = None,
) -> int:
    """Queue what is due; return the number of outbox rows added."""
    rows = ledger.due(session, now)
    admins = sorted(admins)
    queued = 0
    groups: dict[tuple[int | None, str], list[Reminder]] = defaultdict(list)
    for row in rows:
        if row.useful_until is not None and now >= row.useful_until:
            _skip(row, "too late")
        elif row.kind == "oneoff":
            queued += _oneoff(session, row, now=now, tz=tz)
        else:
            groups[(row.campaign_id, str(row.payload.get("subject")))].append(row)
    for (campaign_id, _subject), members in groups.items():
        campaign = session.get(Campaign, campaign_id) if campaign_id is not None else None
        if campaign is None:
            for row in members:
                _skip(row, "campaign gone")
            continue
        ctz = ZoneInfo(campaign.timezone or "Asia/Shanghai")
        policy = policy_of(campaign)
        quiet = (policy.quiet_start, policy.quiet_end)
        if next_allowed_time(now.astimezone(ctz), quiet=quiet) > now:
            continue  # quiet hours or a day off: a late reminder waits
        queued += _campaign_group(session, campaign, members, now, admins, t, locale, ctz)
    return queued


def _skip(row: Reminder, note: str) -> None:
    row.state, row.note = "skipped", note


def _oneoff(session: Session, row: Reminder, *, now: datetime, tz: ZoneInfo | None) -> int:
    if now - row.due_at > ONEOFF_STALE:
        _skip(row, "missed while stopped")
        return 0
    chat_ids = audience(session, campaign_id=row.campaign_id, spec=row.target)
    if not chat_ids:
        _skip(row, "nobody to send to")
        return 0
    batch = f"{ledger.BATCH_PREFIX}{row.id}"
    for chat_id in chat_ids:
        payload = {"method": "sendMessage", "text": row.text}
        outbox.add(
            session,
            chat_id=chat_id,
            payload=payload,
            now=now,
            kind="reminder",
            priority=3,
            dedupe_key=f"{batch}:chat:{chat_id}",
            batch=batch,
        )
    row.state, row.queued_at, row.note = "queued", now, f"to {len(chat_ids)} chats"
    return len(chat_ids)


def _campaign_group(
    session: Session,
    campaign: Campaign,
    rows: list[Reminder],
    now: datetime,
    admins: list[int],
    t: Translate,
    locale: str,
    tz: ZoneInfo,
) -> int:
    latest: dict[int | None, Reminder] = {}
    for row in sorted(rows, key=lambda r: (r.due_at, r.id)):
        if row.unit_id in latest:
            _skip(latest[row.unit_id], "superseded by a later reminder")
        latest[row.unit_id] = row
    first = next(iter(latest.values()))
    done = _done_units(session, campaign.id, first)
    keep: list[tuple[Reminder, Unit]] = []
    for row in latest.values():
        unit = session.get(Unit, row.unit_id) if row.unit_id is not None else None
        if unit is None or not unit.active:
            _skip(row, "unit gone")
        elif unit.id in done:
            _skip(row, "already done")
        else:
            keep.append((row, unit))
    if not keep:
        return 0
    text = _text(session, first, now, t, locale, tz)
    if text is None:
        for row, _unit in keep:
            _skip(row, "subject gone")
        return 0
    by_chat: dict[int, list[str]] = defaultdict(list)
    orphans: list[str] = []
    for _row, unit in keep:
        chat_ids = audience(session, campaign_id=campaign.id, spec=f"unit:{unit.id}")
        for chat_id in chat_ids:
            by_chat[chat_id].append(unit.name)
        if not chat_ids:
            orphans.append(unit.name)
    escalated = [u.name for r, u in keep if int(r.payload.get("overdue_days", 0)) >= 2]
    base = f"rem:{campaign.id}:{first.payload.get('subject')}:{first.payload.get('offset')}"
    added = 0
    for chat_id, names in by_chat.items():
        added += _queue(session, chat_id, _fill(text, names), f"{base}:{chat_id}", now)
    for admin in admins:
        if orphans:
            body = (
                t(locale, "reminders.auto.orphans", units="、".join(orphans))
                + "\n"
                + _fill(text, orphans)
            )
            added += _queue(session, admin, body, f"{base}:orphans:{admin}", now)
        if escalated:
            body = (
                t(locale, "reminders.auto.escalated", units="、".join(escalated))
                + "\n"
                + _fill(text, escalated)
            )
            added += _queue(session, admin, body, f"{base}:escalated:{admin}", now)
    for row, unit in keep:
        if unit.name in escalated:
            for user_id in liaison_users(session, unit.id, backups_only=True):
                body = _fill(text, [unit.name])
                added += _queue(session, user_id, body, f"{base}:backup:{user_id}", now)
        row.state, row.queued_at = "queued", now
    return added


def _fill(text: str, names: list[str]) -> str:
    return text.replace("{units}", "、".join(names))


def _queue(session: Session, chat_id: int, text: str, key: str, now: datetime) -> int:
    parts = split_message(text)
    for i, part in enumerate(parts):
        outbox.add(
            session,
            chat_id=chat_id,
            payload={"method": "sendMessage", "text": part},
            now=now,
            kind="reminder",
            priority=3,
            dedupe_key=f"{key}:{i}"[:200],
        )
    return len(parts)


def _done_units(session: Session, campaign_id: int, row: Reminder) -> set[int]:
    if row.kind in ("task_deadline", "overdue"):
        found = guarded(session, _units_done, int(row.payload.get("task_id", 0)))
    elif row.kind == "registration":
        missing = guarded(session, _without_liaison, campaign_id)
        if missing is None:
            return set()  # registration not there: everyone is missing
        missing_ids = {_unit_id(u) for u in missing}
        return {u.id for u in campaigns.list_units(session, campaign_id)} - missing_ids
    else:
        return set()
    return {_unit_id(u) for u in (found or ())}


def _units_done(session: Session, task_id: int) -> Any:
    from bot.evidence.progress import units_done

    return units_done(session, task_id)


def _without_liaison(session: Session, campaign_id: int) -> Any:
    from storage.liaisons import units_without_liaison

    return units_without_liaison(session, campaign_id)


def _unit_id(item: Any) -> int:
    return int(item) if isinstance(item, int) else int(getattr(item, "id", -1))


def _text(
    session: Session, row: Reminder, now: datetime, t: Translate, locale: str, tz: ZoneInfo
) -> str | None:
    """The message with ``{units}`` left to fill in; None if its task/interview is gone."""
    p = row.payload

    def when(at: datetime) -> str:
        return fmt_datetime(at, tz, locale)

    if row.kind in ("task_deadline", "overdue"):
        task = session.get(Task, int(p.get("task_id", 0)))
        if task is None or task.withdrawn:
            return None
        key = "overdue" if row.kind == "overdue" else "today" if p.get("morning") else "task"
        return t(
            locale,
            f"reminders.auto.{key}",
            number=task.number,
            title=task.title.rstrip("。"),
            deadline=when(task.deadline),
            days=p.get("overdue_days", 0),
            units="{units}",
        )
    if row.kind == "interview":
        interview = session.get(Interview, int(p.get("interview_id", 0)))
        if interview is None:
            return None
        key = "interview_contact" if p.get("contact") else "interview"
        return t(
            locale,
            f"reminders.auto.{key}",
            number=interview.number,
            at=when(interview.at),
            units="{units}",
        )
    if row.kind == "registration":
        deadline = row.useful_until or now
        return t(locale, "reminders.auto.registration", deadline=when(deadline), units="{units}")
    return None
