"""The one place an outbox payload becomes a Bot API call, and replies become exactly-once.

Payload shapes (JSON in ``outbox.payload``):
``{"method": "sendMessage", "text", "reply_markup"?, "parse_mode"?, "reply_to"?}``,
``{"method": "sendPhoto"|"sendDocument", "path"|"file_id", "filename"?, "caption"?}``,
``{"method": "copyMessage", "from_chat_id", "message_id"}``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from telegram import Bot, InlineKeyboardMarkup, InputFile, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.warnings import PTBUserWarning

from bot.roles import Seen, record_actors
from storage import outbox
from storage.outbox import SendResult

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
# sendMessage goes through do_api_request on purpose (raw JSON, see send_payload).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)


class PermanentFailure(Exception):
    """Telegram will never accept this send (bot removed, chat not found, blocked)."""


@dataclass(frozen=True)
class Pending:
    id: int
    chat_id: int
    payload: dict[str, Any]


async def send_payload(bot: Bot, chat_id: int, payload: dict[str, Any]) -> int | None:
    """Make the Bot API call a payload describes; the id of the message sent, if one was.
    Raises telegram errors as they come."""
    method = payload.get("method", "sendMessage")
    markup = payload.get("reply_markup")
    reply: dict[str, Any] | None = (
        {"message_id": int(payload["reply_to"]), "allow_sending_without_reply": True}
        if payload.get("reply_to")
        else None
    )
    if method == "sendMessage":
        # The payload is Bot API JSON already: it goes out as it is, and only the new message's
        # id is read from the answer (a PTB Message object costs more than the rest of a reply).
        params: dict[str, Any] = {"chat_id": chat_id, "text": payload["text"]}
        if payload.get("parse_mode"):
            params["parse_mode"] = payload["parse_mode"]
        if markup:
            params["reply_markup"] = markup
        if reply:
            params["reply_parameters"] = reply
        sent = await bot.do_api_request("sendMessage", api_kwargs=params)
        return int(sent["message_id"]) if isinstance(sent, dict) else None
    kwargs: dict[str, Any] = {}
    if markup:
        kwargs["reply_markup"] = InlineKeyboardMarkup.de_json(markup, bot)
    if reply:
        kwargs["reply_parameters"] = ReplyParameters(**reply)
    if method in ("sendPhoto", "sendDocument"):
        if payload.get("file_id"):
            media: Any = payload["file_id"]
        else:
            path = Path(payload["path"])
            media = InputFile(path.read_bytes(), filename=payload.get("filename") or path.name)
        caption = payload.get("caption") or None
        if method == "sendPhoto":
            msg = await bot.send_photo(chat_id, media, caption=caption, **kwargs)
        else:
            msg = await bot.send_document(chat_id, media, caption=caption, **kwargs)
        return msg.message_id
    if method == "copyMessage":
        await bot.copy_message(chat_id, payload["from_chat_id"], payload["message_id"], **kwargs)
        return None
    raise ValueError(f"unknown outbox method {method!r}")


def is_permanent(exc: Exception) -> bool:
    if isinstance(exc, Forbidden):
        return True
    if isinstance(exc, BadRequest):
        text = str(exc).lower()
        return any(s in text for s in ("chat not found", "kicked", "deactivated", "blocked"))
    return False


async def send_with_retries(
    bot: Bot, chat_id: int, payload: dict[str, Any], *, attempts: int = 5
) -> int | None:
    """Send, waiting out 429s (``retry_after``) and retrying 5xx/timeouts with backoff."""
    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return await send_payload(bot, chat_id, payload)
        except RetryAfter as exc:
            wait = exc.retry_after
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc, BadRequest) or is_permanent(exc):
                raise
            if attempt == attempts:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8)
    raise TimedOut(f"gave up after {attempts} attempts")


def record_replies(
    session: Session, keyed: list[tuple[str, dict[str, Any]]], *, now: datetime
) -> list[Pending]:
    """Insert replies under their keys; return those not sent yet (a re-run sends nothing new)."""
    return record_turns(session, [TurnWrites(keyed, None, now)])[0]


@dataclass(frozen=True)
class TurnWrites:
    """What a turn writes once its handler returns: its replies under their keys, and the
    speaker's user row if it needs writing."""

    keyed: list[tuple[str, dict[str, Any]]]
    seen: Seen | None
    now: datetime


def record_turns(session: Session, turns: list[TurnWrites]) -> list[list[Pending]]:
    """The writes of many turns, one statement per kind: for each turn, its replies not sent
    yet (a re-processed update records nothing new and sends only what was never marked)."""
    record_actors(session, [(turn.seen, turn.now) for turn in turns if turn.seen is not None])
    replies = [
        (key, reply["chat_id"], reply["payload"], turn.now)
        for turn in turns
        for key, reply in turn.keyed
    ]
    rows = iter(outbox.add_replies(session, replies))
    return [
        [
            Pending(row_id, chat_id, dict(payload))
            for row_id, chat_id, payload, state in itertools.islice(rows, len(turn.keyed))
            if state in ("pending", "sending")
        ]
        for turn in turns
    ]


def mark_sends(session: Session, sends: list[tuple[list[SendResult], datetime]]) -> list[None]:
    """Mark the finished sends of many turns (``(results, time)`` each) in one statement."""
    outbox.mark_results_at(session, [(result, now) for results, now in sends for result in results])
    return [None] * len(sends)


async def send_recorded(deps: Deps, rows: list[Pending]) -> None:
    """Send recorded replies in order, then mark them sent (or failed) at once.

    A reply sent but not yet marked when the process dies is sent again on start: the in-flight
    repeat that cannot be told apart from a lost one. Marking right away (not batched with the
    inbox's done marks) keeps that window, and so the repeats after a kill, small.
    """
    results: list[SendResult] = []
    for row in rows:
        try:
            message_id = await send_with_retries(deps.bot, row.chat_id, row.payload)
            results.append((row.id, "sent", message_id, None))
        except Exception as exc:
            log.warning("reply %s to chat %s failed: %s", row.id, row.chat_id, exc)
            results.append((row.id, "failed", None, f"{type(exc).__name__}: {exc}"))
    if results:
        await deps.db.run_batched(mark_sends, (results, deps.clock.now()))
