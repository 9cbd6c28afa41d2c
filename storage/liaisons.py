"""Liaisons bound to units. The registration capability owns this module and its table."""

from __future__ import annotations

from sqlalchemy.orm import Session


def unit_of(session: Session, user_id: int, campaign_id: int) -> int | None:
    """The unit this user is a liaison of in the campaign, if any."""
    return None
