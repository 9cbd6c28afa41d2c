"""Residents' questions in chat, the staff queue and FAQ editing (rules: bot/faq/answering.py).

Plain text (group 10) in private chats and groups; ``/questions``, ``/answer`` and ``/faq`` for
the office; buttons ``faq:s`` (a suggested question), ``faq:q`` (none of these: to staff),
``faq:mk`` (a staff answer becomes a FAQ entry) and ``faq:ok`` (approve a proposal).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.commands import Command
from bot.deps import Deps
from bot.faq import answering, editing, queue
from bot.faq.answering import Asked, no_match
from bot.faq.kb import FaqEntry, FaqError
from bot.faq.live import LiveFaq, file_entries_of
from bot.ids import parse_id
from bot.roles import COORDINATOR, OFFICE
from bot.turn import Turn, turn_handler
from storage.models.questions import Question

if TYPE_CHECKING:  # the matcher (numpy) loads with the FAQ's first build
    from bot.faq.matcher import Match

log = logging.getLogger(__name__)
TEXT_GROUP, BUTTON_GROUP = 10, 0
SOCIAL_KINDS = ("greeting", "presence", "thanks", "bot", "ack", "bye", "emoji")


def live_faq(turn: Turn) -> LiveFaq | None:
    live = turn.deps.services.get("faq")
    return live if isinstance(live, LiveFaq) else None


def asked(turn: Turn, text: str, match: Match | None = None) -> Asked:
    msg, chat = turn.update.effective_message, turn.update.effective_chat
    return Asked(
        campaign_id=turn.campaign_id,
        chat_id=turn.chat_id,
        chat_type=chat.type if chat else "private",
        user_id=turn.actor.user_id,
        message_id=msg.message_id if msg else None,
        update_id=turn.update.update_id,
        text=text,
        match=match or no_match(),
    )


def addressed(turn: Turn) -> tuple[bool, str]:
    """Whether a group message mentions or replies to the bot; the text without the mention."""
    msg = turn.update.effective_message
    if msg is None or not msg.text:
        return False, ""
    bot_id, name = turn.context.bot.id, (turn.deps.bot_username or "").lower()
    text, hit = msg.text, False
    for entity, value in msg.parse_entities(["mention", "text_mention"]).items():
        if (entity.type == "mention" and value.lower() == f"@{name}") or (
            entity.user is not None and entity.user.id == bot_id
        ):
            hit, text = True, text.replace(value, " ")
    replied = msg.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        hit = True
    return hit, text.strip()


async def on_text(turn: Turn) -> None:
    msg = turn.update.effective_message
    if msg is None or not msg.text:
        return
    live = live_faq(turn)
    if live is not None:
        await live.wait_ready()  # the first build after start takes seconds (model embeddings)
    if turn.is_private:
        item = await queue.replied_item(turn) if turn.actor.is_office else None
        if item == "other":  # a comment on a review item, reminder …: not a question either
            turn.reply(turn.t("faq.answer.not_a_notice"))
            return
        if item is not None:
            await queue.deliver_answer(turn, item, msg.text)
            return
        if await typed_suggestion(turn, live, msg.text):
            return
        await answer(turn, live, msg.text.strip(), private=True)
        return
    if live is None or not live.loaded:
        return
    mentioned, text = addressed(turn)
    if text:
        await answer(turn, live, text, private=False, mentioned=mentioned)


async def answer(
    turn: Turn, live: LiveFaq | None, text: str, *, private: bool, mentioned: bool = False
) -> None:
    if live is not None and answering.is_complaint(text, live.complaint_words):
        await complaint(turn, live, text)
        return
    if live is None or not live.loaded:
        if private:
            await to_staff(turn, asked(turn, text))
        return
    kind = live.small_talk(text)
    if kind is not None:  # a social line: a short reply in private, never the staff queue
        if private:
            turn.reply(social_reply(turn, live, kind))
        return
    match = await live.match(text)
    entry = live.entries.get(match.entry_id or "")
    if entry is not None:
        if private:
            turn.reply(entry.answer)
        else:
            await answer_in_group(turn, entry.id, entry.answer)
        return
    if not (private or mentioned):
        return
    offered = answering.suggestions(match, live.entries, floor=live.suggest_floor)
    if not offered:
        await to_staff(turn, asked(turn, text, match))
        return
    row = await turn.run(
        answering.queue_question, asked(turn, text, match), now=turn.now, state="suggested"
    )
    offered = [e for e in offered if len(e.id) <= 40]
    buttons = [
        [{"text": f"{n}. {e.question[:56]}", "callback_data": f"faq:s:{row.id}:{e.id}"}]
        for n, e in enumerate(offered, 1)
    ]
    buttons.append([{"text": turn.t("faq.suggest.none"), "callback_data": f"faq:q:{row.id}"}])
    choices = "1" if len(offered) == 1 else f"1–{len(offered)}"
    title = turn.t("faq.suggest.title") + "\n" + turn.t("faq.suggest.typed", choices=choices)
    turn.reply(title, markup={"inline_keyboard": buttons})


async def offered_for(live: LiveFaq, question: Question) -> list[FaqEntry]:
    """The suggestions a question was given (the same match again), in button order."""
    match = await live.match(question.text)
    offered = answering.suggestions(match, live.entries, floor=live.suggest_floor)
    return [e for e in offered if len(e.id) <= 40]


async def typed_suggestion(turn: Turn, live: LiveFaq | None, text: str) -> bool:
    """A number or "都不是" typed instead of pressing a suggestion button; True when handled."""
    if live is None or not live.loaded or queue.typed_choice(text, 9) is None:
        return False
    row = await turn.run(queue.pending_suggestion, user_id=turn.actor.user_id, now=turn.now)
    if row is None:
        return False
    offered = await offered_for(live, row)
    choice = queue.typed_choice(text, len(offered))
    if choice is None:
        return False
    if choice == 0:
        await to_staff_after_all(turn, row.id)
    else:
        await picked(turn, row.id, offered[choice - 1].id, offered[choice - 1])
    return True


async def picked(turn: Turn, question_id: int, entry_id: str, entry: FaqEntry | None) -> None:
    """The asker chose a suggestion: its answer (anyone else gets one line)."""
    me = turn.actor.user_id
    outcome = await turn.run(
        queue.pick_suggestion, question_id=question_id, user_id=me, entry_id=entry_id
    )
    if outcome != "ok":
        turn.reply(turn.t(f"faq.suggest.{outcome}", id=question_id))
        return
    turn.reply(entry.answer if entry else turn.t("faq.suggest.gone"))


async def to_staff_after_all(turn: Turn, question_id: int) -> None:
    """The asker found none of the suggestions: the question joins the staff queue."""
    me = turn.actor.user_id
    outcome = await turn.run(queue.none_of_these, question_id=question_id, user_id=me)
    key = "faq.not_found" if outcome == "ok" else f"faq.suggest.{outcome}"
    turn.reply(turn.t(key, id=question_id))


def social_reply(turn: Turn, live: LiveFaq, kind: str) -> str:
    """Thanks get "you're welcome", a greeting a greeting and a question from this FAQ to try."""
    if kind not in SOCIAL_KINDS:
        return turn.t("faq.private.hint")
    example = next(iter(live.entries.values())).question if live.entries else ""
    return turn.t(f"faq.social.{kind}", example=example or turn.t("faq.social.example"))


async def answer_in_group(turn: Turn, entry_id: str, text: str) -> bool:
    """Answer unless the entry was just answered here (then point to it) or the group had
    enough answers this minute; True when the answer was given."""
    msg = turn.update.effective_message
    verdict = await turn.run(
        answering.group_verdict,
        chat_id=turn.chat_id,
        entry_id=entry_id,
        update_id=turn.update.update_id,
        message_id=msg.message_id if msg else None,
        now=turn.now,
    )
    if verdict.action == "answer":
        turn.reply(text)
        return True
    if verdict.action == "point":
        payload: dict[str, Any] = {"method": "sendMessage", "text": turn.t("faq.group.see_above")}
        if verdict.point_to:
            payload["reply_to"] = verdict.point_to
        turn.replies.append({"chat_id": turn.chat_id, "payload": payload})
    return False


async def to_staff(turn: Turn, question: Asked) -> None:
    await turn.run(answering.queue_question, question, now=turn.now)
    turn.reply(turn.t("faq.not_found"))


async def complaint(turn: Turn, live: LiveFaq, text: str) -> None:
    """Queued as urgent and pushed to the coordinators at once; a known answer is given too."""
    match = await live.match(text) if live.loaded else no_match()
    catalog, locale = turn.deps.catalog, turn.deps.settings.locale

    def notice(row: Question) -> str:
        where = "faq.queue.private" if row.chat_type == "private" else "faq.queue.group"
        return catalog.t(
            locale,
            "faq.complaint.notice",
            id=row.id,
            text=row.masked_text[:500],
            where=catalog.t(locale, where),
        )

    await turn.run(
        answering.queue_question,
        asked(turn, text, match),
        now=turn.now,
        complaint=True,
        coordinators=turn.deps.settings.admins | turn.deps.extra_admins,
        notice=notice,
    )
    queue.wake_delivery(turn)
    ack = turn.t("faq.complaint.ack")
    entry = live.entries.get(match.entry_id or "")
    if entry is not None and turn.is_private:
        turn.reply(f"{entry.answer}\n\n{ack}")
    elif entry is None or not await answer_in_group(turn, entry.id, f"{entry.answer}\n\n{ack}"):
        turn.reply(ack)


async def on_button(turn: Turn) -> None:
    query = turn.update.callback_query
    if query is None or not query.data:
        return
    await query.answer()
    parts = query.data.split(":")
    number = parse_id(parts[2]) if len(parts) >= 3 else None
    if parts[1:2] != ["ok"] and number is None:
        turn.reply(turn.t("ids.stale_button"))  # not one of ours, or tampered with
        return
    live = live_faq(turn)
    if parts[1] == "s" and len(parts) == 4 and number is not None:
        entry = live.entries.get(parts[3]) if live is not None else None
        await picked(turn, number, parts[3], entry)
    elif parts[1] == "q" and len(parts) == 3 and number is not None:
        await to_staff_after_all(turn, number)
    elif parts[1] == "mk" and len(parts) == 3 and number is not None:
        await queue.make_entry(turn, live, number)
    elif parts[1] == "ok" and len(parts) == 3:
        if turn.actor.role != COORDINATOR:
            turn.reply(turn.t("faq.edit.coordinators_only"))
            return
        await editing.approve(turn, live, parts[2])


async def on_startup(app: Any, deps: Deps) -> None:
    """Build the campaign's live FAQ (file + edits) once; groups stay quiet without one."""
    if deps.campaign_id is None:
        return
    try:
        entries = await deps.db.run(file_entries_of, deps.campaign_id)
    except FaqError as exc:
        log.error("FAQ not loaded: %s", exc)
        entries = ()
    # COORDBOT_FAQ_MODEL=off: lexical only, without the e5 model's ~300 MB
    off = deps.settings.faq_model == "off"
    live = LiveFaq.from_config(deps.campaign_id, entries, mode="lexical" if off else "auto")
    deps.services["faq"] = live
    # Build in the background: commands are answered meanwhile; questions wait for it.
    deps.services["faq-build"] = asyncio.create_task(live.first_build(deps.db))


def handlers(deps: Deps) -> list[tuple[int, BaseHandler[Update, Any, Any]]]:
    chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    text = filters.TEXT & ~filters.COMMAND & chats & ~filters.UpdateType.EDITED
    return [
        (TEXT_GROUP, MessageHandler(text, turn_handler(on_text, name="faq.text"))),
        (
            BUTTON_GROUP,
            CallbackQueryHandler(turn_handler(on_button, name="faq.button"), pattern=r"^faq:"),
        ),
    ]


COMMANDS = [
    Command(
        "questions",
        queue.list_questions,
        roles=OFFICE,
        chats="private",
        help_key="faq.help.questions",
    ),
    Command("answer", queue.answer, roles=OFFICE, chats="private", help_key="faq.help.answer"),
    Command("faq", editing.faq_command, roles=OFFICE, chats="private", help_key="faq.help.faq"),
]
