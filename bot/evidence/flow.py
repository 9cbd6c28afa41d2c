"""``/done`` as a turn: read the arguments, find the task, fetch the files, report, answer.

Handles a text command, a photo/document caption, an album item and photos sent after a
``/done``. All database work goes through services (``turn.run``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from telegram import Message
from telegram.error import NetworkError

from bot.evidence import albums, media
from bot.evidence.amend import amend, has_report
from bot.evidence.collector import SERVICE
from bot.evidence.download import Attached, DownloadFailed, TooBig, attached, fetch
from bot.evidence.parse import DoneArgs, parse_done
from bot.evidence.render import ack_text, counts_text, progress_text, task_lines
from bot.evidence.report import (
    JOINABLE,
    Incoming,
    Outcome,
    Source,
    add_followup,
    outcome,
    submit,
)
from bot.evidence.tasks import ReplyHint, TaskChoice, resolve_task
from storage import campaigns, evidence
from storage.models.core import QuotaItem, Task

if TYPE_CHECKING:
    from bot.turn import Turn


def _source(turn: Turn, message: Message) -> Source:
    assert turn.campaign_id is not None and turn.actor.unit_id is not None
    return Source(
        campaign_id=turn.campaign_id,
        unit_id=turn.actor.unit_id,
        user_id=turn.actor.user_id,
        chat_id=turn.chat_id,
        message_id=message.message_id,
        update_id=turn.update.update_id,
        media_group_id=message.media_group_id,
    )


def _hint(turn: Turn, message: Message) -> ReplyHint | None:
    replied = message.reply_to_message
    if replied is None:
        return None
    sender = replied.from_user
    return ReplyHint(
        chat_id=turn.chat_id,
        message_id=replied.message_id,
        text=replied.text or replied.caption or "",
        from_bot=bool(sender and sender.is_bot),
    )


def _existing(session: Session, chat_id: int, message_id: int) -> Outcome | None:
    report = evidence.report_by_message(session, chat_id, message_id)
    return outcome(session, report, created=False) if report is not None else None


def _understand(
    session: Session, *, campaign_id: int, unit_id: int, text: str, reply: ReplyHint | None
) -> tuple[DoneArgs, TaskChoice, list[QuotaItem]]:
    items = campaigns.list_quota_items(session, campaign_id)
    args = parse_done(text, items)
    choice = resolve_task(session, campaign_id=campaign_id, unit_id=unit_id, args=args, reply=reply)
    return args, choice, items


def _problem(turn: Turn, args: DoneArgs, choice: TaskChoice, items: list[QuotaItem]) -> str:
    """The one-line (plus list) answer to a /done that cannot be recorded, or ""."""
    t = turn.t
    if args.negative:
        return t("evidence.done.bad_count", what="、".join(args.negative))
    if args.missing:
        return t("evidence.done.missing_count", words="、".join(args.missing))
    if args.unknown:
        names = "、".join(i.name for i in items) or "-"
        return t("evidence.done.unknown_item", words="、".join(args.unknown), items=names)
    if args.too_large:
        return t("evidence.done.too_large", what="、".join(args.too_large))
    if choice.problem:
        key = {
            "missing": "evidence.done.missing_task",
            "unknown": "evidence.done.unknown_task",
            "ambiguous": "evidence.done.ambiguous",
            "not_yours": "evidence.done.not_yours",
        }[choice.problem]
        number = choice.task.number if choice.task else ""
        return t(key, ref=args.task_ref, number=number, tasks=task_lines(t, choice.candidates))
    task = choice.task
    assert task is not None
    by_id = {i.id: i for i in items}
    quota = {by_id[q.item_id].key: by_id[q.item_id] for q in task.quotas if q.item_id in by_id}
    extra = [k for k in args.counts if k not in quota]
    if extra:
        words = "、".join(next((i.name for i in items if i.key == k), k) for k in extra)
        hint = _quota_hint(turn, task, by_id)
        return t("evidence.done.not_in_task", number=task.number, words=words, hint=hint)
    return ""


def _quota_hint(turn: Turn, task: Task, by_id: dict[int, QuotaItem]) -> str:
    if not task.quotas:
        return turn.t("evidence.done.no_quota")
    items = "、".join(f"{by_id[q.item_id].name}{q.target}" for q in task.quotas)
    return turn.t("evidence.done.quota_hint", items=items)


async def _fetch(turn: Turn, message: Message, item: Attached) -> Incoming | None:
    """Download one file; on a refusal answer in one line and return None."""
    try:
        return await fetch(turn.deps.bot, message, item, tz=turn.deps.settings.tz)
    except TooBig:
        turn.reply(turn.t("evidence.file.too_big"))
    except media.NotAccepted:
        turn.reply(turn.t("evidence.file.not_accepted"))
    except (DownloadFailed, NetworkError):
        turn.reply(turn.t("evidence.file.failed"))
    return None


def _touch(turn: Turn, chat_id: int, media_group_id: str) -> None:
    collector = turn.deps.services.get(SERVICE)
    if collector is not None:
        collector.touch(chat_id, media_group_id)


async def report_done(turn: Turn) -> None:
    """/done (text, caption, album caption, reply to a photo or to a reminder)."""
    message = turn.update.effective_message
    if message is None or turn.campaign_id is None or turn.actor.unit_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    src = _source(turn, message)
    edited = turn.update.edited_message is not None
    if message.media_group_id is None and not edited:
        done = await turn.run(_existing, src.chat_id, src.message_id)
        if done is not None:  # the same message again: answer as before, store nothing
            turn.reply(ack_text(turn.t, done))
            return
    args, choice, items = await turn.run(
        _understand,
        campaign_id=src.campaign_id,
        unit_id=src.unit_id,
        text=turn.arg_text,
        reply=_hint(turn, message),
    )
    problem = _problem(turn, args, choice, items)
    if edited:
        await _amend(turn, src, args.counts, choice, items, problem)
        return
    if problem:
        if message.media_group_id is not None:
            await turn.run(albums.discard, src=src, now=turn.now)
        turn.reply(problem if turn.arg_text else turn.t("evidence.done.usage") + "\n" + problem)
        return
    assert choice.task is not None
    own = attached(message)
    carrier = message if own is not None else message.reply_to_message
    item = own if own is not None else attached(message.reply_to_message)
    incoming = await _fetch(turn, carrier, item) if carrier is not None and item else None
    if message.media_group_id is not None:
        await turn.run(
            albums.add_item,
            src=src,
            incoming=incoming,
            media_dir=turn.deps.settings.media_dir,
            now=turn.now,
            task_id=choice.task.id,
            counts=args.counts,
        )
        _touch(turn, src.chat_id, message.media_group_id)
        return
    if item is not None and incoming is None:
        return  # the file was refused; the reply says why
    result = await turn.run(
        submit,
        src=src,
        task_id=choice.task.id,
        counts=args.counts,
        files=[incoming] if incoming else [],
        media_dir=turn.deps.settings.media_dir,
        now=turn.now,
    )
    turn.reply(ack_text(turn.t, result))


async def _amend(
    turn: Turn,
    src: Source,
    counts: dict[str, int],
    choice: TaskChoice,
    items: list[QuotaItem],
    problem: str,
) -> None:
    """An edited /done: apply it, or say in one line why it was not applied."""
    if problem or choice.task is None:
        turn.reply(turn.t("evidence.edit.problem", problem=problem))
        return
    done = await turn.run(
        amend,
        chat_id=src.chat_id,
        message_id=src.message_id,
        media_group_id=src.media_group_id,
        user_id=src.user_id,
        task_id=choice.task.id,
        counts=counts,
        now=turn.now,
    )
    if done.result == "collecting":
        return  # the album's acknowledgement will carry the edited caption
    names = {i.key: i.name for i in items}
    values = {
        "id": done.report_id,
        "number": done.task_number,
        "state": turn.t(f"evidence.state.{done.state}") if done.state else "",
        "before": counts_text(turn.t, done.before, names),
        "after": counts_text(turn.t, done.after, names),
    }
    lines = [turn.t(f"evidence.edit.{done.result}", **values)]
    if done.progress:
        lines.append(turn.t("evidence.progress.title") + progress_text(turn.t, done.progress))
    turn.reply("\n".join(lines))


def _recent(session: Session, user_id: int, chat_id: int, since: Any) -> bool:
    found = evidence.latest_report_of(
        session, user_id, since=since, states=JOINABLE, chat_id=chat_id
    )
    return found is not None


async def loose_media(turn: Turn) -> None:
    """A photo or file without /done: an album item, or photos following a recent /done."""
    message = turn.update.effective_message
    if message is None or "liaison" not in turn.actor.roles or turn.campaign_id is None:
        return
    if turn.actor.unit_id is None:
        return
    item = attached(message)
    if item is None:
        return
    src = _source(turn, message)
    if turn.update.edited_message is not None:  # a caption edited so that /done is gone
        report_id = await turn.run(has_report, src.chat_id, src.message_id)
        if report_id is not None:
            turn.reply(turn.t("evidence.edit.removed", id=report_id))
        return
    since = turn.now - albums.FOLLOWUP
    if message.media_group_id is None and not await turn.run(
        _recent, src.user_id, src.chat_id, since
    ):
        if turn.is_private:
            turn.reply(turn.t("evidence.done.photo_hint"))
        return
    incoming = await _fetch(turn, message, item)
    if incoming is None:
        return
    media_dir = turn.deps.settings.media_dir
    if message.media_group_id is not None:
        step = await turn.run(
            albums.add_item, src=src, incoming=incoming, media_dir=media_dir, now=turn.now
        )
        if step.late is not None:
            turn.reply(ack_text(turn.t, step.late))
        elif step.state == "collecting":
            _touch(turn, src.chat_id, message.media_group_id)
        return
    result = await turn.run(
        add_followup,
        src=src,
        files=[incoming],
        media_dir=media_dir,
        now=turn.now,
        since=since,
    )
    if result is not None:
        turn.reply(ack_text(turn.t, result))
