"""The suggestion buttons a vague question gets, and what a staff reply answers.

Only the asker settles their own question; "none of these" always queues it for staff, also after
trying a suggestion; every button has a typed equivalent (its number, 0 for none). A staff reply
answers a question only when it replies to the bot's notice of that question, never to another
bot message that shows "#N" (the queue list, a review item, a reminder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.localapi import FakeUser, SentRecord
from storage.models.questions import Question
from tests.harness import HOUSEHOLD, Harness, bot_session

# Vague questions; in lexical mode (deterministic) the first that gets buttons is used.
VAGUE = ["怎么办", "采集", "上门的人", "采集员", "信息采集是做什么的"]


def question(h: Harness, question_id: int) -> Question:
    with h.deps.db.transaction() as s:
        row = s.get(Question, question_id)
        assert row is not None
        s.expunge(row)
        return row


def buttons(record: SentRecord) -> list[dict[str, Any]]:
    markup = record.reply_markup or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


async def suggested(h: Harness, resident: FakeUser) -> tuple[SentRecord, int]:
    """Ask vague questions until one is answered with suggestions; the message and question id."""
    for text in VAGUE:
        for record in await h.say(resident, text):
            datas = [b["callback_data"] for b in buttons(record)]
            if any(d.startswith("faq:q:") for d in datas):
                return record, int(datas[-1].split(":")[2])
    raise AssertionError("no vague question got suggestions")


def press(h: Harness, who: FakeUser, owner: FakeUser, record: SentRecord, data: str) -> None:
    """Press a button of the suggestion message in ``owner``'s chat (as ``who``, who may be
    someone else replaying its callback data)."""
    h.api.press_button(h.api.private_chat(owner), who, record, data)


async def test_none_of_these_after_a_suggestion_queues_the_question(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD, faq_model="off") as h:
        asker, other = h.api.add_user("小王"), h.api.add_user("小李")
        await h.say(other, "/start")
        record, qid = await suggested(h, asker)
        datas = [b["callback_data"] for b in buttons(record)]
        assert buttons(record)[0]["text"].startswith("1. ") and "0" in record.body

        # someone else replaying the asker's buttons is refused in one line, and changes nothing
        for data in (datas[0], datas[-1]):
            start = h.api.mark()
            press(h, other, asker, record, data)
            await h.settle()
            told = h.api.messages_since(start, other.id) + h.api.messages_since(start, asker.id)
            assert [r.body for r in told] == ["这是其他人的问题，只有提问人本人可以选择。"]
        assert question(h, qid).state == "suggested"

        start = h.api.mark()
        press(h, asker, asker, record, datas[0])  # a suggestion first …
        await h.settle()
        entry_id = datas[0].split(":")[3]
        answer = h.deps.services["faq"].entries[entry_id].answer
        assert [r.body for r in h.api.messages_since(start, asker.id)] == [answer]
        assert question(h, qid).state == "closed"

        start = h.api.mark()
        press(h, asker, asker, record, datas[-1])  # … then "none of these": queued for staff
        await h.settle()
        bodies = [r.body for r in h.api.messages_since(start, asker.id)]
        assert bodies == ["没有找到答案，已转给工作人员，回复后会通知您。"]
        assert question(h, qid).state == "open"
        assert f"#{qid}" in await h.reply_text(h.admin, "/questions")


async def test_typed_numbers_work_like_the_buttons(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD, faq_model="off") as h:
        asker = h.api.add_user("小陈")
        record, qid = await suggested(h, asker)
        first = buttons(record)[0]["callback_data"].split(":")[3]
        answer = h.deps.services["faq"].entries[first].answer
        assert await h.reply_text(asker, "1") == answer
        assert question(h, qid).state == "closed"
        assert "已转给工作人员" in await h.reply_text(asker, "0")
        assert question(h, qid).state == "open"


async def test_a_reply_to_another_bot_message_with_a_number_answers_nothing(
    tmp_path: Path,
) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD, faq_model="off") as h:
        resident = h.api.add_user("老张")
        h.api.start_bot(resident)
        await h.say(resident, "我家楼下的路灯坏了好几天了")
        with h.deps.db.transaction() as s:
            qid = s.scalars(select(Question.id)).one()
        listing = await h.say(h.admin, "/questions")
        assert f"#{qid}" in listing[0].body
        start = h.api.mark()
        chat = h.api.private_chat(h.admin)
        h.api.send_text(chat, h.admin, "这张照片太暗，请重拍", listing[0])
        await h.settle()
        told = [r.body for r in h.api.messages_since(start, h.admin.id)]
        assert len(told) == 1 and "没有发给任何人" in told[0]
        assert question(h, qid).state == "open" and question(h, qid).answer is None
        assert not [r for r in h.api.messages_since(start, resident.id) if "太暗" in r.body]
