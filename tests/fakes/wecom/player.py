"""The people on the WeCom side: users write to the bot in a single chat or @-mention it in a
group, send images, mixed messages, files and voice, press template card buttons; tests read
what the bot sent. Group rules as WeCom applies them: a group message reaches the bot only when
it @-mentions the bot, and only as text or mixed (images, files, voice: single chats only)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from tests.fakes.wecom.server import FakeWeCom, Sent


class Player:
    def __init__(self, fake: FakeWeCom, bot_id: str, *, bot_name: str = "协调助手") -> None:
        self.fake, self.bot_id, self.bot_name = fake, bot_id, bot_name
        self.last: dict[str, Any] = {}  # the last callback body delivered

    def _body(self, user: str, group: str | None, msgtype: str, **parts: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "msgid": uuid.uuid4().hex,
            "aibotid": self.bot_id,
            "chattype": "group" if group else "single",
            "from": {"userid": user},
            "create_time": int(time.time()),
            "msgtype": msgtype,
            **parts,
        }
        if group:
            body["chatid"] = group
        return body

    async def _send(self, body: dict[str, Any]) -> str | None:
        self.last = body
        req_id = await self.fake.deliver(self.bot_id, body)
        return body["msgid"] if req_id else None

    async def text(
        self, user: str, text: str, *, group: str | None = None, mention: bool = True
    ) -> str | None:
        """The msgid delivered, or None when WeCom would not deliver it (group, no mention)."""
        if group:
            if not mention:
                return None
            text = f"@{self.bot_name}\u2005{text}"
        return await self._send(self._body(user, group, "text", text={"content": text}))

    async def image(self, user: str, data: bytes, *, group: str | None = None) -> str | None:
        if group:
            return None  # groups deliver only text and mixed
        url, aeskey = self.fake.host(data)
        return await self._send(
            self._body(user, None, "image", image={"url": url, "aeskey": aeskey})
        )

    async def mixed(
        self, user: str, parts: list[str | bytes], *, group: str | None = None, mention: bool = True
    ) -> str | None:
        if group and not mention:
            return None
        items: list[dict[str, Any]] = []
        for index, part in enumerate(parts):
            if isinstance(part, bytes):
                url, aeskey = self.fake.host(part)
                items.append({"msgtype": "image", "image": {"url": url, "aeskey": aeskey}})
            else:
                mentioned = group and index == 0
                content = f"@{self.bot_name}\u2005{part}" if mentioned else part
                items.append({"msgtype": "text", "text": {"content": content}})
        return await self._send(self._body(user, group, "mixed", mixed={"msg_item": items}))

    async def file(self, user: str, data: bytes, filename: str) -> str | None:
        url, aeskey = self.fake.host(data, filename)
        return await self._send(self._body(user, None, "file", file={"url": url, "aeskey": aeskey}))

    async def voice(self, user: str, spoken: str) -> str | None:
        return await self._send(self._body(user, None, "voice", voice={"content": spoken}))

    async def press(
        self, user: str, event_key: str, *, task_id: str = "", group: str | None = None
    ) -> str | None:
        """A template card button pressed (WeCom's callback nests the key in
        ``event.template_card_event``)."""
        card = {"card_type": "button_interaction", "event_key": event_key, "task_id": task_id}
        event = {"eventtype": "template_card_event", "template_card_event": card}
        return await self._send(self._body(user, group, "event", event=event))

    async def again(self) -> str | None:
        """WeCom delivers the last callback a second time (same msgid, a new req_id)."""
        req_id = await self.fake.deliver(self.bot_id, self.last)
        return self.last["msgid"] if req_id else None

    def sent_to(self, chatid: str) -> list[Sent]:
        return [s for s in self.fake.sent if s.chatid == chatid]

    def texts_to(self, chatid: str) -> list[str]:
        return [s.text for s in self.sent_to(chatid)]
