"""Editing the FAQ in chat, with review: coordinators publish, staff propose.

``/faq add 问题 | 答案 [| 别的问法；别的问法]``, ``/faq edit <id> 问题 | 答案`` (an empty part
keeps the current text), ``/faq remove <id>``, ``/faq approve <id>``, ``/faq pending``,
``/faq show <id>``. Staff additions are stored as ``proposed`` and answer nobody until a
coordinator approves them; every published change rebuilds the live matcher at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.faq.answering import notify_coordinators
from bot.faq.kb import ID_PATTERN, FaqEntry
from bot.faq.live import LiveFaq
from bot.roles import COORDINATOR
from bot.turn import Turn
from storage import questions
from storage.models.questions import FaqEntryRow

_SPLIT = re.compile(r"\s*[|｜]\s*")
_ALT_SPLIT = re.compile(r"\s*[;；]\s*")


@dataclass(frozen=True)
class Draft:
    question: str
    answer: str
    alt: tuple[str, ...] = ()


def parse_draft(text: str) -> Draft | None:
    """``问题 | 答案 [| 别的问法；…]``; None when a part is missing."""
    parts = _SPLIT.split(text.strip(), maxsplit=2)
    if len(parts) < 2:
        return None
    alt = tuple(a for a in _ALT_SPLIT.split(parts[2]) if a) if len(parts) > 2 else ()
    return Draft(parts[0].strip(), parts[1].strip(), alt)


def new_entry_id(session: Session, campaign_id: int, taken: set[str]) -> str:
    used = taken | {r.entry_id for r in questions.entry_rows(session, campaign_id)}
    n = 1
    while f"added-{n}" in used:
        n += 1
    return f"added-{n}"


def add_entry(
    session: Session,
    *,
    campaign_id: int,
    draft: Draft,
    actor_id: int,
    publish: bool,
    taken: set[str],
    now: datetime,
) -> FaqEntryRow:
    for row in questions.entry_rows(session, campaign_id):  # the same update handled again
        if (row.question, row.answer, row.proposed_by) == (draft.question, draft.answer, actor_id):
            return row
    entry_id = new_entry_id(session, campaign_id, taken)
    return questions.put_entry_row(
        session,
        campaign_id=campaign_id,
        entry_id=entry_id,
        question=draft.question,
        answer=draft.answer,
        alt=list(draft.alt),
        state="published" if publish else "proposed",
        proposed_by=actor_id,
        approved_by=actor_id if publish else None,
        now=now,
    )


def edit_entry(
    session: Session,
    *,
    campaign_id: int,
    current: FaqEntry,
    draft: Draft,
    actor_id: int,
    now: datetime,
) -> FaqEntryRow:
    """Publish a new version of ``current``; empty parts of the draft keep the current text."""
    return questions.put_entry_row(
        session,
        campaign_id=campaign_id,
        entry_id=current.id,
        question=draft.question or current.question,
        answer=draft.answer or current.answer,
        alt=list(draft.alt or current.alt),
        tags=list(current.tags),
        state="published",
        proposed_by=actor_id,
        approved_by=actor_id,
        now=now,
    )


def remove_entry(
    session: Session, *, campaign_id: int, current: FaqEntry, actor_id: int, now: datetime
) -> FaqEntryRow:
    return questions.put_entry_row(
        session,
        campaign_id=campaign_id,
        entry_id=current.id,
        question=current.question,
        answer=current.answer,
        alt=list(current.alt),
        tags=list(current.tags),
        state="removed",
        proposed_by=actor_id,
        approved_by=actor_id,
        now=now,
    )


def approve_entry(
    session: Session, *, campaign_id: int, entry_id: str, actor_id: int, now: datetime
) -> FaqEntryRow | None:
    """Publish a proposal; None if there is no proposal with that id."""
    row = questions.get_entry_row(session, campaign_id, entry_id)
    if row is None or row.state != "proposed":
        return None
    row.state, row.approved_by, row.updated_at = "published", actor_id, now
    return row


def pending(session: Session, campaign_id: int) -> list[FaqEntryRow]:
    return [r for r in questions.entry_rows(session, campaign_id) if r.state == "proposed"]


def valid_id(text: str) -> bool:
    return bool(ID_PATTERN.fullmatch(text))


# -- chat commands ---------------------------------------------------------------------------
async def faq_command(turn: Turn) -> None:
    """/faq add|edit|remove|approve|pending|show …"""
    live = turn.deps.services.get("faq")
    sub, _, rest = turn.arg_text.partition(" ")
    sub, rest = sub.strip().lower(), rest.strip()
    if live is None or turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
    elif sub == "add":
        await add(turn, live, rest)
    elif sub == "pending":
        rows = await turn.run(pending, turn.campaign_id)
        lines = [turn.t("faq.edit.pending_line", id=r.entry_id, q=r.question) for r in rows]
        turn.reply("\n".join(lines) if lines else turn.t("faq.edit.pending_none"))
    elif sub in ("edit", "remove", "approve", "show"):
        entry_id, _, text = rest.partition(" ")
        if not valid_id(entry_id):
            turn.reply(turn.t("faq.edit.usage"))
        elif sub == "show":
            entry = live.entries.get(entry_id)
            turn.reply(
                turn.t("faq.edit.show", id=entry_id, q=entry.question, a=entry.answer)
                if entry
                else turn.t("faq.edit.unknown", id=entry_id)
            )
        elif turn.actor.role != COORDINATOR:
            turn.reply(turn.t("faq.edit.coordinators_only"))
        elif sub == "approve":
            await approve(turn, live, entry_id)
        else:
            await change(turn, live, sub, entry_id, text)
    else:
        turn.reply(turn.t("faq.edit.usage"))


async def add(turn: Turn, live: LiveFaq, text: str) -> None:
    draft = parse_draft(text)
    if draft is None or not draft.question or not draft.answer:
        turn.reply(turn.t("faq.edit.usage"))
        return
    publish = turn.actor.role == COORDINATOR
    row = await turn.run(
        add_entry,
        campaign_id=live.campaign_id,
        draft=draft,
        actor_id=turn.actor.user_id,
        publish=publish,
        taken=set(live.entries),
        now=turn.now,
    )
    await published_or_proposed(turn, live, row.entry_id, draft.question, publish)


async def published_or_proposed(
    turn: Turn, live: LiveFaq, entry_id: str, question: str, publish: bool
) -> None:
    if publish:
        version = await live.reload(turn.deps.db)
        turn.reply(turn.t("faq.edit.published", id=entry_id, version=version))
        return
    catalog, locale = turn.deps.catalog, turn.deps.settings.locale
    text = catalog.t(locale, "faq.edit.review", id=entry_id, q=question)
    button = {"text": catalog.t(locale, "faq.edit.approve"), "callback_data": f"faq:ok:{entry_id}"}
    admins = turn.deps.settings.admins | turn.deps.extra_admins
    await turn.run(
        notify_coordinators,
        admins,
        text=text,
        key=f"faq:review:{entry_id}",
        now=turn.now,
        markup={"inline_keyboard": [[button]]},
    )
    delivery = turn.deps.services.get("delivery")
    if delivery is not None:
        delivery.wake()
    turn.reply(turn.t("faq.edit.proposed", id=entry_id))


async def change(turn: Turn, live: LiveFaq, sub: str, entry_id: str, text: str) -> None:
    current = live.entries.get(entry_id)
    if current is None:
        turn.reply(turn.t("faq.edit.unknown", id=entry_id))
        return
    if sub == "remove":
        await turn.run(
            remove_entry,
            campaign_id=live.campaign_id,
            current=current,
            actor_id=turn.actor.user_id,
            now=turn.now,
        )
        version = await live.reload(turn.deps.db)
        turn.reply(turn.t("faq.edit.removed", id=entry_id, version=version))
        return
    draft = parse_draft(text) if text else None
    if draft is None or not (draft.question or draft.answer):
        turn.reply(turn.t("faq.edit.usage"))
        return
    await turn.run(
        edit_entry,
        campaign_id=live.campaign_id,
        current=current,
        draft=draft,
        actor_id=turn.actor.user_id,
        now=turn.now,
    )
    await published_or_proposed(turn, live, entry_id, draft.question, True)


async def approve(turn: Turn, live: LiveFaq | None, entry_id: str) -> None:
    if live is None:
        return
    row = await turn.run(
        approve_entry,
        campaign_id=live.campaign_id,
        entry_id=entry_id,
        actor_id=turn.actor.user_id,
        now=turn.now,
    )
    if row is None:
        turn.reply(turn.t("faq.edit.no_proposal", id=entry_id))
        return
    version = await live.reload(turn.deps.db)
    turn.reply(turn.t("faq.edit.published", id=entry_id, version=version))
