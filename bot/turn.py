"""A Turn is one update being handled: who spoke, where, and the replies the handler gives.

Handlers are ``async def handler(turn: Turn) -> ...``; ``turn_handler`` adapts them to PTB's
``(update, context)`` callbacks. Replies are buffered and, when the handler returns, written to
the outbox under keys derived from the update id and *then* sent: if the process dies and the
update is processed again, a reply that was already recorded is not recorded again, and one that
was recorded but not sent is sent on start. So the user gets each reply once.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackContext

from bot import sender
from bot.processing import current
from bot.render import split_message
from bot.roles import Actor, Seen, look_up_actors

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass
class Turn:
    update: Update
    context: CallbackContext[Any, Any, Any, Any]
    deps: Deps
    actor: Actor
    campaign_id: int | None
    now: datetime
    name: str
    replies: list[dict[str, Any]] = field(default_factory=list)
    seen: Seen | None = None  # the speaker's user row needs writing (with the replies)

    # -- who and where -------------------------------------------------------------------
    @property
    def chat_id(self) -> int:
        chat = self.update.effective_chat
        return chat.id if chat else self.actor.user_id

    @property
    def is_private(self) -> bool:
        chat = self.update.effective_chat
        return chat is None or chat.type == "private"

    @property
    def is_group(self) -> bool:
        return not self.is_private

    @property
    def args(self) -> list[str]:
        return list(self.context.args or [])

    @property
    def text(self) -> str:
        """The message text or caption (with the command, if any)."""
        msg = self.update.effective_message
        return (msg.text or msg.caption or "") if msg else ""

    @property
    def arg_text(self) -> str:
        """Everything after the command word, as typed."""
        return self.text.split(maxsplit=1)[1].strip() if " " in self.text.strip() else ""

    def t(self, key: str, /, **values: Any) -> str:
        return self.deps.catalog.t(self.actor.locale, key, **values)

    async def run(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
        """Run a service ``fn(session, *args, **kwargs)`` as one unit of work, off the loop."""
        return await self.deps.db.run(fn, *args, **kwargs)

    # -- replies ---------------------------------------------------------------------------
    def reply(
        self,
        text: str,
        *,
        markup: dict[str, Any] | None = None,
        parse_mode: str | None = None,
        quote: bool = True,
        chat_id: int | None = None,
    ) -> None:
        """Answer in this chat (or ``chat_id``) once the handler returns; long texts are split
        at line boundaries to fit Telegram's 4096 characters."""
        msg = self.update.effective_message
        parts = split_message(text)
        for i, part in enumerate(parts):
            payload: dict[str, Any] = {"method": "sendMessage", "text": part}
            if markup and i == len(parts) - 1:
                payload["reply_markup"] = markup
            if parse_mode:
                payload["parse_mode"] = parse_mode
            if quote and i == 0 and msg and chat_id is None and self.is_group:
                payload["reply_to"] = msg.message_id
            self.replies.append({"chat_id": chat_id or self.chat_id, "payload": payload})

    def reply_file(
        self, path: Path, *, filename: str, caption: str = "", photo: bool = False
    ) -> None:
        """Send a file kept on disk (a chart, a workbook) once the handler returns."""
        payload = {
            "method": "sendPhoto" if photo else "sendDocument",
            "path": str(path),
            "filename": filename,
            "caption": caption,
        }
        self.replies.append({"chat_id": self.chat_id, "payload": payload})

    async def flush(self) -> None:
        """Record the replies (and the speaker, if new or changed) in one transaction; send."""
        if not self.replies and self.seen is None:
            return
        uid = self.update.update_id
        keyed = [(f"reply:{uid}:{self.name}:{i}", r) for i, r in enumerate(self.replies)]
        seen, self.replies, self.seen = self.seen, [], None
        writes = sender.TurnWrites(keyed, seen, self.now)
        rows = await self.deps.db.run_batched(sender.record_turns, writes)
        await sender.send_recorded(self.deps, rows)


def turn_handler(
    fn: Callable[[Turn], Awaitable[R]], *, name: str | None = None
) -> Callable[[Update, Any], Coroutine[Any, Any, R | None]]:
    """Adapt ``async def fn(turn)`` to a PTB callback: build the Turn, catch errors, flush."""
    label = name or f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"

    @functools.wraps(fn)
    async def callback(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> R | None:
        deps: Deps = context.bot_data["deps"]
        turn = await make_turn(update, context, deps, label)
        if turn is None:
            return None
        processing = current.get()
        if processing:
            processing.handlers += 1
        try:
            return await fn(turn)
        except ApplicationHandlerStop:
            raise
        except Exception as exc:  # one clear line for the user, the whole story in the log
            log.exception("handler %s failed on update %s", label, update.update_id)
            if processing:
                processing.error = f"{label}: {type(exc).__name__}: {exc}"[:2000]
            turn.replies = []
            turn.reply(turn.t("core.error.internal"))
            return None
        finally:
            await turn.flush()

    return callback


async def make_turn(
    update: Update, context: CallbackContext[Any, Any, Any, Any], deps: Deps, name: str
) -> Turn | None:
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    now = deps.clock.now()
    seen = Seen(
        user_id=user.id,
        username=user.username,
        display_name=user.full_name,
        private=chat is not None and chat.type == "private",
        admins=deps.settings.admins | deps.extra_admins,
        default_locale=deps.settings.locale,
        campaign_id=deps.campaign_id,
    )
    # A read (concurrent on SQLite too); the user row, if it needs writing, is written with
    # the turn's replies: one write transaction per turn instead of two.
    actor, needs_write = await deps.db.read_batched(look_up_actors, seen)
    turn = Turn(update, context, deps, actor, deps.campaign_id, now, name)
    turn.seen = seen if needs_write else None
    return turn
