"""The export's rows, streamed from the database (``yield_per``) so memory stays flat however
many reports there are; and the readable names evidence files get in the ZIP."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from storage import status as q
from storage.models.core import AuditEntry, Task, Unit, User

BATCH = 2000
UNSAFE = re.compile(r'[\\/:*?"<>|\r\n\t]+')
MIME_EXT = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}


@lru_cache(maxsize=4096)  # unit and task names: the same few thousand on every row
def safe(part: str, limit: int = 40) -> str:
    """A path component that every ZIP tool and file system accepts."""
    cleaned = UNSAFE.sub("_", part).strip(" .") or "_"
    return cleaned[:limit]


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    file_id: int
    report_id: int
    unit: str
    task_number: int | None
    task_title: str
    created_at: datetime
    sender_id: int
    sender: str
    sha256: str
    size: int
    mime: str
    path: str
    state: str
    duplicate_of: int | None
    first_id: int  # the campaign's first file with the same bytes (== file_id for the first)

    @property
    def task_label(self) -> str:
        if self.task_number is None:
            return "未指定任务"
        return f"{self.task_number:02d}-{self.task_title}"

    def archive_name(self, tz: Any) -> str:
        """``虎门镇/09-张贴宣传海报/20131110-1530_r12_f34.jpg``."""
        local = self.created_at.astimezone(tz)
        ext = posixpath.splitext(self.path)[1]  # PurePosixPath.suffix, faster
        ext = ext if len(ext) > 1 else MIME_EXT.get(self.mime, "")
        name = f"{local:%Y%m%d-%H%M}_r{self.report_id}_f{self.file_id}{ext.lower()}"
        return f"{safe(self.unit)}/{safe(self.task_label)}/{name}"


def count_evidence(session: Session, campaign_id: int) -> int:
    models = q.evidence_models()
    if models is None:
        return 0
    report, efile, _ = models
    query = (
        select(func.count(efile.id))
        .join(report, report.id == efile.report_id)
        .where(report.campaign_id == campaign_id)
    )
    return int(session.scalar(query) or 0)


def evidence_rows(session: Session, campaign_id: int) -> Iterator[EvidenceRow]:
    """Every stored evidence file of the campaign, by unit, task and time."""
    models = q.evidence_models()
    if models is None:
        return
    report, efile, _ = models
    twin, twin_report = aliased(efile), aliased(report)
    # first copy of each content: one grouped pass the database hashes and joins, rather than
    # a correlated sub-select probed once per file
    first = (
        select(twin.sha256, func.min(twin.id).label("first_id"))
        .join(twin_report, twin_report.id == twin.report_id)
        .where(twin_report.campaign_id == campaign_id)
        .group_by(twin.sha256)
        .subquery()
    )
    query = (
        select(
            efile.id,
            report.id,
            Unit.name,
            Task.number,
            Task.title,
            efile.created_at,
            efile.sender,
            User.display_name,
            efile.sha256,
            efile.size,
            efile.mime,
            efile.path,
            report.state,
            efile.duplicate_of,
            first.c.first_id,
        )
        .join(report, report.id == efile.report_id)
        .join(Unit, Unit.id == report.unit_id)
        .outerjoin(Task, Task.id == report.task_id)
        .outerjoin(User, User.id == efile.sender)
        .join(first, first.c.sha256 == efile.sha256)
        .where(report.campaign_id == campaign_id)
        .order_by(Unit.id, Task.number, efile.id)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        fid, rid, unit, number, title, at, sid, sname, sha, size, mime, path, state, dup, one = row
        yield EvidenceRow(
            fid,
            rid,
            unit,
            number,
            title or "",
            at,
            sid,
            sname or str(sid),
            sha,
            size,
            mime,
            path,
            state,
            dup,
            int(one or fid),
        )


def roster_rows(session: Session, campaign_id: int) -> Iterator[tuple[Any, ...]]:
    """(unit name, liaison or None) for every active unit: its liaisons, or one empty row."""
    try:
        from storage.liaisons import campaign_liaisons
    except ImportError:
        people: list[Any] = []
    else:
        people = list(campaign_liaisons(session, campaign_id))
    by_unit: dict[int, list[Any]] = {}
    for person in people:
        by_unit.setdefault(person.unit_id, []).append(person)
    units = session.execute(
        select(Unit.id, Unit.name)
        .where(Unit.campaign_id == campaign_id, Unit.active.is_(True))
        .order_by(Unit.id)
    )
    for unit_id, name in units:
        for person in by_unit.get(unit_id, [None]):
            yield name, person


def question_rows(session: Session, campaign_id: int) -> Iterator[Any]:
    try:
        from storage.models.questions import Question
    except ImportError:
        return
    query = (
        select(Question)
        .where((Question.campaign_id == campaign_id) | Question.campaign_id.is_(None))
        .order_by(Question.id)
        .execution_options(yield_per=BATCH)
    )
    yield from session.scalars(query)


def count_questions(session: Session, campaign_id: int) -> int:
    try:
        from storage.models.questions import Question
    except ImportError:
        return 0
    query = select(func.count()).where(
        (Question.campaign_id == campaign_id) | Question.campaign_id.is_(None)
    )
    return int(session.scalar(query) or 0)


def audit_rows(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=BATCH)
    yield from session.scalars(query)


def count_audit(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
