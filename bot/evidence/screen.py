"""New evidence checked against earlier evidence, so that nothing is counted twice.

* **repeat**: the same bytes (SHA-256) are already in a live report of this unit for this task.
  The file is not stored again and adds nothing; a new report made only of repeats is not
  recorded at all.
* **copy**: the same bytes in a live report of another unit or another task; **similar**: a
  perceptual hash within ``MAX_DISTANCE`` bits of any live image (a resized or
  re-encoded copy, of this unit or another); **resend**: the same counts as a recent report of
  the unit for the task, one of the two without any file (the same ``/done`` sent twice).
  These *hold* the report: it waits for review and counts only once a coordinator accepts it.

"Live" reports are those not rejected, withdrawn or discarded (``LIVE_STATES``). The reasons are
kept in ``Report.flag_reason`` as JSON (``[{"kind": "similar", "report": 3}]``) and rendered in
the reader's language (``describe``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from bot.evidence import media
from storage import evidence
from storage.models.core import Task, Unit
from storage.models.evidence import EvidenceFile, Report

MAX_DISTANCE = 6  # of 64 phash bits: re-encoded or resized copies of one photo
RESEND_WINDOW = timedelta(days=1)
UNSETTLED = ("pending", "held", "collecting", "duplicate")  # states a check may still change


@dataclass(frozen=True)
class Reason:
    kind: str  # copy | similar | resend
    report_id: int


@dataclass(frozen=True)
class Flag:
    """A reason to hold a report, ready to be put into words."""

    kind: str  # copy | similar | resend | text (an older free-text reason)
    report_id: int = 0
    unit: str = ""
    task_number: int | None = None
    text: str = ""


@dataclass
class Findings:
    repeated_reports: list[int] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    kept: int = 0  # files of the batch that stayed in the report
    repeats: int = 0  # files of the batch that were repeats (not kept)


def check(session: Session, report: Report, rows: list[EvidenceFile], *, new: bool) -> Findings:
    """Check ``rows`` (just attached to ``report``) and settle the report's state.

    ``new``: the report is being recorded now (a ``/done``, a finished album); otherwise the
    rows join an existing report, whose own counts stand whatever the rows turn out to be.
    """
    found = Findings()
    hashes: list[tuple[str, str, int]] | None = None
    for row in rows:
        same = evidence.live_files_with_sha(
            session, campaign_id=report.campaign_id, sha256=row.sha256, exclude_report=report.id
        )
        mine = [r for _, r in same if (r.unit_id, r.task_id) == (report.unit_id, report.task_id)]
        if mine:
            found.repeated_reports.append(mine[0].id)
            found.repeats += 1
            report.files.remove(row)
            session.delete(row)
            continue
        found.kept += 1
        if same:
            found.reasons.append(Reason("copy", same[0][1].id))
            continue
        if row.phash:
            if hashes is None:
                hashes = evidence.live_phashes(
                    session, campaign_id=report.campaign_id, exclude_report=report.id
                )
            near = [
                rid
                for phash, sha, rid in hashes
                if sha != row.sha256 and media.phash_distance(row.phash, phash) <= MAX_DISTANCE
            ]
            if near:
                found.reasons.append(Reason("similar", near[0]))
    if new:
        found.reasons.extend(_resend(session, report))
    found.repeated_reports = sorted(set(found.repeated_reports))
    _settle(report, found, only_repeats=new and bool(rows) and not report.files)
    session.flush()
    return found


def _resend(session: Session, report: Report) -> list[Reason]:
    if not report.counts or report.task_id is None:
        return []
    since = report.created_at - RESEND_WINDOW
    for earlier in evidence.same_text_reports(session, report=report, since=since):
        if not earlier.files or not report.files:
            return [Reason("resend", earlier.id)]
    return []


def _settle(report: Report, found: Findings, *, only_repeats: bool) -> None:
    reasons = _stored(report) + [{"kind": r.kind, "report": r.report_id} for r in found.reasons]
    unique = list({json.dumps(r, sort_keys=True): r for r in reasons}.values())
    if unique:
        report.flagged, report.flag_reason = True, json.dumps(unique, ensure_ascii=False)
    if report.state not in UNSETTLED:
        return  # reviewed or withdrawn: a late photo changes nothing
    if only_repeats:
        report.state = "duplicate"
    elif found.reasons or report.state == "held":
        report.state = "held"
    elif found.kept or report.state == "collecting":
        report.state = "pending"
    # else: only repeats joined an existing report, which stays as it was


def _stored(report: Report) -> list[dict[str, object]]:
    if not report.flag_reason:
        return []
    try:
        value = json.loads(report.flag_reason)
    except ValueError:
        return [{"kind": "text", "text": report.flag_reason}]
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def describe(session: Session, report: Report) -> list[Flag]:
    """The report's reasons to be held, with the unit and task of each earlier report named."""
    flags = []
    for item in _stored(report):
        kind = str(item.get("kind", "text"))
        if kind == "text":
            flags.append(Flag("text", text=str(item.get("text", ""))))
            continue
        earlier_id = item.get("report")
        earlier = session.get(Report, earlier_id) if isinstance(earlier_id, int) else None
        if earlier is None:
            continue
        unit = session.get(Unit, earlier.unit_id)
        task = session.get(Task, earlier.task_id) if earlier.task_id is not None else None
        flags.append(
            Flag(kind, earlier.id, unit.name if unit else "", task.number if task else None)
        )
    return flags
