"""The evidence services on a migrated database (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

import hashlib
import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import storage.evidence
from bot.campaign import load, parse_file
from bot.db import Database
from bot.evidence import albums, media, review
from bot.evidence.parse import parse_done
from bot.evidence.progress import quota_progress, unit_task_done, units_done
from bot.evidence.report import Incoming, Source, submit
from bot.evidence.tasks import ReplyHint, resolve_task
from storage import campaigns, outbox
from storage.models.evidence import EvidenceFile, Report
from storage.models.intake import OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "config" / "campaigns" / "quality-city-2013.yaml"
NOW = datetime(2013, 11, 18, 2, 0, tzinfo=UTC)


def picture(seed: int, *, side: int = 256, quality: int = 90) -> bytes:
    """A JPEG of random 8x8 blocks: different seeds give far-apart perceptual hashes."""
    rng = random.Random(seed)
    small = Image.new("L", (8, 8))
    small.putdata([rng.choice((0, 255)) for _ in range(64)])
    image = small.resize((side, side), Image.Resampling.NEAREST).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def reencoded(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        smaller = image.resize((200, 200))
    out = io.BytesIO()
    smaller.save(out, "JPEG", quality=55)
    return out.getvalue()


def incoming(data: bytes, message_id: int) -> Incoming:
    return Incoming(data, media.analyse(data), message_id, file_id=f"F{message_id}")


class World:
    def __init__(self, database: Database, media_dir: Path) -> None:
        self.db, self.media_dir = database, media_dir
        with database.transaction() as s:
            load(s, parse_file(QUALITY), now=NOW)
            campaign = campaigns.current_campaign(s)
            assert campaign is not None
            self.campaign_id = campaign.id
            self.humen = self._unit(s, "虎门镇")
            self.changan = self._unit(s, "长安镇")
            task = campaigns.get_task(s, self.campaign_id, 9)
            assert task is not None
            self.task9 = task.id
        self.messages = iter(range(100, 10_000))

    def _unit(self, s: Session, name: str) -> int:
        unit = campaigns.find_unit(s, self.campaign_id, name)
        assert unit is not None
        return unit.id

    def source(self, unit: int, *, user: int = 501, chat: int = 501, **kw: Any) -> Source:
        return Source(self.campaign_id, unit, user, chat, next(self.messages), **kw)

    def report(
        self, unit: int, files: list[bytes], counts: dict[str, int], *, now: datetime = NOW
    ) -> Any:
        src = self.source(unit, user=500 + unit, chat=500 + unit)
        items = [incoming(d, src.message_id) for d in files]
        return self.db.call(
            submit,
            src=src,
            task_id=self.task9,
            counts=counts,
            files=items,
            media_dir=self.media_dir,
            now=now,
        )

    def count(self, model: Any) -> int:
        with self.db.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def world(database: Database, tmp_path: Path) -> World:
    return World(database, tmp_path / "media")


def stored_files(media_dir: Path) -> list[Path]:
    return sorted(p for p in media_dir.rglob("*") if p.is_file())


def test_reports_add_counts_and_files_are_stored_by_content(world: World) -> None:
    first = world.report(world.humen, [picture(1), picture(2)], {"posters": 70, "banners": 6})
    assert first.state == "pending" and first.total_files == 2 and not first.flags
    [posters, banners] = first.progress
    assert (posters.done, posters.target, banners.done, banners.target) == (70, 100, 6, 10)
    files = stored_files(world.media_dir)
    assert len(files) == 2
    for path in files:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        assert path.relative_to(world.media_dir).as_posix() == f"{sha[:2]}/{sha[2:4]}/{sha}.jpg"
    with world.db.transaction() as s:
        row = s.scalars(select(EvidenceFile)).first()
        assert row is not None and row.mime == "image/jpeg" and row.width == 256
        assert not unit_task_done(s, task_id=world.task9, unit_id=world.humen)
    second = world.report(world.humen, [picture(3)], {"posters": 50, "banners": 4})
    assert [(p.done, p.reached) for p in second.progress] == [(120, True), (10, True)]
    with world.db.transaction() as s:
        assert unit_task_done(s, task_id=world.task9, unit_id=world.humen)
        assert units_done(s, world.task9) == {world.humen}
        lines = quota_progress(s, task_id=world.task9, unit_id=world.changan)
        assert [(p.key, p.done) for p in lines] == [("posters", 0), ("banners", 0)]


def test_same_file_again_is_a_repeat_not_counted(world: World) -> None:
    world.report(world.humen, [picture(1), picture(2)], {"posters": 60})
    again = world.report(world.humen, [picture(2), picture(1)], {"posters": 60})
    assert again.state == "duplicate" and again.report_id == 0  # nothing recorded
    assert len(again.repeated_reports) == 1
    assert again.progress[0].done == 60  # not 120
    assert len(stored_files(world.media_dir)) == 2
    assert world.count(Report) == 1 and world.count(EvidenceFile) == 2
    mixed = world.report(world.humen, [picture(1), picture(4)], {"posters": 5})
    assert mixed.state == "pending" and mixed.repeated_files == 1 and mixed.total_files == 1
    assert len(stored_files(world.media_dir)) == 3
    assert world.count(EvidenceFile) == 3  # the repeat is not stored again


def test_near_identical_photo_from_another_unit_is_flagged(world: World) -> None:
    original = picture(7)
    world.report(world.humen, [original], {"posters": 10})
    copy = reencoded(original)
    assert hashlib.sha256(copy).digest() != hashlib.sha256(original).digest()
    flagged = world.report(world.changan, [copy], {"posters": 10})
    assert flagged.state == "held"
    assert [(f.kind, f.unit, f.task_number) for f in flagged.flags] == [("similar", "虎门镇", 9)]
    assert flagged.progress[0].done == 0  # held: counted only once a coordinator accepts it
    other = world.report(world.changan, [picture(8)], {"posters": 1})
    assert other.state == "pending" and not other.flags


def test_redelivered_message_creates_nothing_new(world: World) -> None:
    src = world.source(world.humen)
    kwargs: dict[str, Any] = {
        "src": src,
        "task_id": world.task9,
        "counts": {"posters": 3},
        "files": [incoming(picture(1), src.message_id)],
        "media_dir": world.media_dir,
        "now": NOW,
    }
    first = world.db.call(submit, **kwargs)
    again = world.db.call(submit, **kwargs)
    assert again.report_id == first.report_id and not again.created
    assert world.count(Report) == 1 and world.count(EvidenceFile) == 1
    assert again.progress[0].done == 3


def _render(result: Any) -> str:
    return f"report {result.report_id}: {result.state} {result.reason}"


def test_review_accept_reject_and_resubmit(world: World) -> None:
    out = world.report(world.humen, [picture(1)], {"posters": 100, "banners": 10})
    with world.db.transaction() as s:
        views, total = review.pending(s, campaign_id=world.campaign_id)
        assert total == 1 and views[0].report_id == out.report_id
        assert views[0].files == [(views[0].files[0][0], "image/jpeg")]
    decided = world.db.call(
        review.decide,
        report_id=out.report_id,
        decision="reject",
        reviewer=1001,
        now=NOW + timedelta(hours=1),
        render=_render,
        reason="照片看不清",
    )
    assert decided.state == "rejected" and decided.reason == "照片看不清"
    with world.db.transaction() as s:
        notices = s.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice")).all()
        assert [n.payload["text"] for n in notices] == [
            f"report {out.report_id}: rejected 照片看不清"
        ]
        assert notices[0].chat_id == 500 + world.humen
        assert quota_progress(s, task_id=world.task9, unit_id=world.humen)[0].done == 0
        assert not unit_task_done(s, task_id=world.task9, unit_id=world.humen)
    again = world.db.call(
        review.decide,
        report_id=out.report_id,
        decision="reject",
        reviewer=1001,
        now=NOW,
        render=_render,
    )
    assert again.problem == "state"
    missing = world.db.call(
        review.decide, report_id=999, decision="accept", reviewer=1, now=NOW, render=_render
    )
    assert missing.problem == "missing"
    # the same photo can be submitted again after a rejection: it is not a repeat
    resubmitted = world.report(world.humen, [picture(1)], {"posters": 100, "banners": 10})
    assert resubmitted.state == "pending" and not resubmitted.repeated_reports
    accepted = world.db.call(
        review.decide,
        report_id=resubmitted.report_id,
        decision="accept",
        reviewer=1001,
        now=NOW + timedelta(hours=2),
        render=_render,
    )
    assert accepted.state == "accepted"
    with world.db.transaction() as s:
        assert unit_task_done(s, task_id=world.task9, unit_id=world.humen)
        assert review.pending(s, campaign_id=world.campaign_id) == ([], 0)


def test_undo_within_ten_minutes_only(world: World) -> None:
    out = world.report(world.humen, [picture(1)], {"posters": 5})
    user = 500 + world.humen
    late = world.db.call(review.undo, user_id=user, now=NOW + timedelta(minutes=11))
    assert late is None
    undone = world.db.call(review.undo, user_id=user, now=NOW + timedelta(minutes=9))
    assert undone is not None and undone.report_id == out.report_id
    assert undone.state == "withdrawn"
    with world.db.transaction() as s:
        assert quota_progress(s, task_id=world.task9, unit_id=world.humen)[0].done == 0
    again = world.db.call(review.undo, user_id=user, now=NOW + timedelta(minutes=9))
    assert again is not None and again.problem == "withdrawn"


def test_crash_after_file_write_leaves_no_row_and_no_temp_file(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("killed between the file write and the commit")

    monkeypatch.setattr(storage.evidence, "add_file", crash)
    data = picture(5)
    with pytest.raises(RuntimeError):
        world.report(world.humen, [data], {"posters": 1})
    assert world.count(Report) == 0 and world.count(EvidenceFile) == 0
    files = stored_files(world.media_dir)
    assert [f for f in files if f.suffix == ".tmp"] == []
    assert [f.read_bytes() for f in files] == [data]  # complete, under its content name
    monkeypatch.undo()
    out = world.report(world.humen, [data], {"posters": 1})  # the retry reuses the file
    assert out.total_files == 1 and len(stored_files(world.media_dir)) == 1


def test_crash_during_file_write_leaves_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(media.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        world.report(world.humen, [picture(6)], {"posters": 1})
    assert stored_files(world.media_dir) == []
    assert world.count(Report) == 0


def test_album_items_collect_into_one_report(world: World) -> None:
    group = "album-1"
    images = [picture(20 + i) for i in range(3)]
    for i, data in enumerate(images):
        src = world.source(world.humen, media_group_id=group)
        caption: dict[str, Any] = (
            {"task_id": world.task9, "counts": {"posters": 30}} if i == 1 else {}
        )
        step = world.db.call(
            albums.add_item,
            src=src,
            incoming=incoming(data, src.message_id),
            media_dir=world.media_dir,
            now=NOW,
            **caption,
        )
        assert step.state == "collecting"
        world.db.call(  # the same item re-delivered
            albums.add_item,
            src=src,
            incoming=incoming(data, src.message_id),
            media_dir=world.media_dir,
            now=NOW,
        )
    with world.db.transaction() as s:
        assert albums.unfinished(s) == [(501, group)]
    done = world.db.call(albums.finish, chat_id=501, media_group_id=group, now=NOW, render=str)
    assert done is not None and done.total_files == 3 and done.state == "pending"
    assert done.progress[0].done == 30
    again = world.db.call(albums.finish, chat_id=501, media_group_id=group, now=NOW, render=str)
    assert again is None
    with world.db.transaction() as s:
        assert albums.unfinished(s) == []
        assert len(s.scalars(select(OutboxMessage)).all()) == 1
    assert world.count(Report) == 1 and world.count(EvidenceFile) == 3


def test_uncaptioned_album_joins_a_recent_report_or_is_dropped(world: World) -> None:
    def album(group: str, seeds: list[int], now: datetime) -> Any:
        for seed in seeds:
            src = world.source(world.humen, media_group_id=group)
            world.db.call(
                albums.add_item,
                src=src,
                incoming=incoming(picture(seed), src.message_id),
                media_dir=world.media_dir,
                now=now,
            )
        return world.db.call(albums.finish, chat_id=501, media_group_id=group, now=now, render=str)

    assert album("lonely", [30, 31], NOW) is None
    src = world.source(world.humen)
    first = world.db.call(
        submit,
        src=src,
        task_id=world.task9,
        counts={"posters": 1},
        files=[],
        media_dir=world.media_dir,
        now=NOW,
    )
    joined = album("after", [32, 33], NOW + timedelta(minutes=2))
    assert joined is not None and joined.joined and joined.report_id == first.report_id
    assert joined.total_files == 2
    assert album("much-later", [34], NOW + timedelta(minutes=30)) is None


def test_task_reference_by_number_fragment_and_reply(world: World) -> None:
    def choose(s: Session, text: str, reply: ReplyHint | None = None) -> Any:
        items = campaigns.list_quota_items(s, world.campaign_id)
        args = parse_done(text, items)
        return resolve_task(
            s, campaign_id=world.campaign_id, unit_id=world.humen, args=args, reply=reply
        )

    with world.db.transaction() as s:
        assert choose(s, "9 海报1").task.number == 9
        assert choose(s, "海报").task.number == 9  # tasks 3 and 9 say 海报; only 9 is ours
        ambiguous = choose(s, "宣传片")
        assert ambiguous.problem == "ambiguous" and ambiguous.task is None
        assert [t.number for t in ambiguous.candidates] == [2, 4, 8, 10]
        unknown = choose(s, "99")
        assert unknown.problem == "unknown" and 9 in [t.number for t in unknown.candidates]
        assert choose(s, "火星").problem == "unknown"
        assert choose(s, "1").problem == "not_yours"
        assert choose(s, "海报120").problem == "missing"
        row = outbox.add(
            s,
            chat_id=501,
            payload={"method": "sendMessage", "text": "提醒", "task_number": 9},
            now=NOW,
        )
        row.sent_message_id = 77
        s.flush()
        hint = ReplyHint(chat_id=501, message_id=77, text="提醒", from_bot=True)
        assert choose(s, "海报120", hint).task.number == 9
        by_text = ReplyHint(chat_id=501, message_id=78, text="任务 9 明天截止", from_bot=True)
        assert choose(s, "", by_text).task.number == 9
