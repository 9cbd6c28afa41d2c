"""Fuzzed input through the real bot: nothing escapes to a traceback, nothing is left half done.

Hypothesis draws the cases (bounded, reproducible: ``derandomize``); each test plays them
through one bot session, as every role, in private chats and in a group, then checks: no update
failed (the inbox has no ``failed`` row), no reply is the internal-error line, no reply row is
left pending or sending, and every message fits Telegram's 4096 characters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.commands import all_commands
from bot.localapi import Played
from storage import inbox
from storage.models.intake import OutboxMessage
from tests.e2e.people import ROLES, Cast, cast
from tests.harness import Harness, bot_session
from tests.localapi_fixtures import jpeg_bytes

EXAMPLES = 60
SPECIAL = [
    "مرحبا بالعالم",  # Arabic, right to left
    "\u202eRTL override\u202c",
    "שלום",
    "👍🏽👨‍👩‍👧‍👦🇨🇳",
    "\u200b\u200c\u200d\ufeff",  # zero-width
    "１２３４５６７８９０",  # full-width digits
    "臺灣資訊處理，請問這個問題怎麼辦？",  # Traditional characters
    "上门采集的流程是怎样的？",
    "/",
    "@",
    "\x00",
    "' OR 1=1; --",
    "<b>not html</b> &amp; *md* _x_ [a](b)",
    "%s {name} {0} {{}}",
    "\n\n\t ",
    "9999-99-99 25:61 明天下午三点 13号",
    "99999999999999999999",  # past a 64-bit integer
    "#99999999999999999999 staff",
    "9999年12月31日 23:59",
    "\u200b王\u202e小明\u2066",
]
TEXT = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(SPECIAL),
    st.lists(st.sampled_from(SPECIAL), min_size=2, max_size=6).map(" ".join),
    st.integers(1, 4096).map(lambda n: ("长" * n)[:4096]),
    st.just("字" * 4096),
).filter(lambda t: t.strip() != "")
COMMANDS = [c.name for c in all_commands()]
WHERE = st.sampled_from(["private", "group"])
ROLE = st.sampled_from(ROLES)


def draw(strategy: st.SearchStrategy[Any], n: int = EXAMPLES) -> list[Any]:
    """``n`` reproducible examples of ``strategy`` (no shrinking: the cases are replayed in one
    bot session and a failing one is reported with its input)."""
    cases: list[Any] = []

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases


Action = Callable[[Harness, Cast, Any, Any, str], Played]


def send_text(h: Harness, c: Cast, chat: Any, who: Any, text: str) -> Played:
    return h.api.send_text(chat, who, text)


def caption(h: Harness, c: Cast, chat: Any, who: Any, text: str) -> Played:
    return h.api.send_photo(chat, who, jpeg_bytes(64, 48), caption=text[:1024])


def edited(h: Harness, c: Cast, chat: Any, who: Any, text: str) -> Played:
    first = h.api.send_text(chat, who, "原来的消息")
    return h.api.edit_text(chat, who, first.message, text)


def sticker(h: Harness, c: Cast, chat: Any, who: Any, text: str) -> Played:
    return h.api.send_sticker(chat, who, "🤔")


def location(h: Harness, c: Cast, chat: Any, who: Any, text: str) -> Played:
    return h.api.send_location(chat, who, 22.8, 113.7)


def contact(h: Harness, c: Cast, chat: Any, who: Any, text: str) -> Played:
    return h.api.send_contact(chat, who, "+8613800000000", "某人")


async def play(h: Harness, c: Cast, cases: list[tuple[str, str, Action, str]]) -> None:
    sent_by_update: dict[int, str] = {}
    for where, role, action, text in cases:
        person = c.people[role]
        chat = c.group if where == "group" else h.api.private_chat(person)
        played = action(h, c, chat, person, text)
        if played.update is not None:
            sent_by_update[played.update["update_id"]] = f"{action.__name__} {role} {where}"
    await h.settle(timeout=60)
    await check_nothing_escaped(h, c, sent_by_update)


async def check_nothing_escaped(h: Harness, c: Cast, cases: dict[int, str]) -> None:
    internal = c.internal_error_texts(h)
    with h.deps.db.transaction() as s:
        states = inbox.counts(s)
        failed = [(cases.get(r.update_id), r.error) for r in inbox.failed(s)]
        half_done = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "reply", OutboxMessage.state.in_(("pending", "sending"))
            )
        ).all()
    assert states["failed"] == 0, failed
    assert states["pending"] == 0, states
    assert not half_done, [(r.chat_id, r.payload) for r in half_done]
    bodies = [r.body for r in h.api.sent]
    assert not [b for b in bodies if b in internal], "a case got the internal-error reply"
    assert all(len(b) <= 4096 for b in bodies)


async def test_fuzzed_text_and_commands(tmp_path: Path) -> None:
    command = st.tuples(st.sampled_from(COMMANDS), TEXT).map(lambda t: f"/{t[0]} {t[1]}")
    bare = st.sampled_from(COMMANDS).map(lambda n: f"/{n}")
    cases = draw(st.tuples(WHERE, ROLE, st.one_of(TEXT, command, bare)))
    async with bot_session(tmp_path) as h:
        c = await cast(h)
        await play(h, c, [(where, role, send_text, text) for where, role, text in cases])


async def test_fuzzed_captions_edits_and_media(tmp_path: Path) -> None:
    actions: list[Action] = [caption, edited, sticker, location, contact]
    cases = draw(st.tuples(WHERE, ROLE, st.sampled_from(actions), TEXT))
    async with bot_session(tmp_path) as h:
        c = await cast(h)
        await play(h, c, cases)


HUGE_ID = "99999999999999999999"  # past a 64-bit integer (SQLite's and PostgreSQL's bigint)


def bomb_jpeg() -> bytes:
    """A small JPEG whose frame header claims 60000×60000 pixels (a decompression bomb)."""
    data = bytearray(jpeg_bytes(16, 16))
    for marker in (b"\xff\xc0", b"\xff\xc2"):
        at = data.find(marker)
        if at >= 0:
            data[at + 5 : at + 9] = (60000).to_bytes(2, "big") * 2  # height, width
            return bytes(data)
    raise AssertionError("no frame header in the JPEG")


HOSTILE = [
    ("liaison", f"/done {HUGE_ID} 海报1"),
    ("liaison", f"/done 1 海报{HUGE_ID}"),
    ("coordinator", f"/accept {HUGE_ID}"),
    ("coordinator", f"/accept #{HUGE_ID}"),
    ("coordinator", f"/reject {HUGE_ID} 太暗"),
    ("coordinator", f"/answer {HUGE_ID} 不收费"),
    ("coordinator", f"/reminders cancel {HUGE_ID}"),
    ("coordinator", f"/grant staff {HUGE_ID}"),
    ("coordinator", f"/grant {HUGE_ID}"),
    ("coordinator", f"/revoke {HUGE_ID}"),
    ("coordinator", f"/liaison 1 remove {HUGE_ID}"),
    ("coordinator", "/remind 9999年12月31日 23:59 全体 请按时上报"),
    ("coordinator", "/remind 9999-12-31 23:59 全体 请按时上报"),
]
HOSTILE_BUTTONS = [
    ("coordinator", f"ev:acc:{HUGE_ID}"),
    ("coordinator", f"ev:rej:{HUGE_ID}:dark"),
    ("resident", f"faq:s:{HUGE_ID}:is-it-free"),
    ("resident", f"faq:q:{HUGE_ID}"),
    ("coordinator", f"faq:mk:{HUGE_ID}"),
    ("coordinator", f"remind:ok:{HUGE_ID}"),
    ("coordinator", f"remind:no:{HUGE_ID}"),
]


def raw_press(h: Harness, who: Any, data: str) -> Played:
    """A callback query with forged data (a client may send any bytes as callback data)."""
    chat = h.api.private_chat(who)
    shown = h.api.send_text(chat, who, "按钮消息").message
    query = {"id": f"q{data}", "from": who.to_dict(), "message": shown, "chat_instance": "1"}
    h.api.callback_queries[query["id"]] = {
        "from": query["from"],
        "message": shown,
        "answered": False,
    }
    return Played(h.api.inject_update({"callback_query": {**query, "data": data}}), shown)


async def test_hostile_ids_dates_images_and_updates(tmp_path: Path) -> None:
    """Each input gets a one-line answer (no failed update, no internal error), and an update
    without a chat is stored as failed while the ones after it are still answered."""
    async with bot_session(tmp_path) as h:
        c = await cast(h)
        cases: dict[int, str] = {}
        for role, text in HOSTILE:
            person = c.people[role]
            start = h.api.mark()
            played = h.api.send_text(h.api.private_chat(person), person, text)
            await h.settle(timeout=60)
            answered = h.api.messages_since(start, person.id)
            assert len(answered) == 1, (text, answered)  # an answer, not an error (below)
            assert played.update is not None
            cases[played.update["update_id"]] = text
        for role, data in HOSTILE_BUTTONS:
            played = raw_press(h, c.people[role], data)
            assert played.update is not None
            cases[played.update["update_id"]] = data
        liaison = c.people["liaison"]
        start = h.api.mark()
        played = h.api.send_document(  # as a file: Telegram does not recompress it
            h.api.private_chat(liaison), liaison, bomb_jpeg(), "bomb.jpg", caption="/done 1 海报1"
        )
        await h.settle(timeout=60)
        assert played.update is not None
        cases[played.update["update_id"]] = "bomb jpeg"
        assert h.api.messages_since(start, liaison.id), "the bomb got no answer"
        await check_nothing_escaped(h, c, cases)

        chatless = {"message_id": 1, "date": 0, "from": liaison.to_dict(), "text": "/help"}
        bad = h.api.inject_update({"message": chatless})
        start = h.api.mark()
        after = await h.reply_text(c.people["resident"], "/help")
        assert after, "intake stopped after an update without a chat"
        with h.deps.db.transaction() as s:
            assert [r.update_id for r in inbox.failed(s)] == [bad["update_id"]]
