"""One person per role, and a group they all sit in, for tests that try everything as everyone.

``cast(h)`` makes a coordinator (from settings), a staff member and a resident (rows in
``users``), and a liaison bound to the campaign's first unit (a ``liaisons`` row) when the
registration models exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.localapi import FakeChat, FakeUser
from storage.models.core import Unit, User
from tests.harness import Harness

try:
    from storage.models.registration import Liaison
except ImportError:  # pragma: no cover - before registration lands
    Liaison = None  # type: ignore[assignment,misc]

ROLES = ("coordinator", "staff", "liaison", "resident")
INTERNAL_ERROR_KEY = "core.error.internal"


@dataclass
class Cast:
    people: dict[str, FakeUser]
    group: FakeChat

    def internal_error_texts(self, h: Harness) -> set[str]:
        catalog = h.deps.catalog
        return {catalog.t(locale, INTERNAL_ERROR_KEY) for locale in ("zh-CN", "en")}


def liaison_available() -> bool:
    return Liaison is not None


async def cast(h: Harness) -> Cast:
    people = {"coordinator": h.admin}
    for role, name in (("staff", "王工作"), ("liaison", "陈联络"), ("resident", "李居民")):
        people[role] = h.api.add_user(name, username=f"{role}_user")
    for person in people.values():
        await h.say(person, "/help")  # the bot records each user on first sight
    now = datetime.now(UTC)
    with h.deps.db.transaction() as s:
        staff = s.get(User, people["staff"].id)
        assert staff is not None
        staff.role = "staff"
        if Liaison is not None and h.deps.campaign_id is not None:
            unit = s.scalars(
                select(Unit).where(Unit.campaign_id == h.deps.campaign_id).order_by(Unit.id)
            ).first()
            assert unit is not None
            liaison = s.get(User, people["liaison"].id)
            assert liaison is not None
            liaison.role = "liaison"
            row: Any = Liaison(
                campaign_id=h.deps.campaign_id,
                unit_id=unit.id,
                user_id=liaison.id,
                is_primary=True,
                name="陈联络",
                created_at=now,
                updated_at=now,
            )
            s.add(row)
    group = h.api.add_group(
        "测试工作群", members=[p.id for p in people.values()], owner=h.admin, with_bot=True
    )
    return Cast(people, group)
