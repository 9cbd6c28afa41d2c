"""Nothing is counted twice: repeats, copies, near-copies and resends; /undo; edited /done.

The evidence services on a migrated database (SQLite; PostgreSQL when configured).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database
from bot.evidence import albums, review
from bot.evidence.amend import amend
from bot.evidence.progress import quota_progress
from bot.evidence.report import add_followup, submit
from storage.models.evidence import EvidenceFile, Report
from tests.repo.test_evidence import NOW, World, incoming, picture, reencoded


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return World(database, tmp_path / "media")


def posters(world: World, unit: int) -> int:
    with world.db.transaction() as s:
        return quota_progress(s, task_id=world.task9, unit_id=unit)[0].done


def decide(world: World, report_id: int, decision: str = "accept") -> Any:
    return world.db.call(
        review.decide,
        report_id=report_id,
        decision=decision,
        reviewer=1001,
        now=NOW + timedelta(hours=1),
        render=lambda r: f"{r.report_id} {r.state}",
        reason="不清楚",
    )


def text_done(world: World, unit: int, counts: dict[str, int], minutes: int = 0) -> Any:
    src = world.source(unit, user=500 + unit, chat=500 + unit)
    return world.db.call(
        submit,
        src=src,
        task_id=world.task9,
        counts=counts,
        files=[],
        media_dir=world.media_dir,
        now=NOW + timedelta(minutes=minutes),
    )


def test_a_resized_copy_of_the_units_own_photo_is_held_until_accepted(world: World) -> None:
    original = picture(11)
    world.report(world.humen, [original], {"posters": 20})
    held = world.report(world.humen, [reencoded(original)], {"posters": 7})
    assert held.state == "held" and [f.kind for f in held.flags] == ["similar"]
    assert held.flags[0].report_id == held.report_id - 1
    assert posters(world, world.humen) == 20  # not 27
    with world.db.transaction() as s:
        views, total = review.pending(s, campaign_id=world.campaign_id)
    assert total == 2 and views[0].flags == [] and views[1].flags == held.flags
    assert decide(world, held.report_id).state == "accepted"
    assert posters(world, world.humen) == 27


def test_the_same_photo_from_another_unit_is_held_not_dropped(world: World) -> None:
    photo = picture(12)
    first = world.report(world.humen, [photo], {"posters": 5})
    copy = world.report(world.changan, [photo], {"posters": 5})
    assert copy.state == "held" and copy.report_id > 0
    assert [(f.kind, f.report_id, f.unit) for f in copy.flags] == [
        ("copy", first.report_id, "虎门镇")
    ]
    assert posters(world, world.changan) == 0
    assert decide(world, copy.report_id, "reject").state == "rejected"
    assert posters(world, world.changan) == 0


def test_a_repeated_photo_after_a_text_done_adds_nothing_and_removes_nothing(
    world: World,
) -> None:
    photo = picture(13)
    world.report(world.humen, [photo], {"posters": 20})
    text = text_done(world, world.humen, {"posters": 5}, minutes=1)
    assert text.state == "pending" and posters(world, world.humen) == 25
    src = world.source(world.humen, user=500 + world.humen, chat=500 + world.humen)
    joined = world.db.call(
        add_followup,
        src=src,
        files=[incoming(photo, src.message_id)],
        media_dir=world.media_dir,
        now=NOW + timedelta(minutes=2),
        since=NOW,
    )
    assert joined is not None and joined.report_id == text.report_id
    assert joined.new_files == 0 and joined.repeated_reports == [text.report_id - 1]
    assert joined.state == "pending" and posters(world, world.humen) == 25
    assert world.count(EvidenceFile) == 1


def test_the_same_text_done_twice_is_held_as_a_resend(world: World) -> None:
    counts = {"posters": 1_000_000, "banners": 6}
    first = text_done(world, world.humen, counts)
    again = text_done(world, world.humen, counts, minutes=3)
    assert first.state == "pending"
    assert again.state == "held" and [(f.kind, f.report_id) for f in again.flags] == [
        ("resend", first.report_id)
    ]
    assert posters(world, world.humen) == 1_000_000
    other = text_done(world, world.humen, {"posters": 3}, minutes=4)
    assert other.state == "pending"  # different counts: a new report
    # two reports with photos and the same counts are two batches, not a resend
    a = world.report(world.changan, [picture(14)], {"posters": 10})
    b = world.report(world.changan, [picture(15)], {"posters": 10})
    assert (a.state, b.state) == ("pending", "pending")
    # accepted, the resend counts
    decide(world, again.report_id)
    assert posters(world, world.humen) == 2_000_003


def test_undo_takes_back_only_the_last_unreviewed_report(world: World) -> None:
    user = 500 + world.humen
    older = text_done(world, world.humen, {"posters": 4})
    last = text_done(world, world.humen, {"posters": 6}, minutes=1)
    decide(world, last.report_id)  # the coordinator accepts it
    refused = world.db.call(review.undo, user_id=user, now=NOW + timedelta(minutes=2))
    assert refused is not None and refused.problem == "reviewed"
    assert refused.report_id == last.report_id and refused.state == "accepted"
    assert posters(world, world.humen) == 10, "an acceptance is never reversed by /undo"
    newest = text_done(world, world.humen, {"posters": 1}, minutes=3)
    undone = world.db.call(review.undo, user_id=user, now=NOW + timedelta(minutes=4))
    assert undone is not None and undone.report_id == newest.report_id and not undone.problem
    again = world.db.call(review.undo, user_id=user, now=NOW + timedelta(minutes=5))
    assert again is not None and again.problem == "withdrawn"
    with world.db.transaction() as s:
        assert s.get(Report, older.report_id).state == "pending"  # type: ignore[union-attr]
    assert posters(world, world.humen) == 10


def test_an_edited_done_is_applied_before_review_and_refused_after(world: World) -> None:
    out = world.report(world.humen, [picture(16)], {"posters": 5})
    with world.db.transaction() as s:
        report = s.get(Report, out.report_id)
        assert report is not None
        where = {"chat_id": report.chat_id, "message_id": report.message_id}

    def edit(counts: dict[str, int], task_id: int | None = None) -> Any:
        return world.db.call(
            amend,
            **where,
            media_group_id=None,
            user_id=500 + world.humen,
            task_id=task_id or world.task9,
            counts=counts,
            now=NOW,
        )

    applied = edit({"posters": 7})
    assert applied.result == "applied" and (applied.before, applied.after) == (
        {"posters": 5},
        {"posters": 7},
    )
    assert posters(world, world.humen) == 7
    assert edit({"posters": 7}).result == "same"
    assert edit({"posters": 8}, task_id=world.task9 + 1).result == "other_task"
    decide(world, out.report_id)
    late = edit({"posters": 9})
    assert (late.result, late.state) == ("reviewed", "accepted")
    assert posters(world, world.humen) == 7


def test_a_resent_album_records_nothing_and_says_so_once(world: World) -> None:
    images = [picture(40), picture(41)]

    def album(group: str) -> list[Any]:
        steps = []
        for i, data in enumerate(images):
            src = world.source(world.humen, media_group_id=group)
            caption: dict[str, Any] = (
                {"task_id": world.task9, "counts": {"posters": 8}} if i == 0 else {}
            )
            steps.append(
                world.db.call(
                    albums.add_item,
                    src=src,
                    incoming=incoming(data, src.message_id),
                    media_dir=world.media_dir,
                    now=NOW,
                    **caption,
                )
            )
        return steps

    album("first")
    first = world.db.call(albums.finish, chat_id=501, media_group_id="first", now=NOW, render=str)
    assert first is not None and first.state == "pending"
    album("again")
    again = world.db.call(albums.finish, chat_id=501, media_group_id="again", now=NOW, render=str)
    assert again is not None and again.state == "duplicate"
    assert posters(world, world.humen) == 8 and world.count(EvidenceFile) == 2
    # items of an acknowledged album arriving again: nothing new, nothing to say
    late = album("first")
    assert [step.late for step in late] == [None, None]
