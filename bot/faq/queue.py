"""The staff queue: /questions, /answer <id> <text> (or a reply to the queued item).

The resident gets the answer in the chat they asked in — privately when they have started the
bot — through the outbox, and the item closes. A staff answer can become a FAQ entry with one
button (``faq:mk:<id>``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot.faq import editing
from bot.faq.live import LiveFaq
from bot.render import fmt_datetime
from bot.roles import COORDINATOR, OFFICE
from bot.turn import Turn
from storage import outbox, questions
from storage.models.questions import FaqEntryRow, Question

# The queued item's number as the bot writes it ("#12"): a staff reply to such a message answers.
ITEM_REF = re.compile(r"#(\d+)")
Status = Literal["ok", "missing", "already", "empty"]


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
    ref = parts[0].lstrip("#") if parts else ""
    if not ref.isdigit() or len(parts) < 2:
        turn.reply(turn.t("faq.answer.usage"))
        return
    await deliver_answer(turn, int(ref), parts[1])


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


def replied_item(turn: Turn) -> int | None:
    """The queued item a staff message replies to (a bot message naming ``#<id>``)."""
    msg = turn.update.effective_message
    target = msg.reply_to_message if msg else None
    if target is None or target.from_user is None or target.from_user.id != turn.context.bot.id:
        return None
    found = ITEM_REF.search(target.text or target.caption or "")
    return int(found.group(1)) if found else None


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
