"""The web dashboard's sign-in: one-time login links and the sessions they start.

Only SHA-256 digests of the link token and the session cookie are stored, so a copy of the
database signs nobody in. A session remembers the role and unit it was opened with: when the
user's role changes it ends (``bot.web.auth``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.models.evidence import Report


class WebLogin(Base):
    """A sign-in link given by ``/web``: valid once, for ten minutes."""

    __tablename__ = "web_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """A browser signed in: ended on logout, after idling, or when the role changed."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int]
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None]
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))


# The matrix's cache checks the latest review time on every load (storage.web): an index makes it
# one lookup instead of a scan. Declared here, beside its only reader, on the evidence table.
Index("ix_evidence_reports_reviewed_at", Report.reviewed_at)
