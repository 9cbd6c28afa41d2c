"""/done evidence as liaisons and coordinators see it, through the fake Bot API, real images."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from bot.localapi import FakeUser
from storage import campaigns
from storage.models.core import User
from storage.models.evidence import EvidenceFile, Report
from storage.models.registration import Liaison
from tests.harness import Harness, bot_session


def picture(seed: int, side: int = 320) -> bytes:
    """A JPEG of random blocks and a circle: distinct seeds have distinct perceptual hashes."""
    rng = random.Random(seed)
    small = Image.new("L", (8, 8))
    small.putdata([rng.choice((0, 255)) for _ in range(64)])
    image = small.resize((side, side), Image.Resampling.NEAREST).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def reencoded(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        smaller = image.resize((240, 240))
    out = io.BytesIO()
    smaller.save(out, "JPEG", quality=55)
    return out.getvalue()


class Liaisons:
    """Liaisons for tests: the rows the registration dialog writes (tests/e2e/test_registration
    plays the dialog itself)."""

    def make(self, h: Harness, name: str, unit: str) -> FakeUser:
        user = h.api.add_user(name)
        now = datetime.now(UTC)
        with h.deps.db.transaction() as s:
            assert h.deps.campaign_id is not None
            found = campaigns.find_unit(s, h.deps.campaign_id, unit)
            assert found is not None
            s.add(
                User(id=user.id, display_name=name, role="liaison", created_at=now, updated_at=now)
            )
            s.add(
                Liaison(
                    campaign_id=h.deps.campaign_id,
                    unit_id=found.id,
                    user_id=user.id,
                    is_primary=True,
                    name=name,
                    created_at=now,
                    updated_at=now,
                )
            )
        return user


def files_on_disk(h: Harness) -> list[bytes]:
    root = h.settings.media_dir
    return sorted(p.read_bytes() for p in root.rglob("*") if p.is_file()) if root.exists() else []


def reports(h: Harness) -> list[Report]:
    with h.deps.db.transaction() as s:
        return list(s.scalars(select(Report).order_by(Report.id)))


async def send_and_settle(h: Harness, chat: Any, action: Any) -> list[Any]:
    start = h.api.mark()
    action()
    await h.settle()
    return h.api.messages_since(start, chat)


async def test_photo_album_repeat_and_near_copy(
    tmp_path: Path,
) -> None:
    liaisons = Liaisons()
    async with bot_session(tmp_path) as h:
        humen = liaisons.make(h, "小虎", "虎门镇")
        changan = liaisons.make(h, "小长", "长安镇")
        chat = h.api.private_chat(humen)

        single = picture(1)
        sent = await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, single, caption="/done 9 海报20 标语6")
        )
        assert len(sent) == 1
        assert "海报 20/100 还差80" in sent[0].body and "标语 6/10 还差4" in sent[0].body
        assert files_on_disk(h) == [single]

        album = [picture(10 + i) for i in range(5)]
        caption = "/done 9 海报100 标语两条"
        sent = await send_and_settle(
            h, chat, lambda: h.api.send_album(chat, humen, album, caption=caption, caption_index=2)
        )
        assert len(sent) == 1, [r.body for r in sent]  # one acknowledgement for the album
        assert "海报 120/100 ✓" in sent[0].body and "标语 8/10 还差2" in sent[0].body
        assert files_on_disk(h) == sorted([single, *album])
        rows = reports(h)
        assert [len(r.files) for r in rows] == [1, 5] and rows[1].state == "pending"

        sent = await send_and_settle(
            h, chat, lambda: h.api.send_album(chat, humen, album, caption=caption, caption_index=2)
        )
        assert len(sent) == 1 and "已经提交过" in sent[0].body
        assert "海报" not in sent[0].body or "120/100" in sent[0].body  # nothing counted twice
        assert files_on_disk(h) == sorted([single, *album])
        assert reports(h)[-1].state == "duplicate"

        other = h.api.private_chat(changan)
        copy = reencoded(album[0])
        sent = await send_and_settle(
            h, other, lambda: h.api.send_photo(other, changan, copy, caption="/done 9 海报5")
        )
        assert len(sent) == 1 and "虎门镇" in sent[0].body and "几乎相同" in sent[0].body
        assert "暂不计入" in sent[0].body and "海报 0/100" in sent[0].body
        last = reports(h)[-1]
        assert last.flagged and last.state == "held" and last.unit_id != rows[0].unit_id

        # photos sent soon after a /done join it
        extra = picture(40)
        sent = await send_and_settle(h, other, lambda: h.api.send_photo(other, changan, extra))
        assert len(sent) == 1 and "加入" in sent[0].body
        assert len(reports(h)[-1].files) == 2


async def test_refusals(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with bot_session(tmp_path) as h:
        humen = liaisons.make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)

        def doc(data: bytes, name: str) -> Any:
            return lambda: h.api.send_document(chat, humen, data, name, caption="/done 9 海报1")

        sent = await send_and_settle(h, chat, doc(b"just some text, honestly", "photo.jpg"))
        assert len(sent) == 1 and "只接受" in sent[0].body
        huge = b"%PDF-1.4\n" + bytes(25 * 1024 * 1024)
        sent = await send_and_settle(h, chat, doc(huge, "report.pdf"))
        assert len(sent) == 1 and "20MB" in sent[0].body
        pdf = b"%PDF-1.4\n%small but real enough\n%%EOF\n"
        sent = await send_and_settle(h, chat, doc(pdf, "scan.pdf"))
        assert len(sent) == 1 and "报告 #1" in sent[0].body
        assert files_on_disk(h) == [pdf]

        assert "不认识" in await h.reply_text(humen, "/done 9 气球3")
        assert "多项任务" in await h.reply_text(humen, "/done 宣传片")
        assert "任务1不是" in await h.reply_text(humen, "/done 1")
        refused = await h.reply_text(h.admin, "/done 9 海报1")
        assert "联络员" in refused and "协调员" in refused
        resident = h.api.add_user("群众")
        assert "联络员" in await h.reply_text(resident, "/done 9")

        undone = await h.reply_text(humen, "/undo")
        assert "已撤回报告 #1" in undone
        assert reports(h)[0].state == "withdrawn"
        assert "已经撤回" in await h.reply_text(humen, "/undo")


async def test_review_accept_and_reject(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with bot_session(tmp_path) as h:
        humen = liaisons.make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        for seed, counts in ((1, "海报60"), (2, "海报50 标语10")):
            data = picture(seed)
            await send_and_settle(
                h, chat, lambda d=data, c=counts: h.api.send_photo(chat, humen, d, f"/done 9 {c}")
            )
        assert "没有待审核" not in await h.reply_text(h.admin, "/review")
        admin_chat = h.api.private_chat(h.admin)
        shown = await h.say(h.admin, "/review")
        photos = [r for r in shown if r.method == "sendPhoto"]
        assert len(photos) == 2 and all(r.file_id or r.photo for r in photos)
        items = [r for r in shown if r.buttons]
        assert len(items) == 2 and "#1" in items[0].body  # oldest first

        start = h.api.mark()
        h.api.press_button(admin_chat, h.admin, items[0], "ev:acc:1")
        await h.settle()
        assert any("已通过" in r.body for r in h.api.messages_since(start, admin_chat))
        told = h.api.messages_since(start, chat)
        assert len(told) == 1 and "#1" in told[0].body and "审核通过" in told[0].body

        start = h.api.mark()
        answer = await h.reply_text(h.admin, "/reject 2 标语照片不清楚")
        assert "已退回" in answer
        await h.settle()
        told = h.api.messages_since(start, chat)
        assert len(told) == 1 and "被退回" in told[0].body and "标语照片不清楚" in told[0].body
        states = [r.state for r in reports(h)]
        assert states == ["accepted", "rejected"]
        assert "用法" in await h.reply_text(h.admin, "/reject 2")
        assert "找不到" in await h.reply_text(h.admin, "/accept 99")
        assert "没有待审核" in await h.reply_text(h.admin, "/review")
        assert "协调员" in await h.reply_text(humen, "/review")
        with h.deps.db.transaction() as s:
            assert len(s.scalars(select(EvidenceFile)).all()) == 2


async def test_album_in_the_units_group(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with bot_session(tmp_path) as h:
        humen = liaisons.make(h, "小虎", "虎门镇")
        group = h.api.add_group("虎门镇宣传群", members=[h.admin.id, humen.id], with_bot=True)
        assert "已将本群绑定" in await h.reply_text(h.admin, "/bind 虎门镇", chat=group)
        album = [picture(50 + i) for i in range(3)]
        sent = await send_and_settle(
            h,
            group,
            lambda: h.api.send_album(group, humen, album, caption="/done 9 海报120 标语12"),
        )
        assert len(sent) == 1 and sent[0].reply_to is not None
        assert "海报 120/100 ✓" in sent[0].body and "标语 12/10 ✓" in sent[0].body
        assert files_on_disk(h) == sorted(album)
        # chatter without /done in the group is ignored, and not stored
        sent = await send_and_settle(h, group, lambda: h.api.send_photo(group, h.admin, picture(9)))
        assert sent == [] and len(files_on_disk(h)) == 3
