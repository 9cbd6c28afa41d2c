"""Albums: several updates sharing a ``media_group_id``, the ``/done`` caption on one of them.

Each item is added, as it arrives, to one ``collecting`` report keyed by (chat, media group) in
the database, so a crash between items loses nothing. When no item has come for a short while
the album is finished: checked, counted and acknowledged once (an outbox row in the same
transaction). Without a caption the photos join the sender's recent ``/done`` in that chat, if
any; otherwise they are dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from bot.evidence.report import JOINABLE, Incoming, Outcome, Source, attach, outcome
from bot.evidence.screen import check
from storage import evidence, outbox
from storage.models.evidence import Report

FOLLOWUP = timedelta(minutes=5)  # photos without a command join a /done this recent


@dataclass(frozen=True)
class AlbumStep:
    report_id: int
    state: str  # collecting, discarded, or the state of an album already finished
    late: Outcome | None = None  # an item arriving after the album was acknowledged


def _album(session: Session, src: Source, now: datetime) -> Report:
    assert src.media_group_id is not None
    report = evidence.album_report(session, src.chat_id, src.media_group_id)
    if report is None:
        report = evidence.add_report(
            session,
            campaign_id=src.campaign_id,
            task_id=None,
            unit_id=src.unit_id,
            user_id=src.user_id,
            chat_id=src.chat_id,
            message_id=src.message_id,
            update_id=src.update_id,
            media_group_id=src.media_group_id,
            state="collecting",
            created_at=now,
        )
    return report


def add_item(
    session: Session,
    *,
    src: Source,
    incoming: Incoming | None,
    media_dir: Path,
    now: datetime,
    task_id: int | None = None,
    counts: dict[str, int] | None = None,
) -> AlbumStep:
    """One album item (with the ``/done`` task and counts if it carries the caption)."""
    report = _album(session, src, now)
    if report.state == "discarded":
        return AlbumStep(report.id, report.state)
    if task_id is not None and report.task_id is None:
        report.task_id, report.counts = task_id, dict(counts or {})
    if incoming is None or evidence.file_of_message(session, src.chat_id, incoming.message_id):
        return AlbumStep(report.id, report.state)
    row = attach(session, report, incoming, src, media_dir, now)
    if report.state == "collecting" or report.task_id is None or row is None:
        # collecting: acknowledged with the whole album; no row: these bytes are already in
        # the album (an item sent again), so there is nothing new to say
        return AlbumStep(report.id, report.state)
    found = check(session, report, [row], new=False)
    return AlbumStep(
        report.id,
        report.state,
        outcome(session, report, new=found.kept, found=found, joined=True),
    )


def discard(session: Session, *, src: Source, now: datetime) -> None:
    """The caption could not be understood: drop the whole album (the sender was told why)."""
    report = _album(session, src, now)
    report.state, report.acknowledged_at = "discarded", now
    for row in list(report.files):
        session.delete(row)
    session.flush()


def finish(
    session: Session,
    *,
    chat_id: int,
    media_group_id: str,
    now: datetime,
    render: Callable[[Outcome], str],
) -> Outcome | None:
    """Check, count and acknowledge a collected album once; None if there is nothing to say."""
    report = evidence.album_report(session, chat_id, media_group_id)
    if report is None or report.state == "discarded" or report.acknowledged_at is not None:
        return None
    report.acknowledged_at = now
    if report.task_id is None:
        result = _join_recent(session, report)
        if result is None:
            return None
    else:
        found = check(session, report, list(report.files), new=True)
        result = outcome(session, report, new=found.kept, found=found)
    outbox.add(
        session,
        chat_id=result.chat_id,
        payload={"method": "sendMessage", "text": render(result), "reply_to": report.message_id},
        now=now,
        kind="notice",
        priority=1,
        dedupe_key=f"evidence:album:{report.id}",
    )
    return result


def _join_recent(session: Session, album: Report) -> Outcome | None:
    """Move an uncaptioned album's files into the sender's recent report in the chat."""
    target = evidence.latest_report_of(
        session,
        album.user_id,
        since=album.created_at - FOLLOWUP,
        states=JOINABLE,
        chat_id=album.chat_id,
    )
    if target is None or target.task_id is None:
        album.state = "discarded"
        for row in list(album.files):
            session.delete(row)
        session.flush()
        return None
    have = {f.sha256 for f in target.files}
    moved = []
    for row in list(album.files):
        album.files.remove(row)
        if row.sha256 in have:
            session.delete(row)
            continue
        row.report_id = target.id
        target.files.append(row)
        moved.append(row)
    album.state = "discarded"
    session.flush()
    found = check(session, target, moved, new=False)
    return outcome(session, target, new=found.kept, found=found, joined=True)


def unfinished(session: Session) -> list[tuple[int, str]]:
    """(chat, media group) of albums a previous run did not acknowledge."""
    return [(r.chat_id, str(r.media_group_id)) for r in evidence.unacknowledged_albums(session)]
