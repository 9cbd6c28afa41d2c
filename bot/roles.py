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

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the person holds, highest first: ``role``, and liaison too when they are
        a unit's active liaison (staff or a coordinator may also report for a unit)."""
        extra = (LIAISON,) if self.unit_id is not None and self.role != LIAISON else ()
        return (self.role, *extra)

    def holds(self, allowed: frozenset[str]) -> bool:
        """Whether any of the person's roles is among ``allowed``."""
        return any(role in allowed for role in self.roles)


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
    return look_up_actors(session, [seen])[0]


def look_up_actors(session: Session, seens: list[Seen]) -> list[tuple[Actor, bool]]:
    """``look_up_actor`` for many speakers at once: two queries, whatever their number."""
    ids = list({seen.user_id for seen in seens})
    profiles = users.profiles(session, ids)
    units: dict[int | None, dict[int, int]] = {None: {}}
    for campaign_id in {seen.campaign_id for seen in seens} - {None}:
        units[campaign_id] = liaisons.units_of(session, ids, campaign_id)  # type: ignore[arg-type]
    return [
        _actor(seen, profiles.get(seen.user_id), units[seen.campaign_id].get(seen.user_id))
        for seen in seens
    ]


def _actor(seen: Seen, profile: users.Profile | None, unit_id: int | None) -> tuple[Actor, bool]:
    username, display_name, stored_role, locale, started_bot = profile or (
        None,
        "",
        RESIDENT,
        None,
        False,
    )
    stored = stored_role if profile is not None and stored_role in ROLES else RESIDENT
    admin = seen.user_id in seen.admins
    role = COORDINATOR if admin else stored
    if role == COORDINATOR and not admin:  # no longer in the settings
        role = RESIDENT
    if role == LIAISON and unit_id is None:
        role = RESIDENT
    started = started_bot or seen.private
    needs_write = (
        profile is None
        or (username, display_name) != (seen.username, seen.display_name)
        or started != started_bot
        or (stored == COORDINATOR) != admin
    )
    actor = Actor(
        user_id=seen.user_id,
        role=role,
        locale=locale or seen.default_locale,
        display_name=seen.display_name,
        username=seen.username,
        unit_id=unit_id,
        started_bot=started,
    )
    return actor, needs_write


def record_actor(session: Session, seen: Seen, *, now: datetime) -> None:
    """Write what ``look_up_actor`` found needs writing (idempotent)."""
    record_actors(session, [(seen, now)])


def record_actors(session: Session, seens: list[tuple[Seen, datetime]]) -> None:
    """``record_actor`` for many speakers: new ones in one statement, the others one by one
    (as is a speaker seen twice: their second turn may bring a first private chat)."""
    first: dict[int, int] = {}  # user id -> index of their first turn here
    for i, (seen, _) in enumerate(seens):
        first.setdefault(seen.user_id, i)
    rows = [
        {
            "id": seen.user_id,
            "username": seen.username,
            "display_name": seen.display_name,
            "role": COORDINATOR if seen.user_id in seen.admins else RESIDENT,
            "started_bot": seen.private,
            "created_at": now,
            "updated_at": now,
        }
        for seen, now in (seens[i] for i in first.values())
    ]
    created = users.insert_many_if_new(session, rows)
    for i, (seen, now) in enumerate(seens):
        if seen.user_id in created and first[seen.user_id] == i:
            continue
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
