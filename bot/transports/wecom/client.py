"""WeComClient: the supervised connection plus replies, pushes and media.

Reply and push bodies as WecomTeam/aibot-node-sdk ``src/client.ts`` builds them: ``replyStream``
(``msgtype: stream``, ``stream: {id, finish, content}``), ``replyTemplateCard``, ``sendMessage``
(``aibot_send_msg`` with ``chatid`` plus a markdown/template_card body), ``sendMediaMessage``
(``{msgtype: image|file, image|file: {media_id}}``), ``uploadMedia`` (init → chunk × N → finish).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
import urllib.parse
import uuid
from typing import Any

import aiohttp

from bot.transports.wecom import frames
from bot.transports.wecom.crypto import decrypt_media
from bot.transports.wecom.errors import INVALID_REQ_ID, NotConnected, PermanentError, WeComError
from bot.transports.wecom.inbound import Inbound, Media
from bot.transports.wecom.limits import RateLimiter, split_text
from bot.transports.wecom.supervisor import Supervisor

log = logging.getLogger(__name__)
CHUNK_BYTES = 512 * 1024  # before base64, as the SDK's uploadMedia
MAX_BYTES = {"image": 10 * 1024 * 1024, "file": 20 * 1024 * 1024}


class WeComClient(Supervisor):
    def __init__(self, *args: Any, limiter: RateLimiter | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = limiter or RateLimiter()
        self.uploads = RateLimiter(
            ((60.0, 30),), clock=self.limiter.clock, sleep=self.limiter.sleep
        )
        self._reply_locks: dict[str, list[Any]] = {}  # req_id → [lock, users]

    # --- replies ----------------------------------------------------------------------------

    async def reply_text(self, to: Inbound, text: str) -> str:
        """Answer a callback with markdown text, split under 20480 bytes, one ``stream`` frame
        per piece (each finished). Falls back to pushes when the callback came on an earlier
        connection (846605 invalid req_id). Returns "reply" or "push"."""
        pieces = split_text(text)
        bodies: list[dict[str, Any]] = [
            {"msgtype": "stream", "stream": {"id": uuid.uuid4().hex, "finish": True, "content": p}}
            for p in pieces
        ]
        return await self._reply(to, bodies, [_markdown(p) for p in pieces])

    async def reply_markdown(self, to: Inbound, text: str) -> str:
        bodies = [_markdown(piece) for piece in split_text(text)]
        return await self._reply(to, bodies, bodies)

    async def reply_card(self, to: Inbound, card: dict[str, Any]) -> str:
        body = {"msgtype": "template_card", "template_card": card}
        return await self._reply(to, [body], [body])

    async def _reply(
        self, to: Inbound, bodies: list[dict[str, Any]], pushes: list[dict[str, Any]]
    ) -> str:
        """Send ``bodies`` as replies in order; from the first that cannot go as a reply on,
        push the matching ``pushes`` to the chat instead."""
        sent = await self._respond(to, bodies)
        for body in pushes[sent:]:
            await self._push(to.chatid, body)
        return "reply" if sent == len(bodies) else "push"

    async def _respond(self, to: Inbound, bodies: list[dict[str, Any]]) -> int:
        """``aibot_respond_msg`` frames, one at a time per req_id, each after the last's ack
        (two replies to one callback never interleave); how many went out as replies."""
        if not to.connection or to.connection != self.connection_id:
            return 0
        entry = self._reply_locks.setdefault(to.req_id, [asyncio.Lock(), 0])
        entry[1] += 1
        sent = 0
        try:
            async with entry[0]:
                for body in bodies:
                    await self.limiter.acquire(to.chatid)
                    await self.request(frames.RESPOND, to.req_id, body, connection=to.connection)
                    sent += 1
        except NotConnected:
            pass
        except WeComError as exc:
            if exc.errcode != INVALID_REQ_ID:
                raise
            log.info("WeCom: reply to %s refused as 846605; pushing instead", to.msgid)
        finally:
            entry[1] -= 1
            if not entry[1]:
                self._reply_locks.pop(to.req_id, None)
        return sent

    # --- pushes -----------------------------------------------------------------------------

    async def push_markdown(self, chatid: str, text: str) -> None:
        """Push markdown to a group chatid or a userid (only chats that wrote to the bot)."""
        for piece in split_text(text):
            await self._push(chatid, _markdown(piece))

    async def push_card(self, chatid: str, card: dict[str, Any]) -> None:
        await self._push(chatid, {"msgtype": "template_card", "template_card": card})

    async def push_media(self, chatid: str, kind: str, media_id: str) -> None:
        await self._push(chatid, {"msgtype": kind, kind: {"media_id": media_id}})

    async def send_file(
        self, chatid: str, data: bytes, filename: str, *, kind: str = "file"
    ) -> str:
        """Upload and push a file or image; returns the media_id (valid 3 days)."""
        media_id = await self.upload(data, filename, kind=kind)
        await self.push_media(chatid, kind, media_id)
        return media_id

    async def _push(self, chatid: str, body: dict[str, Any]) -> None:
        await self.limiter.acquire(chatid)
        await self.request(frames.SEND, frames.new_req_id(frames.SEND), {"chatid": chatid, **body})

    # --- media ------------------------------------------------------------------------------

    async def upload(self, data: bytes, filename: str, *, kind: str = "file") -> str:
        """Upload in chunks of ≤ 512 KB (base64 in the frame); returns the media_id."""
        limit = MAX_BYTES.get(kind)
        if limit is None:
            raise PermanentError(f"cannot upload media of kind {kind!r} (image or file)")
        if not data:
            raise PermanentError(f"{filename}: an empty file cannot be sent")
        if len(data) > limit:
            raise PermanentError(
                f"{filename}: {len(data) / 2**20:.1f} MB is over WeCom's {limit // 2**20} MB limit"
            )
        total = -(-len(data) // CHUNK_BYTES)
        await self.uploads.acquire("upload")
        init = {
            "type": kind,
            "filename": filename,
            "total_size": len(data),
            "total_chunks": total,
            "md5": hashlib.md5(data).hexdigest(),
        }
        ack = await self.request(frames.UPLOAD_INIT, frames.new_req_id(frames.UPLOAD_INIT), init)
        upload_id = ack.body.get("upload_id")
        if not upload_id:
            raise WeComError(-1, "upload init answered without upload_id", cmd=frames.UPLOAD_INIT)
        for index in range(total):
            chunk = data[index * CHUNK_BYTES : (index + 1) * CHUNK_BYTES]
            body = {
                "upload_id": upload_id,
                "chunk_index": index,
                "base64_data": base64.b64encode(chunk).decode("ascii"),
            }
            await self.request(frames.UPLOAD_CHUNK, frames.new_req_id(frames.UPLOAD_CHUNK), body)
        done = await self.request(
            frames.UPLOAD_FINISH, frames.new_req_id(frames.UPLOAD_FINISH), {"upload_id": upload_id}
        )
        media_id = done.body.get("media_id")
        if not media_id:
            raise WeComError(
                -1, "upload finish answered without media_id", cmd=frames.UPLOAD_FINISH
            )
        return str(media_id)

    async def download(self, media: Media, *, timeout: float = 60.0) -> tuple[bytes, str | None]:
        """Fetch and decrypt an inbound image or file (its URL is valid 5 minutes): the plain
        bytes and the file name the server gave, if any."""
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as http,
            http.get(media.url) as response,
        ):
            response.raise_for_status()
            data = await response.read()
            name = filename_of(response.headers.get("Content-Disposition", ""))
        plain = decrypt_media(data, media.aeskey) if media.aeskey else data
        return plain, name


def _markdown(content: str) -> dict[str, Any]:
    return {"msgtype": "markdown", "markdown": {"content": content}}


def filename_of(disposition: str) -> str | None:
    """The file name in a Content-Disposition header (RFC 5987 ``filename*`` first)."""
    star = re.search(r"filename\*=(?:UTF-8|utf-8)''([^;\s]+)", disposition)
    if star:
        return urllib.parse.unquote(star.group(1))
    plain = re.search(r'filename="?([^";]+)"?', disposition)
    return plain.group(1) if plain else None
