"""Who a ``/remind`` or ``/broadcast`` goes to: ``all``, a tag (镇街, 所有镇街), a unit, ``here``.

A target is stored as a spec string (``all``, ``tag:镇街``, ``unit:12``, ``chat:-100…``) and
resolved to chats when sending, so groups bound after the command still get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from storage import campaigns, chats
from storage.models.core import Chat, Unit

ALL_WORDS = frozenset({"all", "全部", "所有", "所有群", "全部群", "全体", "everyone", "*"})
HERE_WORDS = frozenset({"here", "本群", "这里", "此群", "这个群"})
TAG_PREFIXES = ("所有", "全部", "各")


@dataclass(frozen=True)
class Target:
    spec: str  # all | tag:<tag> | unit:<id> | chat:<id>
    kind: str  # all | tag | unit | here
    label: str  # the tag or unit name, for the echo


def parse_target(
    session: Session, *, campaign_id: int | None, word: str, here_chat: int | None
) -> Target | None:
    """What ``word`` names, or None if nothing (then the command is refused)."""
    w = word.strip()
    if w.casefold() in ALL_WORDS:
        return Target("all", "all", "")
    if w.casefold() in HERE_WORDS:
        return Target(f"chat:{here_chat}", "here", "") if here_chat is not None else None
    if campaign_id is None:
        return None
    tags = campaigns.campaign_tags(session, campaign_id)
    for prefix in TAG_PREFIXES:
        rest = w[len(prefix) :]
        if w.startswith(prefix) and rest in tags:
            return Target(f"tag:{rest}", "tag", rest)
    unit = campaigns.find_unit(session, campaign_id, w)
    if unit is not None:
        return Target(f"unit:{unit.id}", "unit", unit.name)
    if w in tags:
        return Target(f"tag:{w}", "tag", w)
    return None


def audience(session: Session, *, campaign_id: int | None, spec: str) -> list[int]:
    """The chat ids ``spec`` means now (active groups; a unit with no group: its liaisons)."""
    kind, _, value = spec.partition(":")
    if kind == "all":
        return [c.id for c in chats.active_groups(session)]
    if kind == "chat":
        chat = session.get(Chat, int(value))
        return [int(value)] if chat is None or chat.active else []
    if campaign_id is None:
        return []
    if kind == "tag":
        found: dict[int, None] = {}
        for unit in campaigns.units_by_tag(session, campaign_id, value):
            found.update(
                dict.fromkeys(c.id for c in campaigns.groups_for_unit(session, campaign_id, unit))
            )
        return sorted(found)
    if kind == "unit":
        one = session.get(Unit, int(value))
        if one is None:
            return []
        groups = [c.id for c in campaigns.groups_for_unit(session, campaign_id, one)]
        return groups or liaison_users(session, one.id)
    return []


def liaison_users(session: Session, unit_id: int, *, backups_only: bool = False) -> list[int]:
    """User ids of the unit's liaisons, primary first (none if registration is not there)."""
    found = guarded(session, _liaisons, unit_id) or []
    ids = [i for i in (_user_id(x) for x in found) if i is not None]
    return ids[1:] if backups_only else ids


def _liaisons(session: Session, unit_id: int) -> list[Any]:
    from storage import liaisons

    return list(liaisons.liaisons_of_unit(session, unit_id))  # type: ignore[attr-defined]


def _user_id(item: Any) -> int | None:
    if isinstance(item, int):
        return item
    value = getattr(item, "user_id", None)
    return int(value) if value is not None else None


def guarded(session: Session, fn: Any, *args: Any) -> Any:
    """Call a query of another capability that may not be there yet (module, function or table
    missing): None instead of an error, and the transaction stays usable (a savepoint)."""
    try:
        with session.begin_nested():
            return fn(session, *args)
    except (ImportError, AttributeError):
        return None
    except Exception:  # e.g. its table is not migrated in this database
        return None
