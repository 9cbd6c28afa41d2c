"""The 2018 FAQ tried as a resident would, in private chat: the basic questions in Mandarin and
Cantonese get the entry on the asked topic, social lines a short fitting reply and never the
staff queue, and a question the FAQ cannot answer (a named community's opening hours) is queued
with the resident's own words."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models.questions import Question
from tests.harness import HOUSEHOLD, Harness, bot_session

ROOT = Path(__file__).resolve().parents[2]
SOCIAL = ROOT / "tests" / "data" / "faq_social_lines.tsv"


def answer_of(h: Harness, entry_id: str) -> str:
    return h.deps.services["faq"].entries[entry_id].answer  # type: ignore[no-any-return]


def queued(h: Harness) -> list[Question]:
    with h.deps.db.transaction() as s:
        return list(s.scalars(select(Question).order_by(Question.id)))


async def test_basic_questions_get_the_entry_on_the_asked_topic(tmp_path: Path) -> None:
    asked = {
        "为什么要登记我家的信息": "why-door-to-door",
        "采集哪些信息": "what-is-collected",
        "几时开始上门采集": "campaign-period",
        "屋企冇人喺度点算": "nobody-home",
    }
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        resident = h.api.add_user("小陈")
        for question, entry_id in asked.items():
            assert await h.reply_text(resident, question) == answer_of(h, entry_id), question
        assert queued(h) == []


async def test_a_named_place_and_its_hours_go_to_staff_in_the_residents_words(
    tmp_path: Path,
) -> None:
    question = "XYZ小区的采集点在哪里开门到几点"
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        resident = h.api.add_user("小李")
        sent = await h.say(resident, question)
        assert [r.body for r in sent] == ["没有找到答案，已转给工作人员，回复后会通知您。"]
        [row] = queued(h)
        assert row.state == "open" and row.text == question


async def test_social_lines_get_a_fitting_reply_and_never_the_queue(tmp_path: Path) -> None:
    lines = [row.split("\t") for row in SOCIAL.read_text("utf-8").splitlines()[1:]]
    assert len(lines) >= 30
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        resident = h.api.add_user("小周")
        replies = {}
        for text, _kind in lines:
            replies[text] = await h.reply_text(resident, text)
            assert replies[text], text
        assert queued(h) == []
        assert replies["谢谢"] == replies["多谢晒"] == replies["唔该晒"]
        assert replies["谢谢"].startswith("不客气")
        first = next(iter(h.deps.services["faq"].entries.values())).question
        assert replies["你好"].startswith("您好") and first in replies["你好"]
        assert "机器人" in replies["你是机器人吗"]
        hint = "我会尽量回答"  # the generic hint (faq.private.hint) fits none of them
        assert not any(hint in r for r in replies.values())


async def test_social_lines_in_a_group_stay_silent(tmp_path: Path) -> None:
    async with bot_session(tmp_path, campaign=HOUSEHOLD) as h:
        resident = h.api.add_user("小吴")
        group = h.api.add_group("幸福村居民群", members=[resident.id], with_bot=True)
        await h.settle()
        for text in ("你好", "多谢晒", "在吗", "你是机器人吗", "👍"):
            assert await h.say(resident, text, group) == [], text
        assert queued(h) == []
