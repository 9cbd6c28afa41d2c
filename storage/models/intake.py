"""Durable intake and delivery: every update in, every message out, is a row first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

INBOX_STATES = ("pending", "done", "failed")
OUTBOX_STATES = ("pending", "sending", "sent", "failed", "skipped")


class InboxUpdate(Base):
    """An update Telegram delivered, committed before Telegram is told it arrived."""

    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_state_id", "state", "update_id"),)

    update_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    chat_key: Mapped[int | None]
    raw: Mapped[dict[str, Any]]
    received_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """A message to send. ``dedupe_key`` makes re-planning and re-processing insert nothing twice.

    ``kind`` is ``reply`` for answers to the user who spoke (sent at once by the handler, the
    row only makes them exactly-once across crashes) and ``notice``/``reminder``/``broadcast``/
    ``digest`` for everything the delivery loop sends. Lower ``priority`` goes first.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_due", "state", "not_before", "priority"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="notice")
    priority: Mapped[int] = mapped_column(default=5)
    chat_id: Mapped[int] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(10), default="pending")
    not_before: Mapped[datetime]
    created_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    sent_at: Mapped[datetime | None]
    sent_message_id: Mapped[int | None]
    batch: Mapped[str | None] = mapped_column(String(80), index=True)


class Lease(Base):
    """A named lease (e.g. the single Telegram poller) held by one process at a time."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime]
