"""Inbox rows: every update Telegram delivered, stored before it is acknowledged. Never commits."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from storage.models.intake import InboxUpdate, OutboxMessage


def chat_key(raw: dict[str, Any]) -> int | None:
    """The chat an update belongs to (updates of one chat are processed in order); None for an
    update without one, or a malformed one: it is stored all the same and fails alone when
    processed, instead of failing its whole batch (and, polled again, every batch after it)."""
    try:
        return _chat_key(raw)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _chat_key(raw: dict[str, Any]) -> int | None:
    for field in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if field in raw:
            return int(raw[field]["chat"]["id"])
    if "callback_query" in raw:
        msg = raw["callback_query"].get("message")
        if msg:
            return int(msg["chat"]["id"])
        return int(raw["callback_query"]["from"]["id"])
    for field in ("my_chat_member", "chat_member", "chat_join_request"):
        if field in raw:
            return int(raw[field]["chat"]["id"])
    for value in raw.values():
        if isinstance(value, dict) and isinstance(value.get("from"), dict):
            return int(value["from"]["id"])
    return None


def store(session: Session, raws: list[dict[str, Any]], *, now: datetime) -> list[InboxUpdate]:
    """Insert updates not seen before; a re-delivered update id is ignored. Returns new rows."""
    if not raws:
        return []
    ids = [int(r["update_id"]) for r in raws]
    seen = set(session.scalars(select(InboxUpdate.update_id).where(InboxUpdate.update_id.in_(ids))))
    rows = []
    for raw in raws:
        uid = int(raw["update_id"])
        if uid in seen:
            continue
        seen.add(uid)
        row = InboxUpdate(
            update_id=uid, chat_key=chat_key(raw), raw=raw, received_at=now, state="pending"
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def pending(session: Session, *, limit: int = 10_000) -> list[InboxUpdate]:
    return list(
        session.scalars(
            select(InboxUpdate)
            .where(InboxUpdate.state == "pending")
            .order_by(InboxUpdate.update_id)
            .limit(limit)
        )
    )


def finish(session: Session, results: list[tuple[int, str | None]], *, now: datetime) -> None:
    """Mark updates done, or failed with the error (a failed update is not retried by itself).

    A done update keeps its id (so a re-delivery is recognised) but not its content: what people
    typed (phone numbers in the registration dialog, say) is not kept longer than needed. A
    failed one keeps its content for ``coordbot inbox retry``.
    """
    table = cast(Table, InboxUpdate.__table__)
    done = [{"uid": uid} for uid, error in results if not error]
    failed = [{"uid": uid, "why": error} for uid, error in results if error]
    base = update(table).where(table.c.update_id == bindparam("uid"))
    attempts = table.c.attempts + 1
    if done:
        statement = base.values(
            state="done", error=None, processed_at=now, attempts=attempts, raw={}
        )
        session.connection().execute(statement, done)
    if failed:
        statement = base.values(
            state="failed", error=bindparam("why"), processed_at=now, attempts=attempts
        )
        session.connection().execute(statement, failed)


def highest_ids(session: Session) -> tuple[int, int]:
    """The largest update id, and message id, this database has seen (0 if none): a Bot API
    stand-in that restarts (``coordbot console``) numbers new ones above them, as Telegram
    would, so the bot does not take them for re-deliveries or messages it already has."""
    from storage.models.evidence import EvidenceFile, Report
    from storage.models.questions import Question

    update_id = session.scalar(select(func.max(InboxUpdate.update_id))) or 0
    columns = (
        OutboxMessage.sent_message_id,
        Report.message_id,
        EvidenceFile.message_id,
        Question.message_id,
    )
    message_id = max(session.scalar(select(func.max(column))) or 0 for column in columns)
    return int(update_id), int(message_id)


def counts(session: Session) -> Counter[str]:
    rows = session.execute(select(InboxUpdate.state, func.count()).group_by(InboxUpdate.state))
    return Counter({state: n for state, n in rows})


def failed(session: Session, *, limit: int = 50) -> list[InboxUpdate]:
    return list(
        session.scalars(
            select(InboxUpdate)
            .where(InboxUpdate.state == "failed")
            .order_by(InboxUpdate.update_id.desc())
            .limit(limit)
        )
    )


def retry(session: Session, update_id: int) -> bool:
    row = session.get(InboxUpdate, update_id)
    if row is None or row.state != "failed":
        return False
    row.state, row.error = "pending", None
    return True


def prune(session: Session, *, now: datetime, keep: timedelta) -> int:
    result = session.execute(
        delete(InboxUpdate).where(
            InboxUpdate.state == "done", InboxUpdate.processed_at < now - keep
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
