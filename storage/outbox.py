"""Outbox rows: add with a dedupe key, mark results. Never commits.

The delivery loop (claiming due rows, retries, flood limits) builds on these.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

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


def mark_results(
    session: Session, results: list[tuple[int, str, int | None, str | None]], *, now: datetime
) -> None:
    """Record (id, state, sent message id, error) for sends that finished."""
    for row_id, state, message_id, error in results:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(
                state=state,
                sent_at=now if state == "sent" else None,
                sent_message_id=message_id,
                last_error=error,
                attempts=OutboxMessage.attempts + 1,
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
