"""Residents' questions as people ask them: private chat, a residents' group, the staff queue,
complaints, and FAQ edits that take effect without a restart (2018 household-survey campaign)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models.questions import FaqEntryRow, Question
from tests.harness import HOUSEHOLD, Harness, bot_session

FEE_QUESTION = "上门采集信息要收费吗？"


def answer_of(h: Harness, entry_id: str) -> str:
    return h.deps.services["faq"].entries[entry_id].answer  # type: ignore[no-any-return]


def queued(h: Harness) -> list[Question]:
    with h.deps.db.transaction() as s:
        return list(s.scalars(select(Question).order_by(Question.id)))


async def test_private_answer_unknown_question_queued_and_staff_answer(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        resident = h.api.add_user("小王")
        reply = await h.reply_text(resident, FEE_QUESTION)
        assert reply == answer_of(h, "is-it-free")

        unknown = "我家楼下的路灯坏了好几天了，我的电话13812345678"
        sent = await h.say(resident, unknown)
        assert [r.body for r in sent] == ["没有找到答案，已转给工作人员，回复后会通知您。"]
        rows = queued(h)
        assert len(rows) == 1 and rows[0].state == "open" and rows[0].text == unknown
        assert "13812345678" not in rows[0].masked_text and "***********" in rows[0].masked_text

        view = await h.reply_text(h.admin, "/questions")
        assert f"#{rows[0].id}" in view and "路灯" in view
        assert "13812345678" not in view
        refused = await h.reply_text(resident, "/questions")
        assert "仅限" in refused  # residents cannot see the queue

        assert "用法" in await h.reply_text(h.admin, "/answer 路灯")
        done = await h.say(h.admin, f"/answer {rows[0].id} 已通知物业今天修好路灯")
        assert f"#{rows[0].id}" in done[0].body
        buttons = done[0].reply_markup["inline_keyboard"]  # type: ignore[index]
        assert buttons[0][0]["callback_data"] == f"faq:mk:{rows[0].id}"
        told = [r.body for r in h.api.sent_to(resident.id)]
        assert any("已通知物业今天修好路灯" in t and "路灯坏了" in t for t in told)
        assert "13812345678" not in told[-1]
        assert queued(h)[0].state == "answered"
        assert "已经答复过" in await h.reply_text(h.admin, f"/answer {rows[0].id} 再答一次")
        assert "目前没有待回复" in await h.reply_text(h.admin, "/questions")

        # the staff answer becomes a FAQ entry with one button; the next resident gets it at once
        h.api.press_button(h.api.private_chat(h.admin), h.admin, done[0], f"faq:mk:{rows[0].id}")
        await h.settle()
        assert "已发布" in h.api.sent_to(h.admin.id)[-1].body
        other = h.api.add_user("小赵")
        assert "修好路灯" in await h.reply_text(other, "楼下路灯坏了好几天了")


async def test_staff_answers_by_replying_to_the_forwarded_complaint(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        await h.say(h.admin, "/help")  # the coordinator has opened the private chat
        resident = h.api.add_user("老李")
        h.api.start_bot(resident)
        group = h.api.add_group("东城社区居民群", members=[resident.id], with_bot=True)
        await h.settle()
        start = h.api.mark()
        sent = await h.say(resident, "我要举报，有人冒充采集员上门要钱，电话 138 1234 5678", group)
        assert len(sent) == 1 and "紧急" in sent[0].body  # acknowledged in the group
        urgent = [r for r in h.api.messages_since(start, h.admin.id) if "【紧急】" in r.body]
        assert len(urgent) == 1  # pushed to the coordinator at once
        assert "138 1234 5678" not in urgent[0].body and "*" in urgent[0].body
        row = queued(h)[0]
        assert row.urgent and row.kind == "complaint" and row.state == "open"

        h.api.send_text(h.api.private_chat(h.admin), h.admin, "已转派出所核查，请勿付款", urgent[0])
        await h.settle()
        told = h.api.sent_to(resident.id)  # started the bot: answered privately
        assert any("请勿付款" in r.body for r in told)
        assert queued(h)[0].state == "answered"


async def test_group_etiquette(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        a, b = h.api.add_user("居民甲"), h.api.add_user("居民乙")
        group = h.api.add_group("西城社区居民群", members=[a.id, b.id], with_bot=True)
        await h.settle()
        assert await h.say(a, "大家好", group) == []
        start = h.api.mark()
        h.api.send_sticker(group, a)
        await h.settle()
        assert h.api.messages_since(start, group) == []
        assert await h.say(b, "今天中午吃什么好呢", group) == []

        first = await h.say(a, FEE_QUESTION, group)
        assert [r.body for r in first] == [answer_of(h, "is-it-free")]
        again = await h.say(b, "上门采集要不要收费啊", group)  # same entry within 10 minutes
        assert len(again) == 1 and "见上方回答" in again[0].body
        assert again[0].reply_to == first[0].message_id

        bot = h.api.world.bot.username
        mentioned = await h.say(b, f"@{bot} 我家的狗走丢了怎么办", group)
        assert [r.body for r in mentioned] == ["没有找到答案，已转给工作人员，回复后会通知您。"]
        assert queued(h)[-1].text == "我家的狗走丢了怎么办"  # without the mention
        asked = await h.say(a, f"@{bot} 房东出租房子要做什么", group)
        assert [r.body for r in asked] == [answer_of(h, "landlord-duties")]


async def test_faq_add_takes_effect_without_restart(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        resident = h.api.add_user("小陈")
        question = "社区服务中心周末开门吗"
        before = await h.reply_text(resident, question)
        assert "周六上午" not in before
        live = h.deps.services["faq"]
        version = live.version

        staff = h.api.add_user("工作人员")
        await h.say(staff, "/start")
        with h.deps.db.transaction() as s:
            from storage.models.core import User

            s.get(User, staff.id).role = "staff"  # type: ignore[union-attr]
        proposed = await h.reply_text(staff, f"/faq add {question} | 周六上午开门，周日休息")
        assert "审核" in proposed and live.version == version  # nothing published without review
        assert "周六上午" not in await h.reply_text(resident, "社区服务中心周末开不开门")
        with h.deps.db.transaction() as s:
            row = s.scalars(select(FaqEntryRow)).one()
            assert row.state == "proposed"
        assert "只有协调员" in await h.reply_text(staff, f"/faq approve {row.entry_id}")
        published = await h.reply_text(h.admin, f"/faq approve {row.entry_id}")
        assert "已发布" in published and live.version == version + 1
        assert "周六上午" in await h.reply_text(resident, "社区服务中心周末开不开门")

        added = await h.reply_text(h.admin, "/faq add 垃圾分类在哪里投放 | 投放到小区东门的分类亭")
        assert "已发布" in added
        assert "东门" in await h.reply_text(resident, "垃圾分类在哪投放")
        edited = await h.reply_text(h.admin, "/faq edit is-it-free | 全程免费，不收任何费用。")
        assert "已发布" in edited
        assert await h.reply_text(resident, FEE_QUESTION) == "全程免费，不收任何费用。"
        assert "已撤下" in await h.reply_text(h.admin, "/faq remove is-it-free")
        assert "全程免费" not in await h.reply_text(resident, FEE_QUESTION)
        assert "用法" in await h.reply_text(h.admin, "/faq add 只有问题没有答案")
        assert "没有编号" in await h.reply_text(h.admin, "/faq edit no-such-id | x")
