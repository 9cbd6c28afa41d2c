"""Invites: one-time registration links, stored by the SHA-256 of their token. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.registration import Invite


def add(
    session: Session,
    *,
    token_hash: str,
    campaign_id: int,
    unit_id: int,
    created_by: int | None,
    now: datetime,
    expires_at: datetime,
) -> Invite:
    invite = Invite(
        token_hash=token_hash,
        campaign_id=campaign_id,
        unit_id=unit_id,
        created_by=created_by,
        created_at=now,
        expires_at=expires_at,
        revoked=False,
    )
    session.add(invite)
    session.flush()
    return invite


def by_hash(session: Session, token_hash: str) -> Invite | None:
    return session.scalars(select(Invite).where(Invite.token_hash == token_hash)).one_or_none()


def open_invites(
    session: Session, campaign_id: int, *, now: datetime, unit_id: int | None = None
) -> list[Invite]:
    """Invites nobody has used yet, not revoked and not expired, oldest first."""
    query = select(Invite).where(
        Invite.campaign_id == campaign_id,
        Invite.used_by.is_(None),
        Invite.revoked.is_(False),
        Invite.expires_at > now,
    )
    if unit_id is not None:
        query = query.where(Invite.unit_id == unit_id)
    return list(session.scalars(query.order_by(Invite.created_at, Invite.id)))


def get(session: Session, invite_id: int) -> Invite | None:
    return session.get(Invite, invite_id)
