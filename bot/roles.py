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
    """Record the user and work out their role. Coordinators come from settings and always win."""
    user = users.touch_user(
        session,
        user_id=user_id,
        username=username,
        display_name=display_name,
        now=now,
        private=private,
    )
    role = user.role if user.role in ROLES else RESIDENT
    if user_id in admins:
        role = COORDINATOR
        if user.role != COORDINATOR:
            users.set_role(session, user, COORDINATOR, now=now)
    elif role == COORDINATOR:  # removed from COORDBOT_ADMINS since last time
        role = RESIDENT
        users.set_role(session, user, RESIDENT, now=now)
    unit_id = liaisons.unit_of(session, user_id, campaign_id) if campaign_id else None
    if role == LIAISON and unit_id is None:
        role = RESIDENT
    return Actor(
        user_id=user_id,
        role=role,
        locale=user.locale or default_locale,
        display_name=display_name,
        username=username,
        unit_id=unit_id,
        started_bot=user.started_bot,
    )
