"""The office's side of liaisons: the roster, primary/backup changes, removals, and the staff
role (granted and revoked by coordinators). Every change is audited; the person concerned is
told through the outbox, and asked in their unit's group to open a private chat if they never
did (never with a phone number or an e-mail)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.ids import parse_id
from bot.invites import target_units
from bot.registration import Render, promote_next
from storage import audit, campaigns, liaisons, outbox, users
from storage.models.core import Unit, User
from storage.models.registration import Liaison


@dataclass(frozen=True)
class LiaisonView:
    user_id: int
    unit: str
    is_primary: bool
    name: str
    department: str
    title: str
    gender: str
    phone: str
    mobile: str
    email: str
    username: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Roster:
    found: bool
    units: list[tuple[str, list[LiaisonView]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def view(session: Session, row: Liaison, unit_name: str) -> LiaisonView:
    user = users.get_user(session, row.user_id)
    return LiaisonView(
        row.user_id,
        unit_name,
        row.is_primary,
        row.name,
        row.department,
        row.title,
        row.gender,
        row.phone,
        row.mobile,
        row.email,
        user.username if user else None,
        row.updated_at,
    )


def roster(session: Session, *, campaign_id: int, ref: str = "") -> Roster:
    """Units with their liaisons (primary first) and the units still missing one."""
    if ref.strip():
        units, _ = target_units(session, campaign_id, ref)
        if not units:
            return Roster(found=False)
    else:
        units = campaigns.list_units(session, campaign_id)
    done: list[tuple[str, list[LiaisonView]]] = []
    missing: list[str] = []
    for unit in units:
        rows = liaisons.liaisons_of_unit(session, unit.id)
        if rows:
            done.append((unit.name, [view(session, r, unit.name) for r in rows]))
        else:
            missing.append(unit.name)
    return Roster(True, done, missing)


def my_record(session: Session, *, campaign_id: int, user_id: int) -> LiaisonView | None:
    row = liaisons.liaison_of_user(session, campaign_id, user_id)
    if row is None or not row.active:
        return None
    unit = session.get(Unit, row.unit_id)
    return view(session, row, unit.name if unit else "")


# -- primary / remove --------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    status: str  # ok | no_unit | no_liaison | already
    unit: str = ""
    name: str = ""
    unreachable: list[str] = field(default_factory=list)  # people who never opened a private chat
    nudged_groups: int = 0


def find_in_unit(session: Session, unit: Unit, ref: str) -> Liaison | None:
    """A unit's liaison by @username, Telegram id or registered name."""
    ref = ref.strip()
    rows = liaisons.liaisons_of_unit(session, unit.id)
    person = users.find_user(session, ref) if ref else None
    if person is not None:
        return next((r for r in rows if r.user_id == person.id), None)
    return next((r for r in rows if r.name == ref), None)


def change_liaison(
    session: Session,
    *,
    campaign_id: int,
    unit_ref: str,
    action: str,
    user_ref: str,
    actor_id: int,
    now: datetime,
    render: Render,
    bot_username: str,
) -> Change:
    """``primary``: make this liaison the unit's primary (the old one becomes a backup);
    ``remove``: unbind them (their backup, if any, becomes primary)."""
    unit = campaigns.find_unit(session, campaign_id, unit_ref)
    if unit is None:
        return Change("no_unit")
    row = find_in_unit(session, unit, user_ref)
    if row is None:
        return Change("no_liaison", unit.name)
    told: list[tuple[Liaison, str]] = []
    if action == "primary":
        if row.is_primary:
            return Change("already", unit.name, row.name)
        old = liaisons.primary_of_unit(session, unit.id)
        if old is not None:
            old.is_primary, old.updated_at = False, now
            told.append((old, "registration.notice.now_backup"))
        row.is_primary = True
        told.append((row, "registration.notice.now_primary"))
    else:
        successor = promote_next(session, row) if row.is_primary else None
        row.active = False
        person = users.get_user(session, row.user_id)
        if person is not None and person.role == "liaison":
            users.set_role(session, person, "resident", now=now)
        told.append((row, "registration.notice.removed"))
        if successor is not None:
            successor.updated_at = now
            told.append((successor, "registration.notice.now_primary"))
    row.updated_at = now
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action=f"liaison.{action}",
        target=f"user:{row.user_id}",
        detail={"unit": unit.name},
    )
    unreachable, groups = [], 0
    for liaison, key in told:
        user = users.get_user(session, liaison.user_id)
        locale = user.locale if user else None
        text = render(locale, key, unit=unit.name)
        tag = f"liaison:{key}:{liaison.id}:{now.isoformat()}"
        outbox.add(session, chat_id=liaison.user_id, payload=_msg(text), now=now, dedupe_key=tag)
        if user is None or not user.started_bot:
            unreachable.append(liaison.name)
            groups += nudge_in_groups(
                session, campaign_id, unit, user, liaison, now, render, bot_username
            )
    return Change("ok", unit.name, row.name, unreachable, groups)


