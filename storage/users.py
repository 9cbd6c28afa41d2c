"""Users: who they are on the platform, their stored role and language. Never commits."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session

from storage.inserts import insert_many_or_skip
from storage.models.core import User


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def all_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def find_user(session: Session, ref: str) -> User | None:
    """A user by numeric id or ``@username`` (case-insensitive)."""
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        user_id = int(ref)  # a number past BIGINT cannot be bound, and names nobody
        return session.get(User, user_id) if abs(user_id) < 2**63 else None
    name = ref.removeprefix("@").lower()
    if not name:
        return None
    users = session.scalars(select(User).where(User.username.is_not(None))).all()
    return next((u for u in users if (u.username or "").lower() == name), None)


def insert_many_if_new(session: Session, rows: list[dict[str, Any]]) -> set[int]:
    """Create users in one statement, skipping ids already taken; the ids that were created (the
    common case in a rush of new residents, without the ORM's load-then-insert). Each row has
    ``id, username, display_name, role, started_bot, created_at, updated_at``."""
    table = cast(Table, User.__table__)
    created = insert_many_or_skip(session, table, rows, on=["id"], returning=["id"])
    return {row[0] for row in created}


def profiles(session: Session, user_ids: list[int]) -> dict[int, Profile]:
    """What decides a speaker's role and language, for many users in one query (no ORM
    objects): ``{id: (username, display_name, role, locale, started_bot)}``."""
    if not user_ids:
        return {}
    return {row[0]: row[1:] for row in session.execute(_profiles_query(), {"ids": user_ids})}


Profile = tuple[str | None, str, str, str | None, bool]


@functools.cache
def _profiles_query() -> Select[Any]:
    t = cast(Table, User.__table__)
    columns = (t.c.id, t.c.username, t.c.display_name, t.c.role, t.c.locale, t.c.started_bot)
    return select(*columns).where(t.c.id.in_(bindparam("ids", expanding=True)))


def touch_user(
    session: Session,
    *,
    user_id: int,
    username: str | None,
    display_name: str,
    now: datetime,
    private: bool = False,
) -> User:
    """Create the user on first sight; refresh names; remember that they opened a private chat."""
    user = session.get(User, user_id)
    if user is None:
        user = User(
            id=user_id,
            username=username,
            display_name=display_name,
            role="resident",
            started_bot=private,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        session.flush()
        return user
    if user.username != username or user.display_name != display_name:
        user.username, user.display_name, user.updated_at = username, display_name, now
    if private and not user.started_bot:
        user.started_bot, user.updated_at = True, now
    return user


def set_role(session: Session, user: User, role: str, *, now: datetime) -> None:
    user.role, user.updated_at = role, now


def set_locale(session: Session, user: User, locale: str, *, now: datetime) -> None:
    user.locale, user.updated_at = locale, now
