"""The issue's own scenario: a burst of photos with /done, residents' questions and a
/broadcast; the bot is SIGKILLed half a second after the broadcast arrives; after a restart
every update took effect once: one report and one file per photo, the broadcast in every group.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.localapi import FakeBotApi
from storage.models.core import Campaign, Chat
from storage.models.evidence import EvidenceFile, Report
from storage.models.intake import InboxUpdate
from tests.e2e.test_broadcast import marked_sent
from tests.factories import add_liaison, photo
from tests.proc import BotProcess

pytestmark = pytest.mark.slow
TOWNS = ["虎门镇", "长安镇", "厚街镇", "常平镇", "塘厦镇", "大朗镇", "石碣镇", "茶山镇"]
GROUPS = 12
RESIDENTS = 25
NOTICE = "请各镇街于本周五前提交宣传资料汇编"


async def test_burst_with_broadcast_killed_then_restarted(tmp_path: Path) -> None:
    async with FakeBotApi() as api:
        admin = api.add_user("协调员", id=1001)
        bot = BotProcess(api, tmp_path)
        engine = create_engine(bot.db_url)
        try:
            await bot.start()
            groups = [api.add_group(f"镇街群{i}", members=[admin.id]) for i in range(GROUPS)]
            for group in groups:
                api.add_bot_to_group(group, admin)
            liaisons = [api.add_user(f"联络员{i}") for i in range(len(TOWNS))]
            with Session(engine) as s, s.begin():
                campaign_id = s.scalars(select(Campaign.id)).one()
                for user, town in zip(liaisons, TOWNS, strict=True):
                    add_liaison(s, campaign_id=campaign_id, unit_name=town, user_id=user.id)

            def groups_known() -> bool:
                with Session(engine) as s:
                    n = s.scalar(select(func.count()).select_from(Chat).where(Chat.active))
                return (n or 0) >= GROUPS

            await api.wait_for(groups_known, timeout=30)
            residents = [api.add_user(f"居民{i}") for i in range(RESIDENTS)]

            for i, user in enumerate(liaisons):
                api.send_photo(api.private_chat(user), user, photo(i), caption="/done 9 海报10")
            for i, user in enumerate(residents[: RESIDENTS // 2]):
                api.send_text(api.private_chat(user), user, f"第{i}个问题：佐证材料怎么提交？")
            api.send_text(api.private_chat(admin), admin, f"/broadcast all {NOTICE}")
            for user in residents[RESIDENTS // 2 :]:
                api.send_text(api.private_chat(user), user, "/tasks")
            await asyncio.sleep(0.5)
            bot.kill()
            await bot.wait_exit()
            await asyncio.sleep(0.3)  # requests already on the wire reach the fake server
            # In flight at the kill: sent to the group but not yet marked sent in the outbox.
            reached = {g.id for g in groups if any(NOTICE in r.body for r in api.sent_to(g.id))}
            in_flight = reached - marked_sent(bot.db_url)
            await bot.start()

            def broadcast_everywhere() -> bool:
                return all(
                    any(NOTICE in r.body for r in api.sent_to(g.id)) for g in groups
                ) and all(api.sent_to(u.id) for u in liaisons + residents)

            await api.wait_for(broadcast_everywhere, timeout=90)
            await api.wait_for(
                lambda: any(
                    "送达" in r.body or "delivered" in r.body.lower() for r in api.sent_to(admin.id)
                ),
                timeout=60,
            )
        finally:
            await bot.stop()

        per_group = Counter(g.id for g in groups for r in api.sent_to(g.id) if NOTICE in r.body)
        repeated = {chat for chat, n in per_group.items() if n > 1}
        assert len(per_group) == GROUPS and max(per_group.values()) <= 2
        assert repeated <= in_flight, "only sends in flight at the kill may be repeated"
        for user in liaisons + residents:
            assert 1 <= len(api.sent_to(user.id)) <= 2  # a second only if in flight at the kill

        with Session(engine) as s:
            reports = s.scalars(select(Report)).all()
            files = s.scalars(select(EvidenceFile)).all()
            states = Counter(s.scalars(select(InboxUpdate.state)))
        engine.dispose()
        assert len(reports) == len(TOWNS)
        assert len({(r.chat_id, r.message_id) for r in reports}) == len(TOWNS)
        assert len(files) == len(TOWNS) and len({f.sha256 for f in files}) == len(TOWNS)
        for f in files:
            assert (tmp_path / "media").joinpath(f.path).exists() or Path(f.path).exists()
        assert states["pending"] == 0 and states["failed"] == 0
        assert "Traceback" not in bot.logs()