def nudge_in_groups(
    session: Session,
    campaign_id: int,
    unit: Unit,
    user: User | None,
    liaison: Liaison,
    now: datetime,
    render: Render,
    bot_username: str,
) -> int:
    """Ask, in the unit's groups, that this person open a private chat with the bot."""
    who = f"@{user.username}" if user is not None and user.username else liaison.name
    bot = f"@{bot_username}" if bot_username else ""
    text = render(None, "registration.notice.open_private", who=who, bot=bot, unit=unit.name)
    groups = campaigns.groups_for_unit(session, campaign_id, unit)
    for chat in groups:
        tag = f"liaison:nudge:{liaison.id}:{chat.id}:{now.isoformat()}"
        outbox.add(session, chat_id=chat.id, payload=_msg(text), now=now, dedupe_key=tag)
    return len(groups)


def _msg(text: str) -> dict[str, str]:
    return {"method": "sendMessage", "text": text}


# -- the staff role ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RoleChange:
    status: str  # ok | unknown | already | coordinator | not_staff
    who: str = ""
    role: str = ""


def _who(user: User) -> str:
    return f"@{user.username}" if user.username else (user.display_name or str(user.id))


def _person(session: Session, ref: str, now: datetime) -> User | None:
    """A known user by @username or id; a numeric id never seen is recorded now."""
    found = users.find_user(session, ref)
    ref = ref.strip()
    user_id = parse_id(ref)
    if found is None and user_id is not None:
        found = users.touch_user(session, user_id=user_id, username=None, display_name="", now=now)
    return found


def grant_staff(
    session: Session, *, ref: str, actor_id: int, now: datetime, coordinators: frozenset[int]
) -> RoleChange:
    user = _person(session, ref, now)
    if user is None:
        return RoleChange("unknown", ref.strip())
    if user.id in coordinators:
        return RoleChange("coordinator", _who(user))
    if user.role == "staff":
        return RoleChange("already", _who(user), "staff")
    before = user.role
    users.set_role(session, user, "staff", now=now)
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action="role.grant",
        target=f"user:{user.id}",
        detail={"role": "staff", "before": before},
    )
    return RoleChange("ok", _who(user), "staff")


def revoke_role(
    session: Session,
    *,
    ref: str,
    actor_id: int,
    now: datetime,
    coordinators: frozenset[int],
    campaign_id: int | None,
) -> RoleChange:
    """Take the staff role back: the user is a liaison again if bound to a unit, else a resident."""
    user = users.find_user(session, ref)
    if user is None:
        return RoleChange("unknown", ref.strip())
    if user.id in coordinators:
        return RoleChange("coordinator", _who(user))
    if user.role != "staff":
        return RoleChange("not_staff", _who(user), user.role)
    bound = campaign_id is not None and liaisons.unit_of(session, user.id, campaign_id) is not None
    role = "liaison" if bound else "resident"
    users.set_role(session, user, role, now=now)
    audit.record(
        session,
        at=now,
        actor_id=actor_id,
        action="role.revoke",
        target=f"user:{user.id}",
        detail={"role": role, "before": "staff"},
    )
    return RoleChange("ok", _who(user), role)
