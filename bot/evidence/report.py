"""The report service: a ``/done`` becomes a report whose files are stored once and checked.

* A report adds its counts to the unit's progress on the task.
* A file whose bytes this unit already submitted for the task is kept as a row pointing at the
  earlier one (``duplicate_of``) and not counted again; if every file is such a repeat the
  report is a ``duplicate`` and its counts do not count.
* A photo close to one another unit submitted (perceptual hash) is accepted but flagged.
* The same chat message processed twice (a re-delivered update) creates nothing new.

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
from storage import evidence
from storage.models.core import Task, Unit, User
from storage.models.evidence import EvidenceFile, Report

SIMILAR_MAX_DISTANCE = 6  # of 64 phash bits: re-encoded or resized copies of one photo


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
    similar_units: list[str] = field(default_factory=list)
    flagged: bool = False
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
    """A ``/done`` with its files (possibly none). Idempotent per chat message."""
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
    found = classify(session, report, added)
    return outcome(session, report, new=len(added), found=found)


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


@dataclass
class Findings:
    repeated_reports: list[int] = field(default_factory=list)
    similar: list[tuple[int, int]] = field(default_factory=list)  # (unit id, report id)


def classify(session: Session, report: Report, files: list[EvidenceFile]) -> Findings:
    """Mark repeats and near-copies among ``files``; set the report's state and flag."""
    found = Findings()
    assert report.task_id is not None
    hashes = evidence.other_units_hashes(
        session, campaign_id=report.campaign_id, unit_id=report.unit_id
    )
    for row in files:
        prior = evidence.counted_files_with_sha(
            session,
            unit_id=report.unit_id,
            task_id=report.task_id,
            sha256=row.sha256,
            exclude_report=report.id,
        )
        if prior:
            row.duplicate_of = prior[0].id
            found.repeated_reports.extend(p.report_id for p in prior[:1])
            continue
        if row.phash:
            for phash, unit_id, report_id in hashes:
                if media.phash_distance(row.phash, phash) <= SIMILAR_MAX_DISTANCE:
                    found.similar.append((unit_id, report_id))
    found.repeated_reports = sorted(set(found.repeated_reports))
    found.similar = sorted(set(found.similar))
    reasons = [report.flag_reason] if report.flag_reason else []
    if found.repeated_reports:
        reasons.append("repeat of " + ", ".join(f"#{r}" for r in found.repeated_reports))
    if found.similar:
        reasons.append("similar to " + ", ".join(f"#{r}" for _, r in found.similar))
    if reasons:
        report.flagged, report.flag_reason = True, "; ".join(reasons)[:1000]
    if report.state in ("pending", "duplicate", "collecting"):
        repeats = report.files and all(f.duplicate_of is not None for f in report.files)
        report.state = "duplicate" if repeats else "pending"
    session.flush()
    return found


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
    similar_names = []
    for unit_id, _ in found.similar:
        unit = session.get(Unit, unit_id)
        if unit is not None and unit.name not in similar_names:
            similar_names.append(unit.name)
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
        repeated_files=sum(1 for f in report.files if f.duplicate_of is not None),
        similar_units=similar_names,
        flagged=report.flagged,
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
    ``since``); None when there is none."""
    first = files[0].message_id if files else src.message_id
    done = evidence.file_of_message(session, src.chat_id, first)
    if done is not None:
        return outcome(session, done.report, created=False, joined=True)
    target = evidence.latest_report_of(
        session,
        src.user_id,
        since=since,
        states=("pending", "accepted", "duplicate"),
        chat_id=src.chat_id,
    )
    if target is None or target.task_id is None:
        return None
    added = [f for f in (attach(session, target, i, src, media_dir, now) for i in files) if f]
    found = classify(session, target, added)
    return outcome(session, target, new=len(added), found=found, joined=True)
