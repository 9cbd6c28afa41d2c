"""Named leases: one process holds e.g. the Telegram poller at a time. Never commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from storage.models.intake import Lease


def acquire(
    session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta
) -> str | None:
    """Take or renew the lease; return None on success, else the current holder."""
    lease = session.get(Lease, name, with_for_update=True)
    if lease is None:
        session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
        session.flush()
        return None
    if lease.holder != holder and lease.expires_at > now:
        return lease.holder
    lease.holder, lease.expires_at = holder, now + ttl
    return None


def release(session: Session, name: str, holder: str) -> None:
    session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def take_over(
    session: Session, name: str, holder: str, *, dead: str, now: datetime, ttl: timedelta
) -> bool:
    """Take a lease from a holder known to be dead; False if someone else has it meanwhile."""
    lease = session.get(Lease, name, with_for_update=True)
    if lease is None or lease.holder != dead:
        return False
    lease.holder, lease.expires_at = holder, now + ttl
    return True
