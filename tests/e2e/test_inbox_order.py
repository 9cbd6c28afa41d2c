"""The inbox in-process: one chat in order, chats at once, a poisoned update fails alone."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from telegram import Update
from telegram.ext import MessageHandler, TypeHandler, filters

from bot.turn import Turn, turn_handler
from storage import inbox
from storage.models.intake import InboxUpdate
from tests.harness import bot_session


async def test_one_chat_in_order_many_chats_at_once(tmp_path: Path) -> None:
    async with bot_session(tmp_path, workers=8) as h:
        seen: dict[int, list[int]] = {}
        active = 0
        peak = 0
        rng = random.Random(7)

        async def record(update: Update, _context: Any) -> None:
            nonlocal active, peak
            msg = update.effective_message
            if msg is None or not (msg.text or "").startswith("seq "):
                return
            active += 1
            peak = max(peak, active)
            await asyncio.sleep(rng.uniform(0, 0.01))
            seen.setdefault(msg.chat_id, []).append(int(msg.text.split()[1]))
            active -= 1

        h.app.add_handler(TypeHandler(Update, record), group=-20)
        users = [h.api.add_user(f"居民{i}") for i in range(6)]
        for n in range(25):
            for user in users:
                h.api.send_text(h.api.private_chat(user), user, f"seq {n}")
        await h.settle()
        assert {u.id: seen.get(u.id) for u in users} == {u.id: list(range(25)) for u in users}
        assert peak > 1, "different chats should be processed concurrently"
        with h.deps.db.transaction() as s:
            assert inbox.counts(s)["done"] >= 150
            assert inbox.counts(s)["pending"] == 0


async def test_poisoned_update_fails_alone(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:

        async def explode(turn: Turn) -> None:
            raise RuntimeError("kaboom in a handler")

        h.app.add_handler(MessageHandler(filters.Regex("^/boom$"), turn_handler(explode)), group=5)
        user = h.api.add_user("小王")
        chat = h.api.private_chat(user)
        h.api.send_text(chat, user, "/boom")
        bad = h.api.inject_update({"message": {"message_id": 1, "chat": {"id": user.id}}})
        h.api.send_text(chat, user, "/tasks")
        await h.settle()

        bodies = [r.body for r in h.api.sent_to(user.id)]
        assert len(bodies) == 2
        assert "出错" in bodies[0]  # one clear line, no traceback
        assert "Traceback" not in bodies[0] and "kaboom" not in bodies[0]
        assert "任务共" in bodies[1]  # the later update of the same chat went through

        with h.deps.db.transaction() as s:
            failed = {r.update_id: r.error for r in inbox.failed(s)}
            states = {
                u: st for u, st in s.execute(select(InboxUpdate.update_id, InboxUpdate.state))
            }
        assert bad["update_id"] in failed
        assert any("kaboom" in (e or "") for e in failed.values())
        assert list(states.values()).count("failed") == 2
        assert list(states.values()).count("done") >= 1

        db_url = h.settings.database_url
        env = {k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")}
        env["COORDBOT_DATABASE_URL"] = db_url
        cli = [sys.executable, "-m", "bot.cli", "inbox"]
        shown = subprocess.run(cli, env=env, capture_output=True, text=True, check=True).stdout
        assert "failed: 2" in shown and "kaboom" in shown
        again = subprocess.run(
            [*cli, "retry", str(bad["update_id"])], env=env, capture_output=True, text=True
        )
        assert again.returncode == 0, again.stderr
        missing = subprocess.run([*cli, "retry", "999999"], env=env, capture_output=True, text=True)
        assert missing.returncode == 1 and missing.stderr.strip() == "no failed update 999999"
        with h.deps.db.transaction() as s:
            assert s.get(InboxUpdate, bad["update_id"]).state == "pending"  # type: ignore[union-attr]
