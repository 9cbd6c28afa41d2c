"""/status and /export as users see them, through the fake Bot API: a 虎门镇 liaison reports two
photos; the coordinator gets the overview with a chart, the unit with its liaison (contacts only
in private), a task across units; the group sees nothing personal; /export sends the dossier."""

from __future__ import annotations

import io
import random
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from PIL import Image

from bot.clock import FixedClock
from bot.localapi import FakeUser
from storage import campaigns
from storage.models.core import User
from storage.models.registration import Liaison
from tests.harness import Harness, bot_session

PHONE, EMAIL = "13900000007", "humen-liaison@example.org"


def picture(seed: int) -> bytes:
    rng = random.Random(seed)
    small = Image.new("L", (8, 8))
    small.putdata([rng.choice((0, 255)) for _ in range(64)])
    out = io.BytesIO()
    small.resize((320, 320), Image.Resampling.NEAREST).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def register(h: Harness, name: str, unit: str) -> FakeUser:
    """A liaison as the registration capability leaves one: a user with the role, a row."""
    user = h.api.add_user(name)
    now = datetime.now(UTC)
    with h.deps.db.transaction() as s:
        assert h.deps.campaign_id is not None
        found = campaigns.find_unit(s, h.deps.campaign_id, unit)
        assert found is not None
        s.add(User(id=user.id, display_name=name, role="liaison", created_at=now, updated_at=now))
        s.add(
            Liaison(campaign_id=h.deps.campaign_id, unit_id=found.id, user_id=user.id,
                    is_primary=True, name="赵晓燕", department="宣传办", title="干事",
                    gender="女", phone="0769-5550000", mobile=PHONE, email=EMAIL,
                    created_at=now, updated_at=now)
        )  # fmt: skip
    return user


async def test_status_views_and_export(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        liaison = register(h, "小赵", "虎门镇")
        chat = h.api.private_chat(liaison)
        for i in range(2):
            h.api.send_photo(chat, liaison, picture(i), caption=f"/done 9 海报{10 + i}")
            await h.settle()

        sent = await h.say(h.admin, "/status")
        photos = [r for r in sent if r.method == "sendPhoto"]
        assert len(photos) == 1 and photos[0].photo and photos[0].photo[:4] == b"\x89PNG"
        overview = "\n".join(r.body for r in sent if r.method == "sendMessage")
        assert "单位" in overview and "15" in overview

        unit = await h.reply_text(h.admin, "/status 虎门镇")
        assert "赵晓燕" in unit and PHONE in unit and EMAIL in unit
        assert "报告 2 份" in unit and "海报 21/100张" in unit

        assert "您是不是要找：虎门镇" in await h.reply_text(h.admin, "/status 虎們镇")
        task = await h.reply_text(h.admin, "/status 9")
        assert "【任务 9】" in task and "虎门镇" in task and "海报 21/100张" in task

        group = h.api.add_group("协调群", members=[h.admin.id, liaison.id], with_bot=True)
        in_group = await h.reply_text(h.admin, "/status 虎门镇", chat=group)
        assert "虎门镇" in in_group and "已登记 1 人" in in_group
        assert PHONE not in in_group and EMAIL not in in_group and "赵晓燕" not in in_group

        own = await h.reply_text(liaison, "/status 虎门")
        assert "赵晓燕" in own and PHONE not in own
        assert "本单位" in await h.reply_text(liaison, "/status 长安镇")

        mars = await h.say(h.admin, "/export 火星镇")
        assert [r.body for r in mars] == [
            "没有单位「火星镇」。/export 不带参数，导出整个活动的资料汇编和佐证文件。"
        ]  # one line, and nothing exported
        one = await h.say(h.admin, "/export 虎门镇")
        assert len(one) == 1 and "暂不能只导出「虎门镇」" in one[0].body
        sent = await h.say(h.admin, "/export")
        docs = {r.filename: r.document for r in sent if r.method == "sendDocument"}
        xlsx = next(d for n, d in docs.items() if n and n.endswith(".xlsx"))
        archive = next(d for n, d in docs.items() if n and n.endswith(".zip"))
        assert xlsx and archive
        book = load_workbook(io.BytesIO(xlsx), read_only=True)
        roster = [r for r in book["联络员名单"].iter_rows(values_only=True)]
        assert any(r[0] == "赵晓燕" and r[7] == "虎门镇" for r in roster)
        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            photos_in_zip = [n for n in z.namelist() if n.startswith("虎门镇/09-")]
        assert len(photos_in_zip) == 2


async def test_residents_may_be_refused(tmp_path: Path) -> None:
    async with bot_session(tmp_path, residents_see_status=False) as h:
        resident = h.api.add_user("居民")
        assert "仅向工作人员" in await h.reply_text(resident, "/status")
        assert "仅向工作人员" in await h.reply_text(resident, "/status 虎门镇")
        assert "/export" in await h.reply_text(resident, "/export")  # refused, says which


async def test_daily_digest_reaches_coordinators_once(tmp_path: Path) -> None:
    """Friday 8 Nov 2013, 17:29 in Dongguan: not yet; at 17:31 the digest goes out, once."""
    clock = FixedClock(datetime(2013, 11, 8, 9, 29, tzinfo=UTC))
    async with bot_session(tmp_path, clock=clock, digest_time="17:30") as h:
        assert "/tasks" in await h.reply_text(h.admin, "/help")  # a bot may not write first
        digest = h.deps.services["digest"]
        await h.api.wait_for(lambda: digest.checks >= 1)  # its own check at start: not yet
        assert await digest.tick() == 0
        clock.advance(timedelta(minutes=2))
        h.api.mark()
        parts = await digest.tick()
        assert parts >= 1
        sent = await h.api.wait_sent(h.admin.id, count=parts)
        assert "每日汇总" in sent[0].body and "2013年11月8日" in sent[0].body
        assert await digest.tick() == 0  # the outbox row is the ledger: never twice a day


async def test_digest_off_starts_no_digest(tmp_path: Path) -> None:
    clock = FixedClock(datetime(2013, 11, 8, 10, 0, tzinfo=UTC))
    async with bot_session(tmp_path, clock=clock, digest_time="off") as h:
        assert "digest" not in h.deps.services
        assert "/tasks" in await h.reply_text(h.admin, "/help")
