"""Plain data the fake Bot API keeps: users, chats, stored files, what the bot sent, API errors."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON = dict[str, Any]

#: Methods that put a new message into a chat (flood limits and the "send" fault scope apply).
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
        "sendsticker",
        "sendlocation",
        "sendcontact",
    }
)


class ApiError(Exception):
    """A Telegram-style error answer: ``{"ok": false, "error_code": ..., "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


def require_utf8(value: Any) -> None:
    """ApiError 400 if a string in ``value`` cannot be UTF-8 (an unpaired surrogate): Telegram
    refuses such text, and stored it would break every later answer that carries it."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("strings must be encoded in UTF-8") from None


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


@dataclass
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False  # has opened the private chat with the bot
    blocked: bool = False  # has blocked the bot

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class FakeChat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    #: user id -> status (creator | administrator | member | left | kicked); includes the bot
    members: dict[int, str] = field(default_factory=dict)
    migrated_to: int | None = None
    private_user: FakeUser | None = None

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "private" and self.private_user is not None:
            user = self.private_user
            data["first_name"] = user.first_name
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
        else:
            data["title"] = self.title or f"chat {self.id}"
            if self.username:
                data["username"] = self.username
            if self.type == "group":
                data["all_members_are_administrators"] = False
        return data


ChatRef = FakeChat | int
UserRef = FakeUser | int


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # photos | documents | stickers
    extension: str
    size: int
    data: bytes | None = None  # None until rendered (resized photo sizes are rendered lazily)
    source: bytes | None = None  # original bytes a resized photo size is rendered from
    max_side: int = 0
    file_path: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0


@dataclass
class SentRecord:
    """One thing the bot did to a chat, as the test sees it."""

    method: str  # Bot API method name, e.g. "sendMessage"
    kind: str  # message | edit | delete | callback_answer
    chat_id: int
    message_id: int | None = None
    text: str | None = None  # what the user sees (HTML tags removed)
    raw_text: str | None = None  # what the bot sent
    caption: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] | None = None
    reply_markup: JSON | None = None
    reply_to: int | None = None
    photo: bytes | None = None
    document: bytes | None = None
    filename: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    media_group_id: str | None = None
    message: JSON | None = None  # the full Message object returned to the bot
    callback_query_id: str | None = None
    show_alert: bool = False
    time: float = field(default_factory=time.monotonic)

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has ("" if none)."""
        return self.text or self.caption or ""

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline keyboard as a flat list of (label, callback_data or url)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            (b.get("text", ""), b.get("callback_data") or b.get("url")) for r in rows for b in r
        ]


class Played(NamedTuple):
    """What a playing-user action produced: the update (None if the bot cannot see it) and the
    message (for a button press: the message the button is on)."""

    update: JSON | None
    message: JSON
