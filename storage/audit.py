"""The audit log: who did what. Never commits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models.core import AuditEntry


def record(
    session: Session,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(at=at, actor_id=actor_id, action=action, target=target, detail=detail or {})
    session.add(entry)
    return entry
