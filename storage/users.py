"""Users: who they are on the platform, their stored role and language. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.inserts import insert_or_skip
from storage.models.core import User


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_user(session: Session, ref: str) -> User | None:
    """A user by numeric id or ``@username`` (case-insensitive)."""
    ref = ref.strip()
    if ref.lstrip("-").isdigit():
        return session.get(User, int(ref))
    name = ref.removeprefix("@").lower()
    if not name:
        return None
    users = session.scalars(select(User).where(User.username.is_not(None))).all()
    return next((u for u in users if (u.username or "").lower() == name), None)


def insert_if_new(
    session: Session,
    *,
    user_id: int,
    username: str | None,
    display_name: str,
    role: str,
    private: bool,
    now: datetime,
) -> bool:
    """Create the user in one statement unless the id is taken; True if it was created (the
    common case in a rush of new residents, without the ORM's load-then-insert)."""
    row = {
        "id": user_id,
        "username": username,
        "display_name": display_name,
        "role": role,
        "started_bot": private,
        "created_at": now,
        "updated_at": now,
    }
    statement = insert_or_skip(session, User, row, on=["id"]).returning(User.id)
    return session.execute(statement).first() is not None


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
