"""The staff queue: /questions, /answer <id> <text> (or a reply to the queued item).

The resident gets the answer in the chat they asked in — privately when they have started the
bot — through the outbox, and the item closes. A staff answer can become a FAQ entry with one
button (``faq:mk:<id>``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot.faq import editing
from bot.faq.live import LiveFaq
from bot.ids import parse_id
from bot.render import fmt_datetime
from bot.roles import COORDINATOR, OFFICE
from bot.turn import Turn
from storage import outbox, questions
from storage.models.questions import FaqEntryRow, Question

Status = Literal["ok", "missing", "already", "empty"]
# What a resident's choice among suggestions did: "ok" (done), "missing", "not_yours" (only the
# asker settles a question), "answered" (staff answered it already).
Choice = Literal["ok", "missing", "not_yours", "answered"]
# Typed equivalents of the "none of these" button (besides its label and 0).
NONE_WORDS = frozenset({"0", "都不是", "转给工作人员", "转人工", "人工", "none", "none of these"})
SUGGESTION_WINDOW = timedelta(hours=1)  # a typed number refers to suggestions this recent


@dataclass(frozen=True)
class Answered:
    status: Status
    question_id: int
    privately: bool = False


def answer_question(
    session: Session,
    *,
    question_id: int,
    text: str,
    staff_id: int,
    now: datetime,
    render: Callable[[Question, bool], str],
) -> Answered:
    """Record the staff answer, close the item, queue the answer for the resident (once)."""
    row = questions.get_question(session, question_id)
    if row is None:
        return Answered("missing", question_id)
    if row.state == "answered":
        return Answered("already", question_id)
    if not text.strip():
        return Answered("empty", question_id)
    row.state, row.answer = "answered", text.strip()
    row.answered_at, row.answered_by = now, staff_id
    privately = row.chat_type == "private" or questions.started_bot(session, row.user_id)
    payload: dict[str, Any] = {"method": "sendMessage", "text": render(row, privately)}
    if not privately and row.message_id:
        payload["reply_to"] = row.message_id
    outbox.add(
        session,
        chat_id=row.user_id if privately else row.chat_id,
        payload=payload,
        now=now,
        kind="notice",
        priority=2,
        dedupe_key=f"faq:answer:{row.id}",
    )
    return Answered("ok", question_id, privately)


def queue_view(session: Session, campaign_id: int | None) -> tuple[list[Question], int]:
    return questions.open_questions(session, campaign_id), questions.count_open(
        session, campaign_id
    )


def wake_delivery(turn: Turn) -> None:
    delivery = turn.deps.services.get("delivery")
    if delivery is not None:
        delivery.wake()


async def list_questions(turn: Turn) -> None:
    """/questions — open questions, urgent first; phone numbers masked."""
    rows, total = await turn.run(queue_view, turn.campaign_id)
    if not rows:
        turn.reply(turn.t("faq.queue.empty"))
        return
    tz, loc = turn.deps.settings.tz, turn.actor.locale
    lines = [turn.t("faq.queue.title", n=total)]
    for q in rows:
        where = (
            turn.t("faq.queue.private") if q.chat_type == "private" else turn.t("faq.queue.group")
        )
        flag = turn.t("faq.queue.urgent") + " " if q.urgent else ""
        lines.append(
            turn.t(
                "faq.queue.line",
                id=q.id,
                flag=flag,
                when=fmt_datetime(q.created_at, tz, loc),
                where=where,
                text=q.masked_text[:200],
            )
        )
    lines.append(turn.t("faq.queue.how"))
    turn.reply("\n".join(lines))


async def answer(turn: Turn) -> None:
    """/answer <id> <text>"""
    parts = turn.arg_text.split(maxsplit=1)
    question_id = parse_id(parts[0]) if len(parts) == 2 else None
    if question_id is None:
        turn.reply(turn.t("faq.answer.usage"))
        return
    await deliver_answer(turn, question_id, parts[1])


async def deliver_answer(turn: Turn, question_id: int, text: str) -> None:
    catalog, locale = turn.deps.catalog, turn.deps.settings.locale

    def render(row: Question, privately: bool) -> str:
        key = "faq.answer.to_resident" if privately else "faq.answer.to_resident_group"
        return catalog.t(locale, key, question=row.masked_text[:200], answer=row.answer)

    result = await turn.run(
        answer_question,
        question_id=question_id,
        text=text,
        staff_id=turn.actor.user_id,
        now=turn.now,
        render=render,
    )
    if result.status != "ok":
        turn.reply(turn.t(f"faq.answer.{result.status}", id=question_id))
        return
    wake_delivery(turn)
    how = turn.t("faq.answer.sent_private" if result.privately else "faq.answer.sent_group")
    button = {"text": turn.t("faq.answer.make_entry"), "callback_data": f"faq:mk:{question_id}"}
    turn.reply(
        turn.t("faq.answer.done", id=question_id, how=how),
        markup={"inline_keyboard": [[button]]},
    )


def noticed_question(session: Session, chat_id: int, message_id: int) -> int | None:
    """The question a bot message in ``chat_id`` forwarded to staff, if it was such a notice
    (its outbox row carries ``question_id``); None for every other bot message."""
    payload = questions.sent_payload(session, chat_id, message_id)
    found = (payload or {}).get("question_id")
    return found if isinstance(found, int) else None


async def replied_item(turn: Turn) -> int | Literal["other"] | None:
    """The queued question a staff message replies to: only a reply to the bot's notice of that
    question counts (a review item, reminder or broadcast also shows "#N", and is not one:
    "other"); None when it replies to no bot message."""
    msg = turn.update.effective_message
    target = msg.reply_to_message if msg else None
    if target is None or target.from_user is None or target.from_user.id != turn.context.bot.id:
        return None
    found = await turn.run(noticed_question, turn.chat_id, target.message_id)
    return "other" if found is None else found


# -- the resident's choice among suggested questions --------------------------------------------
def pick_suggestion(session: Session, *, question_id: int, user_id: int, entry_id: str) -> Choice:
    """The asker found their answer among the suggestions: nothing left for staff."""
    row = questions.get_question(session, question_id)
    if row is None:
        return "missing"
    if row.user_id != user_id:
        return "not_yours"
    if row.state in ("suggested", "open"):
        row.state, row.matched_entry_id = "closed", entry_id
    return "ok"


def none_of_these(session: Session, *, question_id: int, user_id: int) -> Choice:
    """The asker found none of the suggestions (even after trying one): the question is queued
    for staff, whatever was pressed before."""
    row = questions.get_question(session, question_id)
    if row is None:
        return "missing"
    if row.user_id != user_id:
        return "not_yours"
    if row.state == "answered":
        return "answered"
    row.state = "open"
    return "ok"


def pending_suggestion(session: Session, *, user_id: int, now: datetime) -> Question | None:
    """The asker's latest question answered with suggestions, if recent (for typed choices)."""
    return questions.latest_suggested(session, user_id, since=now - SUGGESTION_WINDOW)


