"""Broadcasts: one message to many groups at once, through the outbox, with a delivery report.

``start`` writes the broadcast and one outbox row per chat (``batch = "broadcast:<id>"``) in one
transaction; the delivery loop sends them within flood limits. ``on_row_finished`` runs in the
transaction that marks each row: when none of the batch is left pending it counts delivered and
failed rows, groups the failures by reason, and queues the report to the coordinator's chat
(exactly once: the broadcast row is locked and ``reported_at`` set in that transaction).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.render import split_message
from storage import outbox
from storage.models.intake import OutboxMessage
from storage.models.reminders import Broadcast

BATCH_PREFIX = "broadcast:"
REASONS = (  # (words in the error, reason key), first match wins
    (("kicked", "not a member", "bot was removed"), "removed"),
    (("chat not found",), "not_found"),
    (("blocked",), "blocked"),
    (("deactivated",), "deactivated"),
    (("forbidden",), "forbidden"),
    (("gave up",), "gave_up"),
)


def start(
    session: Session,
    *,
    created_by: int,
    chat_id: int,
    locale: str,
    target: str,
    text: str,
    photo: str | None,
    chat_ids: list[int],
    now: datetime,
    origin_update: int | None = None,
) -> Broadcast:
    """Queue one outbox row per chat in one batch. A broadcast already started by the same
    update (processed again after a crash) is returned as it is: nobody gets it twice."""
    if origin_update is not None:
        existing = session.scalar(select(Broadcast).where(Broadcast.origin_update == origin_update))
        if existing is not None:
            return existing
    row = Broadcast(
        origin_update=origin_update,
        created_by=created_by,
        chat_id=chat_id,
        locale=locale,
        target=target,
        text=text,
        photo=photo,
        created_at=now,
        total=len(chat_ids),
        delivered=0,
        failed=0,
    )
    session.add(row)
    session.flush()
    batch = f"{BATCH_PREFIX}{row.id}"
    payload: dict[str, Any]
    if photo:
        payload = {"method": "sendPhoto", "file_id": photo, "caption": text[:1024]}
    else:
        payload = {"method": "sendMessage", "text": text}
    # one bulk insert (the batch is new, so no dedupe lookups): 1000 groups in well under 1 s
    session.add_all(
        [
            OutboxMessage(
                dedupe_key=f"{batch}:chat:{chat}",
                kind="broadcast",
                priority=5,
                chat_id=chat,
                payload=payload,
                state="pending",
                not_before=now,
                created_at=now,
                attempts=0,
                batch=batch,
            )
            for chat in chat_ids
        ]
    )
    session.flush()
    return row


def reason_of(error: str | None) -> str:
    text = (error or "").lower()
    for words, key in REASONS:
        if any(w in text for w in words):
            return key
    return "other"


def on_row_finished(session: Session, batch: str, *, now: datetime, t: Callable[..., str]) -> bool:
    """If ``batch`` is finished and not reported yet, queue its report; True if queued."""
    # Lock the broadcast first: the transactions finishing its rows then take turns, so the last
    # one sees every other row's final state (READ COMMITTED would otherwise let two finishers
    # each see the other still in flight, and nobody would report).
    query = select(Broadcast).where(Broadcast.id == int(batch.removeprefix(BATCH_PREFIX)))
    row = session.scalars(query.with_for_update()).one_or_none()
    if row is None or row.reported_at is not None or outbox.batch_open(session, batch):
        return False
    rows = outbox.batch_rows(session, batch)
    row.delivered = sum(r.state == "sent" for r in rows)
    row.failed = sum(r.state == "failed" for r in rows)
    row.reported_at = now
    reasons = Counter(reason_of(r.last_error) for r in rows if r.state == "failed")
    text = report_text(row, reasons, t)
    for i, part in enumerate(split_message(text)):
        outbox.add(
            session,
            chat_id=row.chat_id,
            payload={"method": "sendMessage", "text": part},
            now=now,
            kind="report",
            priority=1,
            dedupe_key=f"{batch}:report:{i}",
        )
    return True


def report_text(row: Broadcast, reasons: Counter[str], t: Callable[..., str]) -> str:
    loc = row.locale
    lines = [
        t(
            loc,
            "reminders.broadcast.report",
            id=row.id,
            total=row.total,
            delivered=row.delivered,
            failed=row.failed,
        )
    ]
    for reason, n in reasons.most_common():
        lines.append(t(loc, f"reminders.broadcast.reason.{reason}", n=n))
    return "\n".join(lines)
