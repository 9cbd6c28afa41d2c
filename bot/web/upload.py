"""A liaison's bulk upload: many photos at once become one report, counted exactly as a
``/done`` with an album would be (``bot.evidence.report.submit``: the same task resolution,
repeat and near-copy checks, and progress).

The report's "message" is the upload form's id (negative, so it never meets a chat message id):
sending the same form twice records nothing new.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.evidence import media
from bot.evidence.parse import DoneArgs, parse_done
from bot.evidence.render import task_lines
from bot.evidence.report import Incoming, Outcome, Source, submit
from bot.evidence.tasks import TaskChoice, resolve_task
from storage import campaigns
from storage.models.core import QuotaItem

T = Callable[..., str]
FILE_LIMIT = 20 * 1024 * 1024  # per file, as the chat's download limit
PROBLEM_KEYS = {
    "missing": "evidence.done.missing_task",
    "unknown": "evidence.done.unknown_task",
    "ambiguous": "evidence.done.ambiguous",
    "not_yours": "evidence.done.not_yours",
}


@dataclass(frozen=True)
class Upload:
    campaign_id: int
    unit_id: int
    user_id: int
    upload_id: int  # negative: the report's message id
    text: str  # "<task> <counts>", as after /done
    files: list[Incoming]


@dataclass(frozen=True)
class Uploaded:
    outcome: Outcome | None
    problem: str = ""


def new_upload_id() -> int:
    """A form's id: negative, so a report's message id from the web never meets a chat's."""
    return -(secrets.randbelow(2**62) + 1)


def problem_text(t: T, args: DoneArgs, choice: TaskChoice, items: list[QuotaItem]) -> str:
    """Why the task and counts cannot be recorded, in the /done messages' words; "" when fine."""
    if args.unknown:
        names = "、".join(i.name for i in items) or "-"
        return t("evidence.done.unknown_item", words="、".join(args.unknown), items=names)
    if args.too_large:
        return t("evidence.done.too_large", what="、".join(args.too_large))
    if choice.problem:
        number = choice.task.number if choice.task else ""
        tasks = task_lines(t, choice.candidates)
        return t(PROBLEM_KEYS[choice.problem], ref=args.task_ref, number=number, tasks=tasks)
    assert choice.task is not None
    by_id = {i.id: i for i in items}
    quota = {by_id[q.item_id].key for q in choice.task.quotas if q.item_id in by_id}
    extra = [k for k in args.counts if k not in quota]
    if extra:
        words = "、".join(next((i.name for i in items if i.key == k), k) for k in extra)
        if choice.task.quotas:
            listed = "、".join(f"{by_id[q.item_id].name}{q.target}" for q in choice.task.quotas)
            hint = t("evidence.done.quota_hint", items=listed)
        else:
            hint = t("evidence.done.no_quota")
        return t("evidence.done.not_in_task", number=choice.task.number, words=words, hint=hint)
    return ""


def record_upload(
    session: Session, *, upload: Upload, media_dir: Path, now: datetime, t: T
) -> Uploaded:
    items = campaigns.list_quota_items(session, upload.campaign_id)
    args = parse_done(upload.text, items)
    choice = resolve_task(
        session, campaign_id=upload.campaign_id, unit_id=upload.unit_id, args=args
    )
    problem = problem_text(t, args, choice, items)
    if problem:
        return Uploaded(None, problem)
    assert choice.task is not None
    src = Source(
        campaign_id=upload.campaign_id,
        unit_id=upload.unit_id,
        user_id=upload.user_id,
        chat_id=upload.user_id,
        message_id=upload.upload_id,
    )
    outcome = submit(
        session,
        src=src,
        task_id=choice.task.id,
        counts=args.counts,
        files=upload.files,
        media_dir=media_dir,
        now=now,
    )
    return Uploaded(outcome)


def analyse_all(blobs: list[bytes], *, upload_id: int, tz: object) -> tuple[list[Incoming], int]:
    """The files Pillow and the media rules accept, and how many were refused."""
    accepted, refused, seen = [], 0, set()
    for data in blobs:
        if len(data) > FILE_LIMIT:
            refused += 1
            continue
        try:
            info = media.analyse(data, tz=tz)  # type: ignore[arg-type]
        except media.NotAccepted:
            refused += 1
            continue
        if info.sha256 in seen:
            continue
        seen.add(info.sha256)
        accepted.append(Incoming(data=data, info=info, message_id=upload_id))
    return accepted, refused
