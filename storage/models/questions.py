"""Residents' questions (the staff queue), group answer etiquette, and live FAQ edits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

# open: waiting for staff; suggested: the bot offered suggestions, not queued yet;
# answered: staff answered (resident notified); closed: settled without a staff answer.
QUESTION_STATES = ("open", "suggested", "answered", "closed")
QUESTION_KINDS = ("question", "complaint")
ENTRY_STATES = ("published", "proposed", "removed")


class Question(Base):
    """One resident's question as typed, with where to send the answer."""

    __tablename__ = "questions"
    __table_args__ = (Index("ix_questions_campaign_state", "campaign_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    chat_id: Mapped[int]
    chat_type: Mapped[str] = mapped_column(String(20), default="private")
    user_id: Mapped[int]
    message_id: Mapped[int | None]
    update_id: Mapped[int | None] = mapped_column(unique=True)
    text: Mapped[str] = mapped_column(Text)
    masked_text: Mapped[str] = mapped_column(Text)
    matched_entry_id: Mapped[str | None] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(default=0.0)
    state: Mapped[str] = mapped_column(String(12), default="open")
    urgent: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(12), default="question")
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None]
    answer: Mapped[str | None] = mapped_column(Text)


class FaqAnswerLog(Base):
    """An FAQ answer the bot gave in a group: no repeats within minutes, a per-minute limit."""

    __tablename__ = "faq_answer_log"
    __table_args__ = (Index("ix_faq_answer_log_chat_at", "chat_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int]
    entry_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int | None]  # the resident's message the answer replied to
    update_id: Mapped[int | None] = mapped_column(unique=True)
    answered_at: Mapped[datetime]


class FaqEntryRow(Base):
    """A FAQ entry edited in chat; overrides the file entry with the same id (file = seed)."""

    __tablename__ = "faq_entries"
    __table_args__ = (UniqueConstraint("campaign_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    entry_id: Mapped[str] = mapped_column(String(64))
    question: Mapped[str] = mapped_column(Text, default="")
    alt: Mapped[list[str]] = mapped_column(default=list)
    answer: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(default=list)
    state: Mapped[str] = mapped_column(String(12), default="proposed")
    proposed_by: Mapped[int | None]
    approved_by: Mapped[int | None]
    updated_at: Mapped[datetime]
