"""The simulated Telegram world: users, chats, membership, stored messages and their ids."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bot.localapi.files import FileStore
from bot.localapi.models import (
    JSON,
    ApiError,
    ChatRef,
    FakeChat,
    FakeUser,
    UserRef,
    bad_request,
    forbidden,
)

_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}
IN_CHAT = ("creator", "administrator", "member")


class World:
    def __init__(
        self, bot: FakeUser, now: Callable[[], float], files_dir: Path | None = None
    ) -> None:
        self.bot = bot
        self.now = now
        self.users: dict[int, FakeUser] = {bot.id: bot}
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[tuple[int, int], JSON] = {}
        self.files = FileStore(files_dir)
        self._next_message: dict[int, int] = {}
        self._message_floor = 0  # new message ids are above it in every chat (continue_after)
        self._user_ids = itertools.count(700000001)
        self._chat_ids = itertools.count(1)
        self._media_groups = itertools.count(13000000000000001)
        self._usernames: dict[str, int] = {}

    # ----- creation -------------------------------------------------------------------------
    def add_user(
        self,
        first_name: str = "用户",
        *,
        id: int | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> FakeUser:
        user_id = id if id is not None else next(self._user_ids)
        if user_id in self.users:
            raise ValueError(f"user {user_id} exists")
        user = FakeUser(user_id, first_name, username, last_name, language_code)
        self.users[user_id] = user
        self.chats[user_id] = FakeChat(user_id, "private", private_user=user)
        if username:
            self._usernames[username.lower()] = user_id
        return user

    def add_group(
        self,
        title: str,
        *,
        members: Iterable[UserRef] = (),
        owner: UserRef | None = None,
        type: str = "group",
        id: int | None = None,
        username: str | None = None,
        with_bot: bool = False,
        bot_admin: bool = False,
    ) -> FakeChat:
        """A group or supergroup. The bot is not in it unless ``with_bot``/``bot_admin`` (use
        ``FakeBotApi.add_bot_to_group`` to add it the way Telegram announces it)."""
        if type not in ("group", "supergroup", "channel"):
            raise ValueError(f"bad chat type {type!r}")
        if id is None:
            n = next(self._chat_ids)
            id = -(1001000000000 + n) if type != "group" else -(4000000000 + n)
        if id in self.chats:
            raise ValueError(f"chat {id} exists")
        chat = FakeChat(id, type, title=title, username=username)
        if owner is not None:
            chat.members[self.user(owner).id] = "creator"
        for ref in members:
            chat.members.setdefault(self.user(ref).id, "member")
        if with_bot or bot_admin:
            chat.members[self.bot.id] = "administrator" if bot_admin else "member"
        self.chats[id] = chat
        if username:
            self._usernames[username.lower()] = id
        return chat

    # ----- lookup ---------------------------------------------------------------------------
    def user(self, ref: UserRef) -> FakeUser:
        if isinstance(ref, FakeUser):
            return ref
        try:
            return self.users[int(ref)]
        except KeyError:
            raise ValueError(f"unknown user {ref}") from None

    def chat(self, ref: ChatRef | FakeUser) -> FakeChat:
        if isinstance(ref, FakeChat):
            return ref
        key = ref.id if isinstance(ref, FakeUser) else int(ref)
        try:
            return self.chats[key]
        except KeyError:
            raise ValueError(f"unknown chat {ref}") from None

    def resolve(self, value: Any) -> FakeChat:
        """A chat_id parameter as the bot sent it (int, numeric string or @username)."""
        chat: FakeChat | None = None
        if isinstance(value, str) and value.startswith("@"):
            found = self._usernames.get(value[1:].lower())
            chat = self.chats.get(found) if found is not None else None
        else:
            try:
                chat = self.chats.get(int(value))
            except (TypeError, ValueError):
                chat = None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def status(self, chat: FakeChat, user_id: int) -> str:
        if chat.type == "private":
            return "member" if user_id in (chat.id, self.bot.id) else "left"
        return chat.members.get(user_id, "left")

    def bot_sees(self, chat: FakeChat) -> bool:
        if chat.type == "private":
            return True
        return chat.migrated_to is None and self.status(chat, self.bot.id) in IN_CHAT

    def check_can_send(self, chat: FakeChat) -> None:
        """Raise the error Telegram gives the bot when it may not write to ``chat``."""
        if chat.type == "private":
            user = chat.private_user
            if user is None or user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                raise forbidden("bot can't initiate conversation with a user")
            return
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        status = self.status(chat, self.bot.id)
        kind = "group chat" if chat.type == "group" else f"{chat.type} chat"
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if status not in IN_CHAT:
            raise forbidden(f"bot is not a member of the {kind}")

    def check_can_read(self, chat: FakeChat) -> None:
        if chat.type == "private":
            return
        status = self.status(chat, self.bot.id)
        kind = "group chat" if chat.type == "group" else f"{chat.type} chat"
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind}")
        if status not in IN_CHAT:
            raise forbidden(f"bot is not a member of the {kind}")

    # ----- messages -------------------------------------------------------------------------
    def continue_after(self, message_id: int) -> None:
        """Number new messages above ``message_id`` in every chat, as Telegram would after a
        restart of this server (a bot that stored earlier ids must not meet them again)."""
        self._message_floor = max(self._message_floor, message_id)

    def new_message(self, chat: FakeChat, sender: FakeUser, content: JSON) -> JSON:
        message_id = max(self._next_message.get(chat.id, 0), self._message_floor) + 1
        self._next_message[chat.id] = message_id
        message: JSON = {
            "message_id": message_id,
            "date": int(self.now()),
            "chat": chat.to_dict(),
            "from": sender.to_dict(),
        }
        message.update(content)
        self.messages[(chat.id, message_id)] = message
        return message

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        return self.messages.get((chat_id, message_id))

    def new_media_group_id(self) -> str:
        return str(next(self._media_groups))

    def reply_content(self, chat: FakeChat, reply_to: int | JSON | None) -> JSON:
        """``{"reply_to_message": ...}`` for a reply to a message id or message dict."""
        if reply_to is None:
            return {}
        message_id = reply_to if isinstance(reply_to, int) else int(reply_to["message_id"])
        original = self.message(chat.id, message_id)
        if original is None:
            raise bad_request("message to be replied not found")
        shallow = {k: v for k, v in original.items() if k != "reply_to_message"}
        return {"reply_to_message": shallow}

    # ----- chat members ---------------------------------------------------------------------
    def member_dict(self, chat: FakeChat, user: FakeUser) -> JSON:
        status = self.status(chat, user.id)
        data: JSON = {"status": status, "user": user.to_dict()}
        if status == "creator":
            data["is_anonymous"] = False
        elif status == "administrator":
            data.update(_ADMIN_RIGHTS)
        elif status == "kicked":
            data["until_date"] = 0
        return data

    def set_status(self, chat: FakeChat, user: FakeUser, status: str) -> tuple[JSON, JSON]:
        """Change a member's status; return (old ChatMember, new ChatMember)."""
        old = self.member_dict(chat, user)
        chat.members[user.id] = status
        return old, self.member_dict(chat, user)

    def require_message(self, chat: FakeChat, message_id: Any, what: str) -> JSON:
        try:
            found = self.message(chat.id, int(message_id))
        except (TypeError, ValueError):
            found = None
        if found is None:
            raise bad_request(f"message to {what} not found")
        return found


def chat_full_info(world: World, chat: FakeChat) -> JSON:
    data = chat.to_dict()
    data.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    data.pop("all_members_are_administrators", None)
    return data


__all__ = ["IN_CHAT", "ApiError", "World", "chat_full_info"]
