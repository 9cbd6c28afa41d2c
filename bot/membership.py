"""Groups the bot is in: joins, removals, supergroup migrations, and binding a group to units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import audit, chats
from storage.models.core import Unit

ACTIVE_STATUSES = ("member", "administrator", "creator", "restricted")


def bot_status_changed(
    session: Session, *, chat_id: int, type: str, title: str, status: str, now: datetime
) -> bool:
    """Record that the bot joined or left a chat; return whether it is now active there."""
    active = status in ACTIVE_STATUSES
    chats.upsert_chat(session, chat_id=chat_id, type=type, title=title, active=active, now=now)
    audit.record(
        session,
        at=now,
        actor_id=None,
        action="chat.joined" if active else "chat.left",
        target=str(chat_id),
        detail={"title": title, "status": status},
    )
    return active


def seen_in(session: Session, *, chat_id: int, type: str, title: str, now: datetime) -> None:
    """A message arrived from a group: make sure we know the group (e.g. added before we ran)."""
    chats.upsert_chat(session, chat_id=chat_id, type=type, title=title, active=True, now=now)


def migrated(session: Session, *, old_id: int, new_id: int, now: datetime) -> None:
    chats.migrate_chat(session, old_id=old_id, new_id=new_id, now=now)
    audit.record(
        session,
        at=now,
        actor_id=None,
        action="chat.migrated",
        target=str(old_id),
        detail={"to": new_id},
    )


@dataclass(frozen=True)
class BindResult:
    ok: bool
    label: str = ""  # the unit name or the tag
    is_tag: bool = False
    count: int = 0  # units covered
    already: bool = False


def bind_group(
    session: Session,
    *,
    chat_id: int,
    chat_type: str,
    title: str,
    campaign_id: int,
    ref: str,
    actor_id: int,
    now: datetime,
) -> BindResult:
    """Bind a group to a unit (by name or alias) or to every unit with a tag."""
    units = session.scalars(
        select(Unit).where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
    ).all()
    ref = ref.strip()
    unit = next((u for u in units if ref == u.name or ref in (u.aliases or [])), None)
    tagged = [u for u in units if ref in (u.tags or [])]
    if unit is None and not tagged:
        return BindResult(ok=False, label=ref)
    chats.upsert_chat(session, chat_id=chat_id, type=chat_type, title=title, active=True, now=now)
    if unit is not None:
        added = chats.bind(
            session, chat_id=chat_id, campaign_id=campaign_id, unit_id=unit.id, tag=None
        )
        result = BindResult(ok=True, label=unit.name, count=1, already=not added)
    else:
        added = chats.bind(session, chat_id=chat_id, campaign_id=campaign_id, unit_id=None, tag=ref)
        result = BindResult(ok=True, label=ref, is_tag=True, count=len(tagged), already=not added)
    if added:
        audit.record(
            session,
            at=now,
            actor_id=actor_id,
            action="chat.bind",
            target=str(chat_id),
            detail={"unit" if unit else "tag": result.label},
        )
    return result


@dataclass(frozen=True)
class UnbindResult:
    removed: list[str]  # unit names and tags no longer bound here
    from_file: list[str]  # bindings the campaign file declares (only the file removes them)
    unknown: bool = False  # ``ref`` names no unit or tag bound here


def unbind_group(
    session: Session, *, chat_id: int, campaign_id: int, ref: str, actor_id: int, now: datetime
) -> UnbindResult:
    """Remove this group's bindings made in chat: to ``ref`` (a unit or tag), or all of them."""
    ref = ref.strip()
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.campaign_id == campaign_id))}
    removed: list[str] = []
    from_file: list[str] = []
    for binding in chats.campaign_bindings_of_chat(session, chat_id, campaign_id):
        unit = units.get(binding.unit_id) if binding.unit_id is not None else None
        label = unit.name if unit is not None else binding.tag or ""
        names = {label, *(unit.aliases or [])} if unit is not None else {label}
        if ref and ref not in names:
            continue
        if binding.origin != "chat":
            from_file.append(label)
            continue
        chats.delete_binding(session, binding)
        removed.append(label)
    if removed:
        audit.record(
            session,
            at=now,
            actor_id=actor_id,
            action="chat.unbind",
            target=str(chat_id),
            detail={"removed": removed},
        )
    return UnbindResult(removed, from_file, unknown=bool(ref) and not removed and not from_file)
