"""The daily digest to coordinators: overdue items, new evidence since the last digest, reports
awaiting review, unanswered questions, failed deliveries and failed updates.

On working days (``bot.workdays.is_working_day``) at ``COORDBOT_DIGEST_TIME`` (17:30, campaign
time zone) each coordinator gets one digest through the outbox. The outbox row's dedupe key
``digest:YYYY-MM-DD:<chat>:<part>`` is the ledger: a check every minute, a restart, or two
processes at once queue it once per day. A digest missed while the bot was down is sent when it
comes back the same evening, never for a day already past.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reminders.planner import calendar_gaps
from bot.render import fmt_date, split_message
from bot.status.overview import overview
from bot.status.text import names_list, short
from bot.workdays import is_working_day
from storage import inbox, outbox
from storage import status as q
from storage.models.core import User
from storage.models.intake import OutboxMessage

if TYPE_CHECKING:
    from bot.deps import Deps
    from bot.i18n import Catalog

log = logging.getLogger(__name__)
T = Callable[..., str]


def digest_day(now: datetime, tz: ZoneInfo, at: time) -> date | None:
    """Today's date (local) if a digest is due now: a working day, at or after ``at``."""
    local = now.astimezone(tz)
    if not is_working_day(local.date()) or local.time().replace(tzinfo=None) < at:
        return None
    return local.date()


def parse_time(text: str) -> time:
    hh, _, mm = text.partition(":")
    return time(int(hh), int(mm))


def digest_text(
    session: Session,
    *,
    campaign_id: int,
    now: datetime,
    tz: ZoneInfo,
    since: datetime,
    t: T,
    locale: str,
) -> str:
    view = overview(session, campaign_id=campaign_id, now=now, tz=tz)
    if view is None:
        return ""
    lines = [t("status.digest.title", date=fmt_date(now, tz, locale), campaign=view.title)]
    gaps = calendar_gaps(session, campaign_id=campaign_id, now=now)
    if gaps:
        lines.append(t("status.no_calendar", years="、".join(map(str, gaps))))
    overdue = [r for r in view.task_rows if r.overdue_units]
    if overdue:
        lines.append(t("status.digest.overdue", n=len(overdue)))
        for row in overdue:
            lines.append(
                t(
                    "status.digest.overdue_row",
                    number=row.number,
                    title=short(row.title),
                    days=row.overdue_days,
                    count=len(row.overdue_units),
                    units=names_list(t, row.overdue_units),
                )
            )
    reports, files, units = q.new_evidence(session, campaign_id=campaign_id, since=since)
    if reports:
        lines.append(t("status.digest.evidence", reports=reports, files=files, units=units))
    review = q.awaiting_review(session, campaign_id=campaign_id)
    if review:
        lines.append(t("status.digest.review", n=review))
    questions, urgent = q.unanswered_questions(session, campaign_id=campaign_id)
    if questions:
        lines.append(t("status.digest.questions", n=questions, urgent=urgent))
    failed = q.failed_deliveries(session, since=since)
    if failed:
        lines.append(t("status.digest.failed_deliveries", n=failed))
    updates = [u for u in inbox.failed(session) if u.processed_at and u.processed_at > since]
    if updates:
        lines.append(t("status.digest.failed_updates", n=len(updates)))
    if len(lines) == 1:
        lines.append(t("status.digest.nothing"))
    return "\n".join(lines)


def plan_digest(
    session: Session,
    *,
    campaign_id: int,
    now: datetime,
    tz: ZoneInfo,
    at: time,
    coordinators: frozenset[int],
    catalog: Catalog,
    default_locale: str,
) -> int:
    """Queue today's digest for every coordinator who has not got it yet; returns rows queued."""
    day = digest_day(now, tz, at)
    if day is None or not coordinators:
        return 0
    prefix = f"digest:{day.isoformat()}:"
    start = datetime.combine(day, time(0), tz)
    since = q.last_digest_at(session, before=start) or now - timedelta(days=1)
    have = set(
        session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like(f"{prefix}%:0"))
        )
    )
    query = select(User.id, User.locale).where(User.id.in_(sorted(coordinators)))
    locales: dict[int, str | None] = {uid: loc for uid, loc in session.execute(query)}
    texts: dict[str, list[str]] = {}
    queued = 0
    for chat_id in sorted(coordinators):
        if f"{prefix}{chat_id}:0" in have:
            continue
        locale = locales.get(chat_id) or default_locale
        if locale not in texts:

            def t(key: str, /, _locale: str = locale, **values: Any) -> str:
                return catalog.t(_locale, key, **values)

            body = digest_text(
                session, campaign_id=campaign_id, now=now, tz=tz, since=since, t=t, locale=locale
            )
            texts[locale] = split_message(body) if body else []
        for i, part in enumerate(texts[locale]):
            outbox.add(
                session,
                chat_id=chat_id,
                payload={"method": "sendMessage", "text": part},
                now=now,
                kind="digest",
                priority=4,
                dedupe_key=f"{prefix}{chat_id}:{i}",
            )
            queued += 1
    return queued


class DigestService:
    """Checks every ``interval`` seconds whether today's digest is due (restart-safe)."""

    def __init__(self, deps: Deps, *, interval: float = 60.0) -> None:
        self.deps, self.interval = deps, interval
        self.checks = 0  # completed background checks (tests wait for the first)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def tick(self) -> int:
        deps = self.deps
        if deps.campaign_id is None:
            return 0
        queued = await deps.db.run(
            plan_digest,
            campaign_id=deps.campaign_id,
            now=deps.clock.now(),
            tz=deps.settings.tz,
            at=parse_time(deps.settings.digest_time),
            coordinators=deps.settings.admins | deps.extra_admins,
            catalog=deps.catalog,
            default_locale=deps.settings.locale,
        )
        delivery = deps.services.get("delivery")
        if queued and delivery is not None:
            delivery.wake()
        return queued

    async def _run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("daily digest check failed")
            self.checks += 1
            await asyncio.sleep(self.interval)
