"""Liaison registration: invites (hashed tokens), liaisons (the 附件3 fields), the dialog's
draft, persisted conversation states and failed ``/start`` attempts (rate limiting)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Invite(Base):
    """A one-time invitation to register as a unit's liaison. Only the token's SHA-256 is kept."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None]
    revoked: Mapped[bool] = mapped_column(default=False)


class Liaison(Base):
    """A person bound to one unit in a campaign, with the fields of the 附件3 form."""

    __tablename__ = "liaisons"
    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(index=True)
    is_primary: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(100), default="")
    gender: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    mobile: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RegistrationDraft(Base):
    """The answers of a dialog in progress (one per user), so a restart loses nothing."""

    __tablename__ = "registration_drafts"

    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    invite_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="CASCADE"))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    field: Mapped[str] = mapped_column(String(20), default="")  # "" = at the summary
    correcting: Mapped[bool] = mapped_column(default=False)  # one field, back to the summary
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ConversationState(Base):
    """PTB ConversationHandler states (``bot.persistence``): handler name, key, state."""

    __tablename__ = "conversation_states"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    conv_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[Any] = mapped_column(JSON)


class StartAttempt(Base):
    """A failed ``/start <token>`` (unknown, used, expired): too many in an hour are refused."""

    __tablename__ = "start_attempts"
    __table_args__ = (Index("ix_start_attempts_user_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    at: Mapped[datetime]
