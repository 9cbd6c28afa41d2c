"""Evidence: a liaison's report for a task (counts, state, review) and the files it carries.

Report states: ``collecting`` (an album still arriving), ``pending`` (waiting for review),
``held`` (waiting for review and not counted until accepted: a photo close to earlier evidence,
or what looks like a resend; ``flag_reason`` says why), ``accepted``, ``rejected``,
``withdrawn`` (``/undo``), ``duplicate`` (an album whose every file was already submitted for
this unit and task: kept as the album's key, never counted or shown) and ``discarded`` (an
album whose caption could not be understood). Only ``pending`` and ``accepted`` reports count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base

COUNTING_STATES = ("pending", "accepted")
REVIEW_STATES = ("pending", "held")  # what /review lists and /accept or /reject decide
# the reports whose files a new file is checked against (bot.evidence.screen)
LIVE_STATES = ("collecting", "pending", "held", "accepted")


class Report(Base):
    __tablename__ = "evidence_reports"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        Index("ix_evidence_reports_unit_task", "unit_id", "task_id", "state"),
        Index("ix_evidence_reports_task_state", "task_id", "state"),
        Index("ix_evidence_reports_album", "chat_id", "media_group_id"),
        Index("ix_evidence_reports_state_created", "state", "created_at"),
        Index("ix_evidence_reports_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    user_id: Mapped[int]
    chat_id: Mapped[int]
    message_id: Mapped[int]
    update_id: Mapped[int | None]
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(12), default="pending")
    reject_reason: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(default=False)
    flag_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[int | None]

    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="report",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="EvidenceFile.id",
    )


class EvidenceFile(Base):
    """One file of a report, stored by content under the media directory (``path`` relative)."""

    __tablename__ = "evidence_files"
    __table_args__ = (UniqueConstraint("report_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_reports.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    phash: Mapped[str | None] = mapped_column(String(32), index=True)
    path: Mapped[str] = mapped_column(String(300))
    size: Mapped[int]
    mime: Mapped[str] = mapped_column(String(80))
    width: Mapped[int | None]
    height: Mapped[int | None]
    exif_taken_at: Mapped[datetime | None]
    file_id: Mapped[str] = mapped_column(String(200), default="")
    file_unique_id: Mapped[str] = mapped_column(String(100), default="")
    chat_id: Mapped[int]
    message_id: Mapped[int]
    sender: Mapped[int]
    duplicate_of: Mapped[int | None]  # an earlier file with the same bytes (not counted again)
    created_at: Mapped[datetime]

    report: Mapped[Report] = relationship(back_populates="files")
