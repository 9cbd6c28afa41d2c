"""Group bookkeeping: the bot added or removed, supergroup migration, /bind and /unbind."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ChatMemberHandler, MessageHandler, filters

from bot import membership
from bot.commands import Command
from bot.deps import Deps
from bot.roles import COORDINATORS
from bot.turn import Turn, turn_handler

BOOKKEEPING_GROUP = -10


async def my_status(turn: Turn) -> None:
    """The bot's own membership changed (added, promoted, removed, kicked)."""
    change = turn.update.my_chat_member
    if change is None:
        return
    chat = change.chat
    await turn.run(
        membership.bot_status_changed,
        chat_id=chat.id,
        type=chat.type,
        title=chat.title or chat.full_name or "",
        status=change.new_chat_member.status,
        now=turn.now,
    )


async def group_message(turn: Turn) -> None:
    """Every group message: know the group; follow a migration to a supergroup."""
    msg = turn.update.effective_message
    chat = turn.update.effective_chat
    if msg is None or chat is None:
        return
    if msg.migrate_to_chat_id:
        await turn.run(
            membership.migrated, old_id=chat.id, new_id=msg.migrate_to_chat_id, now=turn.now
        )
        return
    if msg.new_chat_members and any(m.id == turn.context.bot.id for m in msg.new_chat_members):
        return  # my_chat_member records the join itself
    known: set[int] = turn.deps.services.setdefault("known_groups", set())
    if chat.id in known:
        return
    known.add(chat.id)
    await turn.run(
        membership.seen_in, chat_id=chat.id, type=chat.type, title=chat.title or "", now=turn.now
    )


async def bind(turn: Turn) -> None:
    """/bind <unit|tag> — in a group: this group is that unit's (or those units') group."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    ref = turn.arg_text
    if not ref:
        turn.reply(turn.t("core.bind.usage"))
        return
    chat = turn.update.effective_chat
    assert chat is not None
    result = await turn.run(
        membership.bind_group,
        chat_id=chat.id,
        chat_type=chat.type,
        title=chat.title or "",
        campaign_id=turn.campaign_id,
        ref=ref,
        actor_id=turn.actor.user_id,
        now=turn.now,
    )
    if not result.ok:
        turn.reply(turn.t("core.bind.unknown", ref=ref))
    elif result.already:
        turn.reply(turn.t("core.bind.already", label=result.label))
    elif result.is_tag:
        turn.reply(turn.t("core.bind.tag", label=result.label, count=result.count))
    else:
        turn.reply(turn.t("core.bind.unit", label=result.label))


async def unbind(turn: Turn) -> None:
    """/unbind [unit|tag] — in a group: remove what /bind bound here (all of it, or one)."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    result = await turn.run(
        membership.unbind_group,
        chat_id=turn.chat_id,
        campaign_id=turn.campaign_id,
        ref=turn.arg_text,
        actor_id=turn.actor.user_id,
        now=turn.now,
    )
    lines = []
    if result.removed:
        lines.append(turn.t("core.unbind.done", labels="、".join(result.removed)))
    if result.from_file:
        lines.append(turn.t("core.unbind.from_file", labels="、".join(result.from_file)))
    if result.unknown:
        lines.append(turn.t("core.unbind.unknown", ref=turn.arg_text))
    turn.reply("\n".join(lines) or turn.t("core.unbind.none"))


def handlers(deps: Deps) -> list[tuple[int, BaseHandler[Update, Any, Any]]]:
    groups = filters.ChatType.GROUPS
    return [
        (
            BOOKKEEPING_GROUP,
            ChatMemberHandler(turn_handler(my_status), ChatMemberHandler.MY_CHAT_MEMBER),
        ),
        (
            BOOKKEEPING_GROUP,
            MessageHandler(groups & ~filters.UpdateType.EDITED, turn_handler(group_message)),
        ),
    ]


COMMANDS = [
    Command("bind", bind, roles=COORDINATORS, chats="group", help_key="core.help.bind"),
    Command("unbind", unbind, roles=COORDINATORS, chats="group", help_key="core.help.unbind"),
]
