"""Playing users: what people do in Telegram, turned into the updates the bot receives.

Every action returns ``Played(update, message)``; ``update`` is None when the bot cannot see the
message (it is not in that group). Actions also ``mark()`` the sent list for ``wait_sent``.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from bot.localapi.formatting import auto_entities
from bot.localapi.models import (
    JSON,
    ChatRef,
    FakeChat,
    FakeUser,
    Played,
    SentRecord,
    UserRef,
    require_utf8,
)
from bot.localapi.state import IN_CHAT

if TYPE_CHECKING:
    from bot.localapi.state import World

_query_ids = itertools.count(4_000_000_000_000_001)


class PlayersMixin:
    if TYPE_CHECKING:
        world: World
        callback_queries: dict[str, JSON]

        def inject_update(self, update: JSON) -> JSON: ...
        def mark(self) -> int: ...
        def change_bot_status(self, chat: FakeChat, status: str, by_user: FakeUser) -> JSON: ...

    # ----- people and chats -----------------------------------------------------------------
    def add_user(self, first_name: str = "用户", **kwargs: Any) -> FakeUser:
        """kwargs: id, username, last_name, language_code (default "zh-hans")."""
        return self.world.add_user(first_name, **kwargs)

    def add_group(self, title: str, **kwargs: Any) -> FakeChat:
        """kwargs: members, owner, type (group/supergroup), id, username, with_bot, bot_admin."""
        return self.world.add_group(title, **kwargs)

    def private_chat(self, user: UserRef) -> FakeChat:
        return self.world.chat(self.world.user(user).id)

    def set_member_status(self, chat: ChatRef, user: UserRef, status: str) -> None:
        """Make someone creator/administrator/member/left/kicked silently (no update)."""
        self.world.set_status(self.world.chat(chat), self.world.user(user), status)

    # ----- helpers --------------------------------------------------------------------------
    def _deliver(self, chat: FakeChat, key: str, message: JSON) -> Played:
        self.mark()
        if not self.world.bot_sees(chat):
            return Played(None, message)
        return Played(self.inject_update({key: message}), message)

    def _user_message(
        self, chat_ref: ChatRef, user_ref: UserRef, content: JSON, reply_to: Any = None
    ) -> tuple[FakeChat, JSON]:
        chat, user = self.world.chat(chat_ref), self.world.user(user_ref)
        if chat.type == "private":
            if chat.id != user.id:
                raise ValueError(f"{user.id} cannot write in the private chat of {chat.id}")
            user.started = True
        elif self.world.status(chat, user.id) not in IN_CHAT:
            chat.members[user.id] = "member"
        if isinstance(reply_to, SentRecord):
            reply_to = reply_to.message_id
        content.update(self.world.reply_content(chat, reply_to))
        require_utf8(content)
        return chat, self.world.new_message(chat, user, content)

    @staticmethod
    def _text_content(key: str, text: str | None) -> JSON:
        if not text:
            return {}
        entities = auto_entities(text)
        content: JSON = {key: text}
        if entities:
            content["entities" if key == "text" else "caption_entities"] = entities
        return content

    # ----- messages -------------------------------------------------------------------------
    def send_text(self, chat: ChatRef, user: UserRef, text: str, reply_to: Any = None) -> Played:
        found, message = self._user_message(chat, user, self._text_content("text", text), reply_to)
        return self._deliver(found, "message", message)

    def start_bot(self, user: UserRef, payload: str | None = None) -> Played:
        """The user opens the private chat (deep link payload optional): ``/start [payload]``."""
        person = self.world.user(user)
        person.started, person.blocked = True, False
        text = "/start" + (f" {payload}" if payload else "")
        return self.send_text(person.id, person, text)

    def send_photo(
        self,
        chat: ChatRef,
        user: UserRef,
        jpeg: bytes,
        caption: str | None = None,
        media_group_id: str | None = None,
        reply_to: Any = None,
    ) -> Played:
        content: JSON = {"photo": self.world.files.add_photo(jpeg)}
        content.update(self._text_content("caption", caption))
        if media_group_id:
            content["media_group_id"] = media_group_id
        found, message = self._user_message(chat, user, content, reply_to)
        return self._deliver(found, "message", message)

    def send_document(
        self,
        chat: ChatRef,
        user: UserRef,
        data: bytes,
        file_name: str,
        mime_type: str | None = None,
        caption: str | None = None,
        reply_to: Any = None,
        media_group_id: str | None = None,
    ) -> Played:
        content: JSON = {"document": self.world.files.add_document(data, file_name, mime_type)}
        content.update(self._text_content("caption", caption))
        if media_group_id:
            content["media_group_id"] = media_group_id
        found, message = self._user_message(chat, user, content, reply_to)
        return self._deliver(found, "message", message)

    def send_album(
        self,
        chat: ChatRef,
        user: UserRef,
        images: list[bytes],
        caption: str | None = None,
        caption_index: int = 0,
        reply_to: Any = None,
    ) -> list[Played]:
        """2-10 photos sharing a media_group_id: one update each; the caption on one item."""
        if not 1 <= len(images) <= 10:
            raise ValueError("an album has 1 to 10 items")
        group_id = self.world.new_media_group_id()
        return [
            self.send_photo(
                chat, user, data, caption if i == caption_index else None, group_id, reply_to
            )
            for i, data in enumerate(images)
        ]

    def send_sticker(self, chat: ChatRef, user: UserRef, emoji: str = "👍") -> Played:
        found, message = self._user_message(
            chat, user, {"sticker": self.world.files.add_sticker(emoji)}
        )
        return self._deliver(found, "message", message)

    def send_location(
        self, chat: ChatRef, user: UserRef, latitude: float, longitude: float
    ) -> Played:
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        found, message = self._user_message(chat, user, content)
        return self._deliver(found, "message", message)

    def send_contact(
        self,
        chat: ChatRef,
        user: UserRef,
        phone_number: str,
        first_name: str,
        user_id: int | None = None,
    ) -> Played:
        contact: JSON = {"phone_number": phone_number, "first_name": first_name}
        if user_id is not None:
            contact["user_id"] = user_id
        found, message = self._user_message(chat, user, {"contact": contact})
        return self._deliver(found, "message", message)

    def edit_text(self, chat: ChatRef, user: UserRef, message: Any, text: str) -> Played:
        """The user edits an earlier text message of theirs: an ``edited_message`` update."""
        found = self.world.chat(chat)
        message_id = message if isinstance(message, int) else message["message_id"]
        stored = self.world.message(found.id, message_id)
        if stored is None or stored["from"]["id"] != self.world.user(user).id:
            raise ValueError("can only edit one's own existing message")
        stored.pop("entities", None)
        stored.update(self._text_content("text", text))
        stored["edit_date"] = int(self.world.now())
        return self._deliver(found, "edited_message", dict(stored))

    def edit_caption(self, chat: ChatRef, user: UserRef, message: Any, caption: str) -> Played:
        """The user edits the caption of an earlier photo or file: an ``edited_message``."""
        found = self.world.chat(chat)
        message_id = message if isinstance(message, int) else message["message_id"]
        stored = self.world.message(found.id, message_id)
        if stored is None or stored["from"]["id"] != self.world.user(user).id:
            raise ValueError("can only edit one's own existing message")
        stored.pop("caption", None)
        stored.pop("caption_entities", None)
        stored.update(self._text_content("caption", caption))
        stored["edit_date"] = int(self.world.now())
        return self._deliver(found, "edited_message", dict(stored))

    def press_button(
        self, chat: ChatRef, user: UserRef, message: Any, callback_data: str
    ) -> Played:
        """Press an inline button of a bot message (SentRecord, Message dict or message id)."""
        found, person = self.world.chat(chat), self.world.user(user)
        if isinstance(message, SentRecord):
            message_id = message.message_id
        else:
            message_id = message if isinstance(message, int) else message["message_id"]
        stored = self.world.message(found.id, int(message_id or 0))
        if stored is None:
            raise ValueError(f"no message {message_id} in chat {found.id}")
        rows = (stored.get("reply_markup") or {}).get("inline_keyboard") or []
        datas = [b.get("callback_data") for row in rows for b in row]
        if callback_data not in datas:
            raise ValueError(f"message has no button with callback_data {callback_data!r}: {datas}")
        query_id = str(next(_query_ids))
        query = {
            "id": query_id,
            "from": person.to_dict(),
            "message": dict(stored),
            "chat_instance": str(abs(found.id)),
            "data": callback_data,
        }
        self.callback_queries[query_id] = {
            "from": query["from"],
            "message": stored,
            "answered": False,
        }
        self.mark()
        return Played(self.inject_update({"callback_query": query}), stored)

    # ----- membership -----------------------------------------------------------------------
    def add_bot_to_group(self, chat: ChatRef, by_user: UserRef, admin: bool = False) -> Played:
        """my_chat_member (left -> member/administrator), then the new_chat_members message."""
        found, person = self.world.chat(chat), self.world.user(by_user)
        if self.world.status(found, person.id) not in IN_CHAT:
            found.members[person.id] = "creator" if not found.members else "member"
        self.mark()
        self.change_bot_status(found, "administrator" if admin else "member", person)
        bot = self.world.bot.to_dict()
        content = {"new_chat_members": [bot], "new_chat_member": bot, "new_chat_participant": bot}
        message = self.world.new_message(found, person, content)
        return self._deliver(found, "message", message)

    def remove_bot_from_group(self, chat: ChatRef, by_user: UserRef | None = None) -> Played:
        """The bot is kicked: a my_chat_member update; later sends there get 403."""
        found = self.world.chat(chat)
        admins = [u for u, s in found.members.items() if s in ("creator", "administrator")]
        kicker = self.world.user(
            by_user if by_user is not None else (admins or [self.world.bot.id])[0]
        )
        self.mark()
        update = self.change_bot_status(found, "kicked", kicker)
        return Played(update, update["my_chat_member"])

    def join_group(self, chat: ChatRef, user: UserRef) -> Played:
        found, person = self.world.chat(chat), self.world.user(user)
        found.members[person.id] = "member"
        content = {"new_chat_members": [person.to_dict()], "new_chat_member": person.to_dict()}
        return self._deliver(found, "message", self.world.new_message(found, person, content))

    def leave_group(self, chat: ChatRef, user: UserRef) -> Played:
        found, person = self.world.chat(chat), self.world.user(user)
        found.members[person.id] = "left"
        content = {"left_chat_member": person.to_dict()}
        return self._deliver(found, "message", self.world.new_message(found, person, content))

    def block_bot(self, user: UserRef) -> Played:
        """The user blocks the bot: my_chat_member kicked in the private chat; sends get 403."""
        person = self.world.user(user)
        person.blocked = True
        chat = self.world.chat(person.id)
        update = self.inject_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": person.to_dict(),
                    "date": int(self.world.now()),
                    "old_chat_member": {"status": "member", "user": self.world.bot.to_dict()},
                    "new_chat_member": {
                        "status": "kicked",
                        "user": self.world.bot.to_dict(),
                        "until_date": 0,
                    },
                }
            }
        )
        return Played(update, update["my_chat_member"])

    def migrate_group(self, chat: ChatRef, new_chat_id: int | None = None) -> Played:
        """Upgrade a group to a supergroup; returns the old group's migrate_to_chat_id message.
        The new chat is ``world.chat(played.message["migrate_to_chat_id"])``."""
        old = self.world.chat(chat)
        new_id = new_chat_id if new_chat_id is not None else -(1000000000000 + abs(old.id))
        new = FakeChat(new_id, "supergroup", title=old.title, members=dict(old.members))
        self.world.chats[new_id] = new
        owner = next((u for u, s in old.members.items() if s == "creator"), None)
        actor = self.world.user(owner if owner is not None else next(iter(old.members)))
        message = self.world.new_message(old, actor, {"migrate_to_chat_id": new_id})
        played = self._deliver(old, "message", message)
        old.migrated_to = new_id
        new_message = self.world.new_message(new, actor, {"migrate_from_chat_id": old.id})
        self._deliver(new, "message", new_message)
        return played
