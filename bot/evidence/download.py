"""Getting a message's file through the Bot API: size check first, then getFile and download."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import tzinfo

from telegram import Bot, Message
from telegram.error import BadRequest

from bot.evidence import media
from bot.evidence.report import Incoming

MAX_DOWNLOAD = 20 * 1024 * 1024  # the cloud Bot API's getFile limit


class TooBig(Exception):
    pass


class DownloadFailed(Exception):
    pass


@dataclass(frozen=True)
class Attached:
    file_id: str
    file_unique_id: str
    size: int | None


def attached(message: Message | None) -> Attached | None:
    """The photo (largest size) or document a message carries, if any."""
    if message is None:
        return None
    if message.photo:
        best = message.photo[-1]
        return Attached(best.file_id, best.file_unique_id, best.file_size)
    if message.document:
        doc = message.document
        return Attached(doc.file_id, doc.file_unique_id, doc.file_size)
    return None


async def fetch(bot: Bot, message: Message, item: Attached, *, tz: tzinfo) -> Incoming:
    """Download and analyse; raises TooBig, media.NotAccepted or DownloadFailed."""
    if item.size is not None and item.size > MAX_DOWNLOAD:
        raise TooBig(item.file_id)
    try:
        file = await bot.get_file(item.file_id)
        if file.file_size is not None and file.file_size > MAX_DOWNLOAD:
            raise TooBig(item.file_id)
        data = bytes(await file.download_as_bytearray())
    except BadRequest as exc:
        if "too big" in str(exc).lower():
            raise TooBig(item.file_id) from exc
        raise DownloadFailed(str(exc)) from exc
    info = await asyncio.to_thread(media.analyse, data, tz=tz)
    return Incoming(
        data=data,
        info=info,
        message_id=message.message_id,
        file_id=item.file_id,
        file_unique_id=item.file_unique_id,
    )
