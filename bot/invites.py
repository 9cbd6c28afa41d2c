"""Invites: one-time deep links that let someone register as a unit's liaison.

The token is unguessable (192 bits, URL-safe, 32 characters: Telegram allows 64), single use,
expires, and is never stored: only its SHA-256 is kept, so the link exists only in the
coordinator's chat.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from storage import audit, campaigns, invites, liaisons
from storage.models.core import Unit

TOKEN_BYTES = 24
ALL_WORDS = ("all", "全部", "所有", "所有单位")


def make_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


# -- invites ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewInvite:
    unit: str
    token: str
    expires_at: datetime
    has_liaison: bool = False  # the unit already has one: this link makes a backup


@dataclass(frozen=True)
class InviteBatch:
    found: bool
    invites: list[NewInvite] = field(default_factory=list)
    bulk: bool = False
    skipped: int = 0  # units left out because they already have a liaison


def target_units(session: Session, campaign_id: int, ref: str) -> tuple[list[Unit], bool]:
    """A unit, a tag or "all" → (units, bulk?)."""
    ref = ref.strip()
    if ref.casefold() in ALL_WORDS:
        return campaigns.list_units(session, campaign_id), True
    unit = campaigns.find_unit(session, campaign_id, ref)
    if unit is not None:
        return [unit], False
    return campaigns.units_by_tag(session, campaign_id, ref), True


def create_invites(
    session: Session, *, campaign_id: int, ref: str, actor_id: int, now: datetime, days: int
) -> InviteBatch:
    """One invite for a unit (a second one makes a backup), or one per unit of a tag / of the
    campaign that has no liaison yet."""
    units, bulk = target_units(session, campaign_id, ref)
    if not units:
        return InviteBatch(found=False)
    missing = {u.id for u in liaisons.units_without_liaison(session, campaign_id)}
    targets = [u for u in units if u.id in missing] if bulk else units
    made = []
    expires = now + timedelta(days=days)
    for unit in targets:
        token = make_token()
        invites.add(
            session,
            token_hash=hash_token(token),
            campaign_id=campaign_id,
            unit_id=unit.id,
            created_by=actor_id,
            now=now,
            expires_at=expires,
        )
        made.append(NewInvite(unit.name, token, expires, unit.id not in missing))
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action="invite.create",
        target=ref.strip(),
        detail={"units": [m.unit for m in made]},
    )
    return InviteBatch(True, made, bulk, len(units) - len(targets))


def revoke_invites(
    session: Session, *, campaign_id: int, ref: str, actor_id: int, now: datetime
) -> tuple[bool, int]:
    """Revoke the open invites of a unit / tag / all: (found, how many)."""
    units, _ = target_units(session, campaign_id, ref)
    if not units:
        return False, 0
    count = 0
    for unit in units:
        for invite in invites.open_invites(session, campaign_id, now=now, unit_id=unit.id):
            invite.revoked = True
            count += 1
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action="invite.revoke",
        target=ref.strip(),
        detail={"count": count},
    )
    return True, count


def open_invite_list(
    session: Session, *, campaign_id: int, now: datetime
) -> list[tuple[str, datetime, datetime]]:
    """(unit, created, expires) of every open invite."""
    rows = invites.open_invites(session, campaign_id, now=now)
    names = {u.id: u.name for u in campaigns.list_units(session, campaign_id, inactive=True)}
    return [(names.get(i.unit_id, "?"), i.created_at, i.expires_at) for i in rows]
