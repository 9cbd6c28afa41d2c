"""Which task a ``/done`` is about: a number, a unique title fragment, or the message replied to.

A reply to the bot's reminder finds the task through the outbox row that sent it (its payload
may carry ``task_number``) or through ``任务 N`` / ``task N`` in the replied-to text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.evidence.parse import DoneArgs
from bot.ids import parse_id
from storage import campaigns
from storage.models.core import Task
from storage.models.intake import OutboxMessage

TASK_IN_TEXT = re.compile(r"(?:任务|第|task\s*#?)\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyHint:
    """The message a ``/done`` replied to: where it is and what it says."""

    chat_id: int
    message_id: int
    text: str = ""
    from_bot: bool = False


@dataclass
class TaskChoice:
    task: Task | None = None
    problem: str = ""  # "", "missing", "unknown", "ambiguous", "not_yours"
    candidates: list[Task] = field(default_factory=list)


def task_from_reply(session: Session, campaign_id: int, hint: ReplyHint) -> Task | None:
    if hint.from_bot:
        sent = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.chat_id == hint.chat_id,
                OutboxMessage.sent_message_id == hint.message_id,
            )
        )
        number = (sent.payload or {}).get("task_number") if sent is not None else None
        if isinstance(number, int | str) and str(number).isdigit():
            task = campaigns.get_task(session, campaign_id, int(number))
            if task is not None:
                return task
    match = TASK_IN_TEXT.search(hint.text or "")
    number = parse_id(match.group(1)) if match else None
    return campaigns.get_task(session, campaign_id, number) if number is not None else None


def resolve_task(
    session: Session,
    *,
    campaign_id: int,
    unit_id: int,
    args: DoneArgs,
    reply: ReplyHint | None = None,
) -> TaskChoice:
    mine = campaigns.tasks_for_unit(session, campaign_id, unit_id)
    if not args.task_ref:
        task = task_from_reply(session, campaign_id, reply) if reply is not None else None
        if task is None:
            return TaskChoice(problem="missing", candidates=mine)
        return _check_mine(task, mine)
    number = args.task_number
    if number is not None:
        task = campaigns.get_task(session, campaign_id, number)
        if task is None or task.withdrawn:
            return TaskChoice(problem="unknown", candidates=mine)
        return _check_mine(task, mine)
    fragment = args.task_ref.casefold()
    every = campaigns.list_tasks(session, campaign_id)
    found = [t for t in every if fragment in t.title.casefold()]
    if len(found) > 1:  # prefer the unit's own tasks when that settles it
        own = [t for t in found if t.id in {m.id for m in mine}]
        found = own if len(own) == 1 else found
    if len(found) == 1:
        return _check_mine(found[0], mine)
    if not found:
        return TaskChoice(problem="unknown", candidates=mine)
    return TaskChoice(problem="ambiguous", candidates=found)


def _check_mine(task: Task, mine: list[Task]) -> TaskChoice:
    if task.withdrawn:
        return TaskChoice(problem="unknown", candidates=mine)
    if task.id not in {t.id for t in mine}:
        return TaskChoice(task=task, problem="not_yours", candidates=mine)
    return TaskChoice(task=task)
