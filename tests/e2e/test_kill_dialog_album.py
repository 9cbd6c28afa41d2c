"""SIGKILL a real `coordbot run` in the middle of an album /done and of the registration dialog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.localapi import FakeBotApi, FakeUser
from storage.models.core import Campaign
from storage.models.evidence import EvidenceFile, Report
from storage.models.registration import Liaison
from tests.factories import add_liaison, photo
from tests.proc import BotProcess

pytestmark = pytest.mark.slow


async def answer(api: FakeBotApi, user: FakeUser, text: str, expect: str) -> str:
    """The user types ``text``; wait for the bot's next message; it must contain ``expect``."""
    api.send_text(api.private_chat(user), user, text)
    [reply] = await api.wait_sent(user.id, timeout=30)
    assert expect in reply.body, reply.body
    return reply.body


async def test_album_killed_midway_is_one_report_with_every_photo(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        api.add_user("协调员", id=1001)
        liaison = api.add_user("虎门联络员")
        bot = BotProcess(api, tmp_path)
        engine = create_engine(bot.db_url)
        try:
            await bot.start()
            with Session(engine) as s, s.begin():
                campaign_id = s.scalars(select(Campaign.id)).one()
                add_liaison(s, campaign_id=campaign_id, unit_name="虎门镇", user_id=liaison.id)
            images = [photo(100 + i) for i in range(5)]
            chat = api.private_chat(liaison)
            api.send_album(chat, liaison, images, caption="/done 9 海报30 标语3", caption_index=2)

            def stored() -> int:
                with Session(engine) as s:
                    return len(s.scalars(select(EvidenceFile)).all())

            await api.wait_for(lambda: stored() >= 2, timeout=30)
            bot.kill()  # some photos stored, the album not yet acknowledged
            await bot.wait_exit()
            await bot.start()
            await api.wait_for(lambda: api.sent_to(liaison.id), timeout=60)
            await bot.stop()
        finally:
            await bot.stop()
        with Session(engine) as s:
            reports = [r for r in s.scalars(select(Report)) if r.state != "discarded"]
            files = s.scalars(select(EvidenceFile)).all()
        engine.dispose()
        assert len(reports) == 1 and reports[0].counts == {"posters": 30, "banners": 3}
        assert len(files) == 5 and {f.report_id for f in files} == {reports[0].id}
        for f, data in zip(sorted(files, key=lambda f: f.id), images, strict=True):
            assert (tmp_path / "media" / f.path).read_bytes() == data
        acks = api.sent_to(liaison.id)
        assert len(acks) == 1 and "5" in acks[0].body


async def test_registration_dialog_resumes_after_kill(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        admin = api.add_user("协调员", id=1001)
        wang = api.add_user("王", username="wang")
        bot = BotProcess(api, tmp_path)
        try:
            await bot.start()
            link = await answer(api, admin, "/invite 虎门镇", "start=")
            found = re.search(r"\?start=([A-Za-z0-9_-]+)", link)
            assert found is not None
            api.start_bot(wang, found[1])
            [first] = await api.wait_sent(wang.id, timeout=30)
            assert "姓名" in first.body
            await answer(api, wang, "王小明", "所属部门")
            await answer(api, wang, "虎门镇宣传办", "职务")
            bot.kill()
            await bot.wait_exit()
            await bot.start()
            gender = await answer(api, wang, "科员", "性别")
            assert gender
            [asked] = api.sent_to(wang.id)[-1:]
            api.press_button(api.private_chat(wang), wang, asked, "reg:g:f")
            [phone] = await api.wait_sent(wang.id, timeout=30)
            assert "联系电话" in phone.body
            await answer(api, wang, "0769-22830000", "移动电话")
            await answer(api, wang, "13800138000", "电子邮箱")
            summary = await answer(api, wang, "wxm@example.com", "王小明")
            assert "虎门镇宣传办" in summary and "科员" in summary  # answers from before the kill
            confirm = api.sent_to(wang.id)[-1]
            api.press_button(api.private_chat(wang), wang, confirm, "reg:ok")
            await api.wait_sent(wang.id, timeout=30)
        finally:
            await bot.stop()
        engine = create_engine(bot.db_url)
        with Session(engine) as s:
            [liaison] = s.scalars(select(Liaison)).all()
        engine.dispose()
        assert (liaison.name, liaison.department, liaison.mobile) == (
            "王小明",
            "虎门镇宣传办",
            "13800138000",
        )
