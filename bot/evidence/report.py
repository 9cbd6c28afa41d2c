"""The report service: a ``/done`` becomes a report whose files are stored once and checked.

* A report adds its counts to the unit's progress on the task.
* Files are checked against earlier evidence (``bot.evidence.screen``): a file this unit
  already submitted for the task is not stored again and adds nothing, and a ``/done`` whose
  every file is such a repeat records no report at all; a copy or near-copy of earlier
  evidence, or what looks like the same ``/done`` sent twice, is *held*: it counts only once a
  coordinator accepts it.
* The same chat message processed twice (a re-delivered update) creates nothing new.

These are plain functions over a session, usable from outside a chat too (e.g. a bulk upload):
give a ``Source`` (``message_id`` unique per ``chat_id``) and ``Incoming`` files.

Files are written to the media store (temp name, fsync, rename) *before* their rows are added,
inside the caller's transaction, so a crash can never leave a row without its file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.evidence import media
from bot.evidence.progress import ItemProgress, quota_progress
from bot.evidence.screen import Findings, Flag, check, describe
from storage import evidence
from storage.models.core import Task, User
from storage.models.evidence import EvidenceFile, Report

JOINABLE = ("pending", "held", "accepted")  # reports later photos may join


@dataclass(frozen=True)
class Source:
    """Who reports, for which unit, from which chat message."""

    campaign_id: int
    unit_id: int
    user_id: int
    chat_id: int
    message_id: int
    update_id: int | None = None
    media_group_id: str | None = None


@dataclass(frozen=True)
class Incoming:
    """A downloaded, analysed file and the message that carried it."""

    data: bytes
    info: media.Analysed
    message_id: int
    file_id: str = ""
    file_unique_id: str = ""


@dataclass
class Outcome:
    report_id: int
    state: str
    created: bool = True
    task_number: int | None = None
    task_title: str = ""
    new_files: int = 0
    total_files: int = 0
    repeated_reports: list[int] = field(default_factory=list)
    repeated_files: int = 0
    flags: list[Flag] = field(default_factory=list)  # why a held report waits for review
    counts: dict[str, Any] = field(default_factory=dict)
    progress: list[ItemProgress] = field(default_factory=list)
    locale: str | None = None
    chat_id: int = 0
    message_id: int = 0
    joined: bool = False  # photos added to an earlier report


def submit(
    session: Session,
    *,
    src: Source,
    task_id: int,
    counts: dict[str, int],
    files: list[Incoming],
    media_dir: Path,
    now: datetime,
) -> Outcome:
    """A ``/done`` with its files (possibly none). Idempotent per chat message. When every file
    is a repeat nothing is recorded: the outcome's state is ``duplicate`` and its id 0."""
    existing = evidence.report_by_message(session, src.chat_id, src.message_id)
    if existing is not None:
        return outcome(session, existing, created=False)
    report = evidence.add_report(
        session,
        campaign_id=src.campaign_id,
        task_id=task_id,
        unit_id=src.unit_id,
        user_id=src.user_id,
        chat_id=src.chat_id,
        message_id=src.message_id,
        update_id=src.update_id,
        media_group_id=src.media_group_id,
        counts=dict(counts),
        state="pending",
        created_at=now,
        acknowledged_at=now,
    )
    added = [f for f in (attach(session, report, i, src, media_dir, now) for i in files) if f]
    found = check(session, report, added, new=True)
    if report.state == "duplicate":
        result = outcome(session, report, created=False, found=found)
        session.delete(report)  # a repeat records nothing
        session.flush()
        result.report_id = 0
        return result
    return outcome(session, report, new=found.kept, found=found)


def attach(
    session: Session,
    report: Report,
    incoming: Incoming,
    src: Source,
    media_dir: Path,
    now: datetime,
) -> EvidenceFile | None:
    """Store the bytes, then add the row (nothing if this report already has these bytes)."""
    if any(f.sha256 == incoming.info.sha256 for f in report.files):
        return None
    info = incoming.info
    media.store(media_dir, incoming.data, info)
    return evidence.add_file(
        session,
        report,
        sha256=info.sha256,
        phash=info.phash,
        path=info.relative_path,
        size=info.size,
        mime=info.mime,
        width=info.width,
        height=info.height,
        exif_taken_at=info.exif_taken_at,
        file_id=incoming.file_id,
        file_unique_id=incoming.file_unique_id,
        chat_id=src.chat_id,
        message_id=incoming.message_id,
        sender=src.user_id,
        created_at=now,
    )


def outcome(
    session: Session,
    report: Report,
    *,
    created: bool = True,
    new: int = 0,
    found: Findings | None = None,
    joined: bool = False,
) -> Outcome:
    task = session.get(Task, report.task_id) if report.task_id is not None else None
    user = session.get(User, report.user_id)
    found = found or Findings()
    progress = (
        quota_progress(session, task_id=task.id, unit_id=report.unit_id) if task is not None else []
    )
    return Outcome(
        report_id=report.id,
        state=report.state,
        created=created,
        task_number=task.number if task else None,
        task_title=task.title if task else "",
        new_files=new,
        total_files=len(report.files),
        repeated_reports=found.repeated_reports,
        repeated_files=found.repeats,
        flags=describe(session, report) if report.state == "held" else [],
        counts=dict(report.counts or {}),
        progress=progress,
        locale=user.locale if user else None,
        chat_id=report.chat_id,
        message_id=report.message_id,
        joined=joined,
    )


def add_followup(
    session: Session,
    *,
    src: Source,
    files: list[Incoming],
    media_dir: Path,
    now: datetime,
    since: datetime,
) -> Outcome | None:
    """Photos sent without a command join this liaison's latest report in the chat (since
    ``since``); None when there is none. A repeat joins nothing and changes nothing."""
    first = files[0].message_id if files else src.message_id
    done = evidence.file_of_message(session, src.chat_id, first)
    if done is not None:
        return outcome(session, done.report, created=False, joined=True)
    target = evidence.latest_report_of(
        session, src.user_id, since=since, states=JOINABLE, chat_id=src.chat_id
    )
    if target is None or target.task_id is None:
        return None
    added = [f for f in (attach(session, target, i, src, media_dir, now) for i in files) if f]
    found = check(session, target, added, new=False)
    return outcome(session, target, new=found.kept, found=found, joined=True)
