"""Liaisons bound to units: who represents which unit, primary first. Never commits."""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session

from storage.models.core import Unit
from storage.models.registration import Liaison


def unit_of(session: Session, user_id: int, campaign_id: int) -> int | None:
    """The unit this user is an (active) liaison of in the campaign, if any."""
    return units_of(session, [user_id], campaign_id).get(user_id)


def units_of(session: Session, user_ids: list[int], campaign_id: int) -> dict[int, int]:
    """``unit_of`` for many users in one query: ``{user id: unit id}`` for those who are active
    liaisons in the campaign."""
    if not user_ids:
        return {}
    units: dict[int, int] = {}
    for user_id, unit_id in session.execute(
        _units_query(), {"campaign": campaign_id, "users": user_ids}
    ):
        units.setdefault(user_id, unit_id)
    return units


@functools.cache
def _units_query() -> Select[Any]:
    t = cast(Table, Liaison.__table__)  # Core columns: plain rows, no ORM
    return (
        select(t.c.user_id, t.c.unit_id)
        .where(
            t.c.campaign_id == bindparam("campaign"),
            t.c.user_id.in_(bindparam("users", expanding=True)),
            t.c.active.is_(True),
        )
        .order_by(t.c.id)
    )


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
