"""The asker's choice among suggestions, and which bot messages are question notices (SQLite and
PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.faq import answering, queue
from bot.faq.answering import Asked
from bot.faq.matcher import Match
from storage import outbox
from storage.models.core import Campaign, User
from storage.models.intake import OutboxMessage

NOW = datetime(2018, 6, 1, 9, 0, tzinfo=UTC)
ASKER, OTHER, COORDINATOR = 501, 502, 9


def ask(session: Session, text: str, update_id: int, **kw: Any) -> int:
    campaign = Campaign(slug=f"c{update_id}", title="住户信息采集")
    session.add(campaign)
    session.flush()
    asked = Asked(campaign.id, ASKER, "private", ASKER, 7, update_id, text, Match(None, 0.1, []))
    return answering.queue_question(session, asked, now=NOW, **kw).id


def test_only_the_asker_settles_and_none_of_these_always_queues(database: Database) -> None:
    with database.transaction() as s:
        qid = ask(s, "怎么办", 1, state="suggested")
        assert queue.pick_suggestion(s, question_id=qid, user_id=OTHER, entry_id="a") == "not_yours"
        assert queue.none_of_these(s, question_id=qid, user_id=OTHER) == "not_yours"
        assert queue.pick_suggestion(s, question_id=qid + 99, user_id=ASKER, entry_id="a") == (
            "missing"
        )
        pending = queue.pending_suggestion(s, user_id=ASKER, now=NOW)
        assert pending is not None and pending.id == qid
        assert queue.pick_suggestion(s, question_id=qid, user_id=ASKER, entry_id="a") == "ok"
        assert queue.pending_suggestion(s, user_id=ASKER, now=NOW) is not None  # may change mind
        assert queue.none_of_these(s, question_id=qid, user_id=ASKER) == "ok"
        assert queue.queue_view(s, None)[1] == 1
        later = NOW + queue.SUGGESTION_WINDOW + timedelta(minutes=1)
        assert queue.pending_suggestion(s, user_id=ASKER, now=later) is None


def test_only_the_notice_of_a_question_routes_a_reply(database: Database) -> None:
    with database.transaction() as s:
        s.add(User(id=COORDINATOR, role="coordinator", created_at=NOW, updated_at=NOW))
        qid = ask(
            s,
            "有人冒充采集员",
            2,
            complaint=True,
            coordinators=frozenset({COORDINATOR}),
            notice=lambda row: f"【紧急】问题 #{row.id}",
        )
        notice = s.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == COORDINATOR)).one()
        notice.sent_message_id = 40
        other = outbox.add(
            s, chat_id=COORDINATOR, payload={"text": f"#{qid} 虎门镇 · 任务1"}, now=NOW
        )
        other.sent_message_id = 41
        s.flush()
        assert queue.noticed_question(s, COORDINATOR, 40) == qid
        assert queue.noticed_question(s, COORDINATOR, 41) is None  # shows "#N", is not a notice
        assert queue.noticed_question(s, OTHER, 40) is None  # the same id in another chat
