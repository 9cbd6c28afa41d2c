"""The campaign as data: campaigns, units, tasks, interviews; chats and users; the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base

UNIT_KINDS = ("town", "department", "company", "media", "other")
ROLES = ("coordinator", "staff", "liaison", "resident")


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    registration_deadline: Mapped[datetime | None]
    faq_file: Mapped[str | None] = mapped_column(String(500))
    reminder_policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_file: Mapped[str | None] = mapped_column(String(500))
    rebase_days: Mapped[int] = mapped_column(default=0)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    loaded_at: Mapped[datetime | None]


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("campaign_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(20), default="other")
    tags: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(default=True)


class QuotaItem(Base):
    """A countable kind of evidence (posters, banners) with the words users type for it."""

    __tablename__ = "quota_items"
    __table_args__ = (UniqueConstraint("campaign_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(40))
    measure: Mapped[str] = mapped_column(String(10), default="")
    aliases: Mapped[list[str]] = mapped_column(default=list)


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime | None]
    deadline: Mapped[datetime]
    notes: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(100), default="")
    withdrawn: Mapped[bool] = mapped_column(default=False)

    units: Mapped[list[TaskUnit]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TaskUnit.unit_id"
    )
    quotas: Mapped[list[TaskQuota]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class TaskUnit(Base):
    """A unit's part in a task: ``responsible`` or ``assisting``."""

    __tablename__ = "task_units"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    part: Mapped[str] = mapped_column(String(12), default="responsible")


class TaskQuota(Base):
    """The target each responsible unit must reach for a quota item (e.g. 100 posters)."""

    __tablename__ = "task_quotas"

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("quota_items.id", ondelete="CASCADE"), primary_key=True
    )
    target: Mapped[int]


class Interview(Base):
    __tablename__ = "interviews"
    __table_args__ = (UniqueConstraint("campaign_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    number: Mapped[int]
    at: Mapped[datetime]
    notes: Mapped[str] = mapped_column(Text, default="")
    contact_days_before: Mapped[int] = mapped_column(default=7)

    units: Mapped[list[InterviewUnit]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="InterviewUnit.unit_id"
    )


class InterviewUnit(Base):
    __tablename__ = "interview_units"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Chat(Base):
    """A chat the bot is in (group, supergroup, channel or private)."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(default=True)
    purpose: Mapped[str] = mapped_column(String(20), default="")
    migrated_to: Mapped[int | None]
    updated_at: Mapped[datetime | None]


BINDING_ORIGINS = ("file", "chat")


class ChatBinding(Base):
    """A group bound to one unit or to every unit with a tag, within a campaign.

    ``origin``: ``file`` (the campaign file declares it: a reload adds, keeps or removes it) or
    ``chat`` (``/bind`` in the group: only ``/unbind`` removes it, never a reload).
    """

    __tablename__ = "chat_bindings"
    __table_args__ = (UniqueConstraint("chat_id", "campaign_id", "unit_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str | None] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(8), default="file", server_default="file")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="resident")
    locale: Mapped[str | None] = mapped_column(String(10))
    started_bot: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditEntry(Base):
    """Who did what: one row per change a person (or the system) made."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