def typed_choice(text: str, offered: int) -> int | None:
    """A typed equivalent of a suggestion button: 1..offered picks one, 0 or "都不是" (or the
    button's label) means none of these; None when the text is not a choice."""
    plain = unicodedata.normalize("NFKC", text).strip().strip("。.!！").casefold()
    if plain in NONE_WORDS or plain.startswith(("都不是", "none of these")):
        return 0
    if plain.isdecimal() and len(plain) <= 2 and 1 <= int(plain) <= offered:
        return int(plain)
    return None


def entry_from_answer(
    session: Session,
    *,
    campaign_id: int,
    question_id: int,
    actor_id: int,
    publish: bool,
    taken: set[str],
    now: datetime,
) -> FaqEntryRow | None:
    """Turn an answered queue item into a FAQ entry (its masked question, the staff answer)."""
    row = questions.get_question(session, question_id)
    if row is None or not row.answer:
        return None
    draft = editing.Draft(row.masked_text.strip(), row.answer)
    return editing.add_entry(
        session,
        campaign_id=campaign_id,
        draft=draft,
        actor_id=actor_id,
        publish=publish,
        taken=taken,
        now=now,
    )


async def make_entry(turn: Turn, live: LiveFaq | None, question_id: int) -> None:
    """The "make this a FAQ entry" button under a staff answer."""
    if live is None or turn.actor.role not in OFFICE:
        return
    publish = turn.actor.role == COORDINATOR
    row = await turn.run(
        entry_from_answer,
        campaign_id=live.campaign_id,
        question_id=question_id,
        actor_id=turn.actor.user_id,
        publish=publish,
        taken=set(live.entries),
        now=turn.now,
    )
    if row is None:
        turn.reply(turn.t("faq.answer.missing", id=question_id))
        return
    await editing.published_or_proposed(turn, live, row.entry_id, row.question, publish)
