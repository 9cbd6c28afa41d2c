"""Roles and the actor: who is speaking, with which role, for which unit, in which language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage import liaisons, users

COORDINATOR, STAFF, LIAISON, RESIDENT = "coordinator", "staff", "liaison", "resident"
ROLES = (COORDINATOR, STAFF, LIAISON, RESIDENT)
EVERYONE = frozenset(ROLES)
OFFICE = frozenset({COORDINATOR, STAFF})
COORDINATORS = frozenset({COORDINATOR})


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    locale: str
    display_name: str = ""
    username: str | None = None
    unit_id: int | None = None
    started_bot: bool = False

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE


@dataclass(frozen=True)
class Seen:
    """What the platform says about the person speaking, and what decides their role."""

    user_id: int
    username: str | None
    display_name: str
    private: bool
    admins: frozenset[int]
    default_locale: str
    campaign_id: int | None


def look_up_actor(session: Session, seen: Seen) -> tuple[Actor, bool]:
    """Read-only: who is speaking, and whether their user row needs writing (``record_actor``):
    a new user, a new name, a first private chat, or a role that settings changed.

    Coordinators come from settings and always win; a liaison without a unit is a resident.
    """
    user = users.get_user(session, seen.user_id)
    stored = user.role if user is not None and user.role in ROLES else RESIDENT
    role = COORDINATOR if seen.user_id in seen.admins else stored
    if role == COORDINATOR and seen.user_id not in seen.admins:  # no longer in the settings
        role = RESIDENT
    unit_id = (
        liaisons.unit_of(session, seen.user_id, seen.campaign_id) if seen.campaign_id else None
    )
    if role == LIAISON and unit_id is None:
        role = RESIDENT
    started = (user is not None and user.started_bot) or seen.private
    needs_write = (
        user is None
        or (user.username, user.display_name) != (seen.username, seen.display_name)
        or started != user.started_bot
        or (stored == COORDINATOR) != (seen.user_id in seen.admins)
    )
    actor = Actor(
        user_id=seen.user_id,
        role=role,
        locale=(user.locale if user is not None else None) or seen.default_locale,
        display_name=seen.display_name,
        username=seen.username,
        unit_id=unit_id,
        started_bot=started,
    )
    return actor, needs_write


def record_actor(session: Session, seen: Seen, *, now: datetime) -> None:
    """Write what ``look_up_actor`` found needs writing (idempotent)."""
    admin = seen.user_id in seen.admins
    if users.insert_if_new(
        session,
        user_id=seen.user_id,
        username=seen.username,
        display_name=seen.display_name,
        role=COORDINATOR if admin else RESIDENT,
        private=seen.private,
        now=now,
    ):
        return
    user = users.touch_user(
        session,
        user_id=seen.user_id,
        username=seen.username,
        display_name=seen.display_name,
        now=now,
        private=seen.private,
    )
    if seen.user_id in seen.admins and user.role != COORDINATOR:
        users.set_role(session, user, COORDINATOR, now=now)
    elif seen.user_id not in seen.admins and user.role == COORDINATOR:
        users.set_role(session, user, RESIDENT, now=now)


def resolve_actor(
    session: Session,
    *,
    user_id: int,
    username: str | None,
    display_name: str,
    private: bool,
    admins: frozenset[int],
    default_locale: str,
    campaign_id: int | None,
    now: datetime,
) -> Actor:
    """Record the user and work out their role, in one go (the bot splits the two: see Turn)."""
    seen = Seen(user_id, username, display_name, private, admins, default_locale, campaign_id)
    record_actor(session, seen, now=now)
    return look_up_actor(session, seen)[0]
