"""Reminder rows: insert-if-absent by key, list, confirm, cancel. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from storage import outbox
from storage.inserts import insert_many_or_skip
from storage.models.reminders import Reminder

BATCH_PREFIX = "reminder:"
CAMPAIGN_KINDS = ("task_deadline", "interview", "registration", "overdue")


def insert_if_absent(session: Session, values: dict[str, Any]) -> bool:
    """Insert a planned reminder unless its (campaign, key) exists; True if inserted.

    ``ON CONFLICT DO NOTHING``: two planners running at once (or a replan after a reload or a
    restart) never insert a key twice, and never fail on it either.
    """
    row = {"state": "planned", "payload": {}, "text": "", "target": "", "note": "", **values}
    table = cast(Table, Reminder.__table__)
    return bool(insert_many_or_skip(session, table, [row], returning=["id"]))


def replan(session: Session, campaign_id: int, key: str, due_at: datetime, until: Any) -> None:
    """A deadline moved (campaign reloaded): a still-planned reminder follows it."""
    session.execute(
        update(Reminder)
        .where(Reminder.campaign_id == campaign_id, Reminder.key == key)
        .where(Reminder.state == "planned", Reminder.due_at != due_at)
        .values(due_at=due_at, useful_until=until)
    )


def due(session: Session, now: datetime, limit: int = 500) -> list[Reminder]:
    query = (
        select(Reminder)
        .where(Reminder.state == "planned", Reminder.due_at <= now)
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    )
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def next_due_at(session: Session) -> datetime | None:
    query = select(Reminder.due_at).where(Reminder.state == "planned")
    return session.scalar(query.order_by(Reminder.due_at).limit(1))


def pending_oneoffs(session: Session) -> list[Reminder]:
    query = select(Reminder).where(Reminder.kind == "oneoff", Reminder.state == "planned")
    return list(session.scalars(query.order_by(Reminder.due_at, Reminder.id)))


def planned_count(session: Session, campaign_id: int | None) -> int:
    query = select(Reminder.id).where(
        Reminder.state == "planned", Reminder.kind.in_(CAMPAIGN_KINDS)
    )
    if campaign_id is not None:
        query = query.where(Reminder.campaign_id == campaign_id)
    return len(session.scalars(query).all())


def set_state(
    session: Session, reminder_id: int, state: str, *, from_states: tuple[str, ...], note: str = ""
) -> Reminder | None:
    """Move a reminder to ``state`` if it is in one of ``from_states``; the row, else None."""
    row = session.get(Reminder, reminder_id, with_for_update=True)
    if row is None or row.state not in from_states:
        return None
    row.state = state
    if note:
        row.note = note
    session.flush()
    return row


def on_row_finished(session: Session, batch: str, *, now: datetime) -> None:
    """An outbox row of a one-off reminder finished: once none is left, the reminder is sent."""
    reminder_id = int(batch.removeprefix(BATCH_PREFIX))
    session.get(Reminder, reminder_id, with_for_update=True)  # finishers take turns (see broadcast)
    if outbox.batch_open(session, batch):
        return
    rows = outbox.batch_rows(session, batch)
    delivered = sum(r.state == "sent" for r in rows)
    note = f"delivered {delivered}/{len(rows)}"
    set_state(session, reminder_id, "sent", from_states=("queued",), note=note)
