"""/export — coordinators get the dossier: the workbook as a document, and the evidence ZIP too
when it fits Telegram's 50 MB upload limit (otherwise where it was written on the server).
A progress message is edited while the export runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from bot.commands import Command
from bot.export.dossier import TELEGRAM_UPLOAD_LIMIT, export_campaign
from bot.memory import trim
from bot.roles import COORDINATORS
from bot.turn import Turn
from storage import campaigns

log = logging.getLogger(__name__)
EDIT_EVERY = 2.0  # seconds between progress edits (Telegram's flood limits)


def exports_dir(media_dir: Path) -> Path:
    return Path(media_dir).resolve().parent / "exports"


async def export(turn: Turn) -> None:
    """/export — the 资料汇编 workbook and evidence ZIP."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    if turn.arg_text:  # it exports everything: never silently ignore what was asked for
        ref = turn.arg_text[:60]
        unit = await turn.run(campaigns.find_unit, turn.campaign_id, ref)
        key = "status.export.whole_campaign" if unit else "status.export.unknown_unit"
        turn.reply(turn.t(key, ref=ref))
        return
    settings = turn.deps.settings
    bot = turn.context.bot
    loop = asyncio.get_running_loop()
    message_id: int | None = None
    with contextlib.suppress(Exception):
        sent = await bot.send_message(turn.chat_id, turn.t("status.export.started"))
        message_id = sent.message_id
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        moment = time.monotonic()
        if message_id is None or moment - last[0] < EDIT_EVERY:
            return
        last[0] = moment
        stage_name = turn.t(f"status.export.stage.{stage}")
        text = turn.t("status.export.progress", stage=stage_name, done=done, total=total)
        asyncio.run_coroutine_threadsafe(_edit(bot, turn.chat_id, message_id, text), loop)

    try:
        result = await asyncio.to_thread(
            export_campaign,
            settings.database_url,
            campaign_id=turn.campaign_id,
            out_dir=exports_dir(settings.media_dir),
            media_dir=Path(settings.media_dir),
            tz=settings.tz,
            now=turn.now,
            progress=progress,
        )
    except Exception as exc:
        log.exception("export failed")
        turn.reply(turn.t("status.export.failed", error=f"{type(exc).__name__}: {exc}"[:300]))
        return
    finally:
        trim()  # the workbook's and archive's buffers go back to the system
    if message_id is not None:
        done_text = turn.t("status.export.done", path=result.workbook.parent)
        await _edit(bot, turn.chat_id, message_id, done_text)
    caption = turn.t(
        "status.export.workbook_caption",
        units=result.rows.get("matrix", 0),
        files=result.rows.get("evidence", 0),
    )
    turn.reply_file(result.workbook, filename=result.workbook.name, caption=caption)
    if result.archive_size < TELEGRAM_UPLOAD_LIMIT:
        zip_caption = turn.t("status.export.zip_caption", files=result.files.get("files", 0))
        turn.reply_file(result.archive, filename=result.archive.name, caption=zip_caption)
    else:
        size = round(result.archive_size / 1024 / 1024, 1)
        turn.reply(turn.t("status.export.zip_too_big", size=size, path=result.archive))


async def _edit(bot: Any, chat_id: int, message_id: int, text: str) -> None:
    with contextlib.suppress(Exception):  # "message is not modified", flood waits: not fatal
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)


COMMANDS = [
    Command("export", export, roles=COORDINATORS, chats="private", help_key="status.help.export")
]
