"""Chats the bot is in and the units they are bound to. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models.core import Chat, ChatBinding, Unit


def upsert_chat(
    session: Session, *, chat_id: int, type: str, title: str, active: bool, now: datetime
) -> Chat:
    chat = session.get(Chat, chat_id)
    if chat is None:
        chat = Chat(id=chat_id, type=type, title=title, active=active, updated_at=now)
        session.add(chat)
        session.flush()
    elif (chat.type, chat.title, chat.active) != (type, title, active):
        chat.type, chat.title, chat.active, chat.updated_at = type, title, active, now
    return chat


def migrate_chat(session: Session, *, old_id: int, new_id: int, now: datetime) -> None:
    """A group became a supergroup: the new id inherits the bindings; the old one goes inactive."""
    old = session.get(Chat, old_id)
    new = upsert_chat(
        session,
        chat_id=new_id,
        type="supergroup",
        title=old.title if old else "",
        active=True,
        now=now,
    )
    if old is not None:
        old.active, old.migrated_to, old.updated_at = False, new_id, now
        new.purpose = new.purpose or old.purpose
    session.execute(update(ChatBinding).where(ChatBinding.chat_id == old_id).values(chat_id=new_id))


def bind(
    session: Session, *, chat_id: int, campaign_id: int, unit_id: int | None, tag: str | None
) -> bool:
    """Bind a chat to a unit or a tag in chat (``origin = "chat"``: no reload of the campaign
    file removes it); False if it already was (a binding the file made becomes the chat's)."""
    exists = session.scalar(
        select(ChatBinding).where(
            ChatBinding.chat_id == chat_id,
            ChatBinding.campaign_id == campaign_id,
            ChatBinding.unit_id.is_(None) if unit_id is None else ChatBinding.unit_id == unit_id,
            ChatBinding.tag.is_(None) if tag is None else ChatBinding.tag == tag,
        )
    )
    if exists is not None:
        exists.origin = "chat"
        return False
    session.add(
        ChatBinding(
            chat_id=chat_id, campaign_id=campaign_id, unit_id=unit_id, tag=tag, origin="chat"
        )
    )
    session.flush()
    return True


def campaign_bindings_of_chat(
    session: Session, chat_id: int, campaign_id: int
) -> list[ChatBinding]:
    query = select(ChatBinding).where(
        ChatBinding.chat_id == chat_id, ChatBinding.campaign_id == campaign_id
    )
    return list(session.scalars(query.order_by(ChatBinding.id)))


def delete_binding(session: Session, binding: ChatBinding) -> None:
    session.delete(binding)
    session.flush()


def groups_of_unit(session: Session, *, campaign_id: int, unit: Unit) -> list[Chat]:
    """Active groups bound to this unit directly or through one of its tags."""
    bindings = session.scalars(
        select(ChatBinding).where(ChatBinding.campaign_id == campaign_id)
    ).all()
    ids = {
        b.chat_id
        for b in bindings
        if b.unit_id == unit.id or (b.tag is not None and b.tag in (unit.tags or []))
    }
    if not ids:
        return []
    return list(
        session.scalars(
            select(Chat).where(Chat.id.in_(ids), Chat.active.is_(True)).order_by(Chat.id)
        )
    )


def active_groups(session: Session) -> list[Chat]:
    return list(
        session.scalars(
            select(Chat)
            .where(Chat.active.is_(True), Chat.type.in_(("group", "supergroup")))
            .order_by(Chat.id)
        )
    )


def all_groups(session: Session) -> list[Chat]:
    """Every group the database knows, active or not (the console's stand-in is built from them)."""
    kinds = ("group", "supergroup")
    return list(session.scalars(select(Chat).where(Chat.type.in_(kinds)).order_by(Chat.id)))


def bindings_of_chat(session: Session, chat_id: int) -> list[ChatBinding]:
    return list(session.scalars(select(ChatBinding).where(ChatBinding.chat_id == chat_id)))


def deactivate(session: Session, chat_id: int, *, now: datetime) -> None:
    """The bot can no longer write there (removed, chat gone, user blocked the bot)."""
    chat = session.get(Chat, chat_id)
    if chat is not None and chat.active:
        chat.active, chat.updated_at = False, now
