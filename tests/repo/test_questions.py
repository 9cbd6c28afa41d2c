"""The questions queue, group etiquette and live FAQ edits on a migrated database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from bot.db import Database, upgrade
from bot.faq import answering, editing, queue
from bot.faq.answering import Asked, mask_digits
from bot.faq.live import LiveFaq, current_entries, file_entries_of
from bot.faq.matcher import Match
from bot.settings import ROOT
from storage import questions
from storage.models.core import Campaign, User
from storage.models.intake import OutboxMessage
from storage.models.questions import Question

NOW = datetime(2018, 6, 1, 9, 0, tzinfo=UTC)
KB = ROOT / "config" / "faq" / "household-survey-2018.yaml"


def make_campaign(session: Session) -> int:
    row = Campaign(slug="hs", title="住户信息采集", faq_file=str(KB))
    session.add(row)
    session.flush()
    return row.id


def asked(cid: int, text: str, update_id: int, chat_id: int = 501, user_id: int = 501) -> Asked:
    kind = "private" if chat_id == user_id else "group"
    return Asked(cid, chat_id, kind, user_id, 7, update_id, text, Match(None, 0.1, []))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话***********"),
        ("打 138 1234 5678 找我", "打 *********** 找我"),
        ("身份证441900199001011234号", "身份证******************号"),
        ("3号楼502室，123456", "3号楼502室，123456"),  # six digits or fewer stay
    ],
)
def test_masking(text: str, masked: str) -> None:
    assert mask_digits(text) == masked


def test_queue_is_idempotent_and_ordered(database: Database) -> None:
    with database.transaction() as s:
        cid = make_campaign(s)
        first = answering.queue_question(s, asked(cid, "路灯坏了 13812345678", 100), now=NOW)
        again = answering.queue_question(s, asked(cid, "路灯坏了 13812345678", 100), now=NOW)
        assert first.id == again.id  # the same update re-delivered: stored once
        s.add(User(id=9, role="coordinator", created_at=NOW, updated_at=NOW))
        urgent = answering.queue_question(
            s,
            asked(cid, "我要投诉采集员", 101),
            now=NOW + timedelta(minutes=5),
            complaint=True,
            coordinators=frozenset({8}),
            notice=lambda q: f"#{q.id} {q.masked_text}",
        )
        answering.queue_question(
            s, asked(cid, "我要投诉采集员", 101), now=NOW, complaint=True, notice=lambda q: "x"
        )
    with database.transaction() as s:
        rows, total = queue.queue_view(s, cid)
        assert total == 2 and [r.id for r in rows] == [urgent.id, first.id]  # urgent first
        assert rows[1].text == "路灯坏了 13812345678" and "1381234" not in rows[1].masked_text
        notices = s.query(OutboxMessage).order_by(OutboxMessage.chat_id).all()
        assert [(n.chat_id, n.payload["text"]) for n in notices] == [
            (8, f"#{urgent.id} 我要投诉采集员"),
            (9, f"#{urgent.id} 我要投诉采集员"),
        ]


def test_staff_answer_goes_where_the_resident_can_read_it(database: Database) -> None:
    def render(q: Question, private: bool) -> str:
        return f"{'P' if private else 'G'}:{q.answer}"

    with database.transaction() as s:
        cid = make_campaign(s)
        s.add(User(id=601, started_bot=False, created_at=NOW, updated_at=NOW))
        s.add(User(id=602, started_bot=True, created_at=NOW, updated_at=NOW))
        in_group = answering.queue_question(s, asked(cid, "问题一", 1, -100, 601), now=NOW)
        started = answering.queue_question(s, asked(cid, "问题二", 2, -100, 602), now=NOW)
        ids = in_group.id, started.id
    with database.transaction() as s:
        kw: dict[str, Any] = {"text": "答复", "staff_id": 9, "now": NOW, "render": render}
        assert queue.answer_question(s, question_id=ids[0], **kw).privately is False
        assert queue.answer_question(s, question_id=ids[1], **kw).privately is True
        assert queue.answer_question(s, question_id=ids[1], **kw).status == "already"
        assert queue.answer_question(s, question_id=999, **kw).status == "missing"
    with database.transaction() as s:
        sent = s.query(OutboxMessage).order_by(OutboxMessage.id).all()
        assert [(m.chat_id, m.payload["text"], m.payload.get("reply_to")) for m in sent] == [
            (-100, "G:答复", 7),
            (602, "P:答复", None),
        ]
        assert questions.count_open(s, cid) == 0


def test_group_verdicts(database: Database) -> None:
    with database.transaction() as s:
        kw: dict[str, Any] = {"chat_id": -5, "message_id": 1}
        assert answering.group_verdict(s, entry_id="a", update_id=1, now=NOW, **kw).action == (
            "answer"
        )
        # the same update again: the same verdict (a re-run after a crash)
        assert answering.group_verdict(s, entry_id="a", update_id=1, now=NOW, **kw).action == (
            "answer"
        )
        point = answering.group_verdict(s, entry_id="a", update_id=2, now=NOW, **kw)
        assert point.action == "point" and point.point_to == 1
        later = NOW + timedelta(minutes=11)
        assert answering.group_verdict(s, entry_id="a", update_id=3, now=later, **kw).action == (
            "answer"
        )
        for uid, entry in ((4, "b"), (5, "c")):
            answering.group_verdict(s, entry_id=entry, update_id=uid, now=later, **kw)
        quiet = answering.group_verdict(s, entry_id="d", update_id=6, now=later, **kw)
        assert quiet.action == "quiet"  # three answers in this minute already
        other = answering.group_verdict(
            s, entry_id="d", update_id=7, now=later, chat_id=-6, message_id=1
        )
        assert other.action == "answer"


async def test_live_kb_overrides(database: Database) -> None:
    with database.transaction() as s:
        cid = make_campaign(s)
        seed = file_entries_of(s, cid)
    live = LiveFaq.from_config(cid, seed, mode="lexical")
    assert await live.reload(database) == 1 and len(live.entries) == len(seed)
    fee = live.entries["is-it-free"]
    with database.transaction() as s:
        draft = editing.Draft("社区图书室几点开门", "每天上午九点开门")
        kw: dict[str, Any] = {
            "campaign_id": cid,
            "actor_id": 9,
            "taken": set(live.entries),
            "now": NOW,
        }
        proposal = editing.add_entry(s, draft=draft, publish=False, **kw)
        assert editing.add_entry(s, draft=draft, publish=False, **kw).id == proposal.id
        editing.edit_entry(
            s,
            campaign_id=cid,
            current=fee,
            draft=editing.Draft("", "全程免费"),
            actor_id=9,
            now=NOW,
        )
        editing.remove_entry(
            s, campaign_id=cid, current=live.entries["where-to-ask"], actor_id=9, now=NOW
        )
    assert await live.reload(database) == 2
    assert "where-to-ask" not in live.entries and proposal.entry_id not in live.entries
    assert live.entries["is-it-free"].answer == "全程免费"
    assert live.entries["is-it-free"].question == fee.question  # empty part kept
    assert (await live.match("社区图书室几点开门")).entry_id != proposal.entry_id
    with database.transaction() as s:
        assert editing.approve_entry(
            s, campaign_id=cid, entry_id=proposal.entry_id, actor_id=9, now=NOW
        )
        assert (
            editing.approve_entry(s, campaign_id=cid, entry_id="nope", actor_id=9, now=NOW) is None
        )
    await live.reload(database)
    assert (await live.match("社区图书室几点开门")).entry_id == proposal.entry_id
    with database.transaction() as s:
        ids = [e.id for e in current_entries(s, cid)]
        assert proposal.entry_id in ids and "where-to-ask" not in ids


def test_parse_draft() -> None:
    assert editing.parse_draft("问 | 答") == editing.Draft("问", "答")
    assert editing.parse_draft("问｜答｜别问；再问") == editing.Draft("问", "答", ("别问", "再问"))
    assert editing.parse_draft("只有问题") is None


def test_suggestions_only_above_the_floor() -> None:
    from bot.faq.kb import FaqEntry

    entries = {i: FaqEntry(i, f"问{i}", f"答{i}") for i in ("a", "b", "c", "d")}
    match = Match(None, 0.44, [("a", 0.44), ("b", 0.43), ("gone", 0.42), ("c", 0.2)])
    assert [e.id for e in answering.suggestions(match, entries, floor=0.3)] == ["a", "b"]
    assert answering.suggestions(match, entries, floor=0.5) == []


def test_export_writes_file_plus_edits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.campaign import load_file
    from bot.faq.cli import faq_app
    from bot.faq.kb import load_faq

    url = f"sqlite:///{tmp_path / 'export.db'}"
    db = Database.from_url(url, threads=1)
    upgrade(db.engine)
    with db.transaction() as s:
        report = load_file(s, ROOT / "config" / "campaigns" / "household-survey-2018.yaml", now=NOW)
        questions.put_entry_row(
            s,
            campaign_id=report.campaign_id,
            entry_id="added-1",
            question="新问题",
            answer="新答案",
            state="published",
            now=NOW,
        )
        questions.put_entry_row(
            s,
            campaign_id=report.campaign_id,
            entry_id="added-2",
            question="待审核",
            answer="未发布",
            state="proposed",
            now=NOW,
        )
    db.close()
    monkeypatch.setenv("COORDBOT_DATABASE_URL", url)
    out = tmp_path / "faq.yaml"
    result = CliRunner().invoke(faq_app, ["export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = {e.id: e for e in load_faq(out).entries}
    seed = load_faq(KB).entries
    assert len(exported) == len(seed) + 1 and exported["added-1"].answer == "新答案"
    assert [(e.question, e.answer, e.alt, e.tags) for e in seed] == [
        (exported[e.id].question, exported[e.id].answer, exported[e.id].alt, exported[e.id].tags)
        for e in seed
    ]
    missing = CliRunner().invoke(faq_app, ["export", "--campaign", "nope"])
    assert missing.exit_code == 1 and "no campaign" in missing.output
