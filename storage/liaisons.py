"""Liaisons bound to units: who represents which unit, primary first. Never commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models.core import Unit
from storage.models.registration import Liaison


def unit_of(session: Session, user_id: int, campaign_id: int) -> int | None:
    """The unit this user is an (active) liaison of in the campaign, if any."""
    query = select(Liaison.unit_id).where(
        Liaison.campaign_id == campaign_id, Liaison.user_id == user_id, Liaison.active.is_(True)
    )
    return session.scalars(query.limit(1)).first()


def liaisons_of_unit(session: Session, unit_id: int) -> list[Liaison]:
    """The unit's active liaisons: the primary first, then backups by registration time."""
    query = (
        select(Liaison)
        .where(Liaison.unit_id == unit_id, Liaison.active.is_(True))
        .order_by(Liaison.is_primary.desc(), Liaison.created_at, Liaison.id)
    )
    return list(session.scalars(query))


def units_without_liaison(session: Session, campaign_id: int) -> list[Unit]:
    """Active units of the campaign that have no active liaison yet, by unit id."""
    covered = select(Liaison.unit_id).where(
        Liaison.campaign_id == campaign_id, Liaison.active.is_(True)
    )
    query = (
        select(Unit)
        .where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
        .where(Unit.id.not_in(covered))
        .order_by(Unit.id)
    )
    return list(session.scalars(query))


def campaign_liaisons(session: Session, campaign_id: int) -> list[Liaison]:
    """Every active liaison of the campaign, by unit, primary first."""
    query = (
        select(Liaison)
        .where(Liaison.campaign_id == campaign_id, Liaison.active.is_(True))
        .order_by(Liaison.unit_id, Liaison.is_primary.desc(), Liaison.created_at, Liaison.id)
    )
    return list(session.scalars(query))


def liaison_of_user(session: Session, campaign_id: int, user_id: int) -> Liaison | None:
    """The user's liaison row in the campaign (active or not)."""
    query = select(Liaison).where(Liaison.campaign_id == campaign_id, Liaison.user_id == user_id)
    return session.scalars(query).one_or_none()


def primary_of_unit(session: Session, unit_id: int) -> Liaison | None:
    query = select(Liaison).where(
        Liaison.unit_id == unit_id, Liaison.active.is_(True), Liaison.is_primary.is_(True)
    )
    return session.scalars(query.limit(1)).first()
