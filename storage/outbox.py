"""Outbox rows: add with a dedupe key, mark results. Never commits.

The delivery loop (claiming due rows, retries, flood limits) builds on these.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, Update, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage.inserts import insert_many_or_skip
from storage.models.intake import OutboxMessage


def add(
    session: Session,
    *,
    chat_id: int,
    payload: dict[str, Any],
    now: datetime,
    kind: str = "notice",
    priority: int = 5,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    batch: str | None = None,
) -> OutboxMessage:
    """Queue a message; with a ``dedupe_key`` already present, return the existing row instead."""
    if dedupe_key is not None:
        existing = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        if existing is not None:
            return existing
    row = OutboxMessage(
        dedupe_key=dedupe_key,
        kind=kind,
        priority=priority,
        chat_id=chat_id,
        payload=payload,
        state="pending",
        not_before=not_before or now,
        created_at=now,
        attempts=0,
        batch=batch,
    )
    session.add(row)
    session.flush()
    return row


def add_replies(
    session: Session, replies: list[tuple[str, int, dict[str, Any], datetime]]
) -> list[tuple[int, int, dict[str, Any], str]]:
    """Queue replies ``(dedupe key, chat id, payload, time)`` in one statement; a key already
    taken keeps its row (a re-processed update). Returns the rows of all keys, in order (id,
    chat_id, payload, state)."""
    if not replies:
        return []
    table = cast(Table, OutboxMessage.__table__)
    values = [
        {
            "dedupe_key": key,
            "kind": "reply",
            "priority": 0,
            "chat_id": chat_id,
            "payload": payload,
            "state": "pending",
            "not_before": now,
            "created_at": now,
            "attempts": 0,
        }
        for key, chat_id, payload, now in replies
    ]
    added = insert_many_or_skip(
        session, table, values, on=["dedupe_key"], returning=["dedupe_key", "id"]
    )
    new_ids = {row[0]: row[1] for row in added}
    found = {
        key: (new_ids[key], chat_id, payload, "pending")
        for key, chat_id, payload, _ in replies
        if key in new_ids
    }
    missing = [key for key, *_ in replies if key not in found]
    if missing:  # recorded by an earlier run of the same update
        for key, *row in session.execute(_rows_by_key(), {"keys": missing}):
            found[key] = tuple(row)  # type: ignore[assignment]
    return [found[key] for key, *_ in replies]


@functools.cache
def _rows_by_key() -> Select[Any]:
    table = cast(Table, OutboxMessage.__table__)
    columns = (table.c.dedupe_key, table.c.id, table.c.chat_id, table.c.payload, table.c.state)
    return select(*columns).where(table.c.dedupe_key.in_(bindparam("keys", expanding=True)))


SendResult = tuple[int, str, int | None, str | None]  # (id, state, sent message id, error)


def mark_results(session: Session, results: list[SendResult], *, now: datetime) -> None:
    """Record (id, state, sent message id, error) for sends that finished (one statement)."""
    mark_results_at(session, [(result, now) for result in results])


def mark_results_at(session: Session, results: list[tuple[SendResult, datetime]]) -> None:
    """The same, each result with the time its send finished."""
    if not results:
        return
    params = [
        {
            "row_id": row_id,
            "new_state": state,
            "when_sent": now if state == "sent" else None,
            "message_id": message_id,
            "error": error,
        }
        for (row_id, state, message_id, error), now in results
    ]
    session.connection().execute(_mark_statement(), params)


@functools.cache
def _mark_statement() -> Update:
    table = cast(Table, OutboxMessage.__table__)
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            state=bindparam("new_state"),
            sent_at=bindparam("when_sent"),
            sent_message_id=bindparam("message_id"),
            last_error=bindparam("error"),
            attempts=table.c.attempts + 1,
        )
    )


def unsent_replies(session: Session) -> list[OutboxMessage]:
    """Replies recorded but never marked sent (the process died in between): send them on start."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "reply", OutboxMessage.state.in_(("pending", "sending")))
            .order_by(OutboxMessage.id)
        )
    )


def claim_due(
    session: Session, *, now: datetime, holder: str, limit: int = 50
) -> list[OutboxMessage]:
    """Atomically take due messages for sending (replies are sent by their handlers).

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two senders never take the same row. SQLite:
    the transaction holds the write lock from its start (``BEGIN IMMEDIATE``). On both, each
    row is taken by a conditional update (``WHERE state = 'pending'``) and only rows whose
    update hit are returned, so two claimers can never both get one row.
    """
    if limit <= 0:
        return []
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.state == "pending",
                OutboxMessage.not_before <= now,
                OutboxMessage.kind != "reply",
            )
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    taken = []
    for row in rows:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id, OutboxMessage.state == "pending")
            .values(state="sending", claimed_by=holder, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            row.state, row.claimed_by, row.claimed_at = "sending", holder, now
            taken.append(row)
    return taken


def release_in_flight(session: Session) -> int:
    """On start: sends that were in flight when the last process died go back to pending
    (each may repeat once: we cannot know whether Telegram got it)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "sending", OutboxMessage.kind != "reply")
        .values(state="pending", claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def retry_later(
    session: Session, row_id: int, *, not_before: datetime, error: str, count: bool = True
) -> None:
    """Back to pending until ``not_before`` (``count=False``: a deferral, not a failed try)."""
    values: dict[str, Any] = {"state": "pending", "not_before": not_before, "last_error": error}
    if count:
        values["attempts"] = OutboxMessage.attempts + 1
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def count_attempt(session: Session, row_id: int, *, error: str) -> None:
    """A failed try retried in place (the row stays claimed)."""
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(last_error=error, attempts=OutboxMessage.attempts + 1)
    )


def move_chat(session: Session, row_id: int, chat_id: int) -> None:
    """The group became a supergroup: send this row to the new chat id."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(chat_id=chat_id))


def batch_rows(session: Session, batch: str) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage).where(OutboxMessage.batch == batch).order_by(OutboxMessage.id)
        )
    )


def batch_open(session: Session, batch: str) -> int:
    """How many rows of ``batch`` are not finished yet (pending or being sent)."""
    return int(
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.batch == batch, OutboxMessage.state.in_(("pending", "sending"))
            )
        )
        or 0
    )


def next_due(session: Session) -> datetime | None:
    return session.scalar(
        select(OutboxMessage.not_before)
        .where(OutboxMessage.state == "pending", OutboxMessage.kind != "reply")
        .order_by(OutboxMessage.not_before)
        .limit(1)
    )
