"""The reminder ledger and broadcasts: every reminder that will ever be sent is a row first.

``Reminder.key`` is unique within a campaign (``task:9:unit:虎门镇:T-1d``): planning again after a
campaign reload or a restart inserts nothing twice. States: ``draft`` (a ``/remind`` waiting for
its confirm button), ``planned``, ``queued`` (turned into outbox rows), ``sent``, ``skipped``
(no longer useful, or nobody left to remind), ``cancelled``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

REMINDER_STATES = ("draft", "planned", "queued", "sent", "skipped", "cancelled")


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("campaign_id", "key"),
        Index("ix_reminders_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(
        String(20)
    )  # task_deadline|interview|registration|overdue|oneoff
    campaign_id: Mapped[int | None]
    target: Mapped[str] = mapped_column(String(200), default="")  # all | tag:X | unit:ID | chat:ID
    chat_id: Mapped[int | None]
    unit_id: Mapped[int | None]
    user_id: Mapped[int | None]
    due_at: Mapped[datetime]  # when to send (already moved off weekends and quiet hours)
    useful_until: Mapped[datetime | None]  # a missed reminder after this is skipped, not sent
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(10), default="planned")
    created_by: Mapped[int | None]
    created_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(200), default="")  # why skipped, how many sent


class Broadcast(Base):
    """One ``/broadcast``: its outbox rows carry ``batch = "broadcast:<id>"``; when none is left
    pending, the coordinator's chat gets the delivery report (``reported_at``)."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by: Mapped[int]
    chat_id: Mapped[int]  # where the coordinator asked; the report goes there
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    target: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    photo: Mapped[str | None] = mapped_column(String(200))  # a Telegram file_id
    created_at: Mapped[datetime]
    total: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    reported_at: Mapped[datetime | None]
    # the update that asked for it: a /broadcast processed again after a crash starts nothing new
    origin_update: Mapped[int | None] = mapped_column(unique=True)
