"""The console's people and chats: who you are in each role, and everyone the bot knows.

The console's Bot API stand-in starts empty each run while the database remembers users,
groups and files from earlier runs (and the campaign file declares groups). Everyone the
database knows is put into the stand-in before the bot starts, so ``/answer`` reaches the
resident who asked, ``/broadcast`` reaches the groups bound to a unit, and a delivery report
tells the truth; the console prints what is sent to each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.localapi import FakeBotApi, FakeChat, FakeUser
from storage import campaigns, chats, liaisons, users
from storage.models.registration import Liaison

DEMO_GROUP_ID = -4000000001
DEMO_GROUP_TITLE = "演示群 demo group"


@dataclass(frozen=True)
class DemoPerson:
    """A fictional person the console speaks as."""

    user_id: int
    name: str
    username: str


#: One person per role, so that trying another role never changes the first one's.
DEMO_PEOPLE = {
    "coordinator": DemoPerson(1001, "周敏", "demo_coordinator"),
    "staff": DemoPerson(1002, "吴海涛", "demo_staff"),
    "liaison": DemoPerson(1003, "李晓东", "demo_liaison"),
    "resident": DemoPerson(1004, "陈秀兰", "demo_resident"),
}


def person_for(role: str, user_id: int | None) -> DemoPerson:
    """The role's demo person (``--user`` gives another id, same name)."""
    person = DEMO_PEOPLE[role]
    if user_id is None or user_id == person.user_id:
        return person
    return DemoPerson(user_id, person.name, f"{person.username}_{user_id}")


@dataclass(frozen=True)
class Known:
    users: list[tuple[int, str, str | None, bool]]  # id, display name, username, started
    groups: list[tuple[int, str, str, bool]]  # id, title, type, active


def known(session: Session) -> Known:
    """Users and group chats the database holds (read before the stand-in is furnished)."""
    people = [(u.id, u.display_name, u.username, u.started_bot) for u in users.all_users(session)]
    groups = [(c.id, c.title, c.type, c.active) for c in chats.all_groups(session)]
    return Known(people, groups)


def furnish(api: FakeBotApi, me: DemoPerson, found: Known) -> tuple[FakeUser, FakeChat]:
    """Put you, the demo group and everyone the database knows into the stand-in."""
    user = api.add_user(me.name, id=me.user_id, username=me.username)
    group = api.add_group(DEMO_GROUP_TITLE, id=DEMO_GROUP_ID, members=[user], with_bot=True)
    taken = {u.lower() for u in (me.username,)}
    for user_id, name, username, started in found.users:
        if user_id in api.world.users or user_id <= 0:
            continue
        free = username if username and username.lower() not in taken else None
        person = api.add_user(name or str(user_id), id=user_id, username=free)
        person.started = started  # who wrote to the bot may be written to (an answer)
        taken.add((free or "").lower())
    for chat_id, title, kind, active in found.groups:
        if chat_id in api.world.chats:
            continue
        chat = api.add_group(title or str(chat_id), id=chat_id, type=kind, members=[user])
        if active:
            api.set_member_status(chat, api.bot_user, "member")
        else:  # a group the campaign declares: the bot is added, and told so as Telegram would
            api.add_bot_to_group(chat, user)
    return user, group


def where(api: FakeBotApi, chat_id: int, me: FakeUser, group: FakeChat) -> str:
    """How the console names the chat a message went to."""
    if chat_id == me.id:
        return "私聊"
    if chat_id == group.id:
        return "群"
    chat = api.world.chats.get(chat_id)
    if chat is None:
        return f"→{chat_id}"
    if chat.private_user is not None:
        return f"→ {chat.private_user.first_name} 私聊"
    return f"→ 群「{chat.title}」"


def take_role(
    session: Session,
    me: DemoPerson,
    role: str,
    unit: str | None,
    campaign_id: int | None,
    now: datetime,
) -> str:
    """Make the console's person a ``role``; a liaison is bound to ``unit`` (default: the
    campaign's first) as registration would. Returns what to tell them, or raises ValueError."""
    user = users.touch_user(
        session,
        user_id=me.user_id,
        username=me.username,
        display_name=me.name,
        now=now,
        private=True,
    )
    if role == "coordinator":
        return ""  # an admin (COORDBOT_ADMINS) for this run
    users.set_role(session, user, role, now=now)
    if role != "liaison":
        return ""
    if campaign_id is None:
        raise ValueError("--as liaison needs a campaign (COORDBOT_CAMPAIGN)")
    found = (
        campaigns.find_unit(session, campaign_id, unit)
        if unit
        else next(iter(campaigns.list_units(session, campaign_id)), None)
    )
    if found is None:
        raise ValueError(f"--unit: no unit {unit!r} in this campaign")
    row = liaisons.liaison_of_user(session, campaign_id, me.user_id)
    if row is None or row.unit_id != found.id or not row.active:
        primary = liaisons.primary_of_unit(session, found.id) is None
        if row is None:
            row = Liaison(campaign_id=campaign_id, user_id=me.user_id, name=me.name, created_at=now)
            session.add(row)
        row.unit_id, row.active, row.is_primary = found.id, True, primary
    row.updated_at = now
    return f"; 单位 unit: {found.name}"
