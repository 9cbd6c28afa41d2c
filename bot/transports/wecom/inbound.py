"""Callbacks (``aibot_msg_callback``, ``aibot_event_callback``) as plain dataclasses.

Body shapes from WecomTeam/aibot-node-sdk ``src/types/message.ts`` and ``src/types/event.ts``:
``msgid``, ``aibotid``, ``chattype`` single|group, ``chatid`` (groups only), ``from.userid``,
``msgtype`` text|image|mixed|voice|file, ``mixed.msg_item[]``, media as ``{url, aeskey}``;
events as ``msgtype: event`` with ``event.eventtype``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PLATFORM = "wecom"
# a leading @-mention ends at whitespace; WeCom puts U+2005 (four-per-em space) after it
_MENTION = re.compile(r"^(?:@[^\s\u2005]+[\s\u2005]*)+")
_SLASHES = ("/", "／")


@dataclass(frozen=True)
class Media:
    kind: str  # "image" or "file"
    url: str
    aeskey: str


@dataclass(frozen=True)
class CardPress:
    """A template card button pressed (``template_card_event``)."""

    event_key: str
    task_id: str = ""


@dataclass(frozen=True)
class Inbound:
    """One callback, platform-neutral enough for the core's Event (issue 14) to be built from."""

    msgid: str
    req_id: str  # the callback frame's req_id: replies must carry it
    chattype: str  # "single" or "group"
    chatid: str  # the group's chatid, or the user's userid in a single chat
    userid: str
    msgtype: str  # text, image, mixed, voice, file, event
    text: str = ""
    command: str | None = None
    args: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    card: CardPress | None = None
    event_type: str | None = None
    quote_text: str = ""
    create_time: int | None = None
    connection: str = ""  # which connection received it: a reply must go out on that one
    platform: str = PLATFORM
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_group(self) -> bool:
        return self.chattype == "group"

    @property
    def images(self) -> tuple[Media, ...]:
        return tuple(m for m in self.media if m.kind == "image")


def parse_callback(req_id: str, body: dict[str, Any], *, connection: str = "") -> Inbound | None:
    """The callback as an Inbound, or None when it lacks what every callback has."""
    msgid = str(body.get("msgid") or "")
    sender = _dict(body.get("from"))
    userid = str(sender.get("userid") or "")
    chattype = "group" if body.get("chattype") == "group" else "single"
    chatid = str(body.get("chatid") or "") if chattype == "group" else userid
    msgtype = str(body.get("msgtype") or "")
    if not msgid or not userid or not chatid or not msgtype:
        return None
    texts: list[str] = []
    media: list[Media] = []
    card = event_type = None
    if msgtype in ("text", "voice"):
        texts.append(_content(body.get(msgtype)))
    elif msgtype in ("image", "file"):
        media += _media(msgtype, body.get(msgtype))
    elif msgtype == "mixed":
        items = (body.get("mixed") or {}).get("msg_item") or []
        for item in items if isinstance(items, list) else []:
            kind = item.get("msgtype") if isinstance(item, dict) else None
            if kind == "text":
                texts.append(_content(item.get("text")))
            elif kind == "image":
                media += _media("image", item.get("image"))
    elif msgtype == "event":
        event = _dict(body.get("event"))
        event_type = str(event.get("eventtype") or "")
        if event_type == "template_card_event":
            card = _card(event)
    text = "\n".join(t for t in texts if t).strip()
    if chattype == "group":
        text = _MENTION.sub("", text).strip()
    command, args = split_command(text)
    create_time = body.get("create_time")
    return Inbound(
        msgid=msgid,
        req_id=req_id,
        chattype=chattype,
        chatid=chatid,
        userid=userid,
        msgtype=msgtype,
        text=text,
        command=command,
        args=args,
        media=tuple(media),
        card=card,
        event_type=event_type,
        quote_text=_quote(body.get("quote")),
        create_time=int(create_time) if isinstance(create_time, int | float) else None,
        connection=connection,
        raw=body,
    )


def split_command(text: str) -> tuple[str | None, tuple[str, ...]]:
    """``/done 9 海报20`` → ("done", ("9", "海报20")); full-width slash too; None when the text
    is not a command."""
    if not text.startswith(_SLASHES):
        return None, ()
    parts = text[1:].split()
    if not parts:
        return None, ()
    head, *rest = parts
    name = head.split("@", 1)[0].lower()
    return (name or None), (tuple(rest) if name else ())


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _content(part: object) -> str:
    return str(part.get("content") or "") if isinstance(part, dict) else ""


def _media(kind: str, part: object) -> list[Media]:
    if not isinstance(part, dict) or not part.get("url"):
        return []
    return [Media(kind, str(part["url"]), str(part.get("aeskey") or ""))]


def _card(event: dict[str, Any]) -> CardPress:
    # WeCom's callback document nests it (event.template_card_event.event_key); the node SDK's
    # TemplateCardEventData puts event_key on the event itself: accept both.
    nested = event.get("template_card_event")
    source = nested if isinstance(nested, dict) else event
    return CardPress(str(source.get("event_key") or ""), str(source.get("task_id") or ""))


def _quote(quote: object) -> str:
    if not isinstance(quote, dict):
        return ""
    kind = quote.get("msgtype")
    if kind in ("text", "voice"):
        return _content(quote.get(kind))
    return ""
