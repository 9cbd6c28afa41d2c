"""Broadcast to 1000 groups through the fake Bot API enforcing Telegram's limits (30 msg/s,
20/min per group): time as a ratio of the 1000/30 s floor (goal <= 1.1x, zero 429 answers),
and the latency of a user's /help answered during the broadcast (goal p95 < 1 s).

The baseline is the floor itself: no sender can beat 1000/30 s without a 429.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

GROUPS = 1000
TEXT = "基准测试群发：请各单位于周五前提交宣传资料"


async def answered(api: Any, user: Any, mark: int) -> None:
    api.send_text(api.private_chat(user), user, "/help")
    await api.wait_for(lambda: len(api.sent_to(user.id)) > mark, 30)


async def run(tmp: Path, groups: int = GROUPS) -> dict[str, float]:
    from bot.localapi import FakeBotApi
    from storage import chats
    from tests.harness import bot_session

    api = FakeBotApi(flood_limits=True)
    async with bot_session(tmp, api=api) as h:
        for chat_id in (-1001000000001, -1001000000002):  # the demo campaign's groups
            h.api.add_group("演示群", id=chat_id, type="supergroup", with_bot=True)
        made = [
            h.api.add_group(f"群{i}", members=[h.admin.id], with_bot=True) for i in range(groups)
        ]
        with h.deps.db.transaction() as s:
            for g in made:
                chats.upsert_chat(
                    s,
                    chat_id=g.id,
                    type=g.type,
                    title=g.title or "",
                    active=True,
                    now=h.deps.clock.now(),
                )
        with h.deps.db.transaction() as s:
            total = len(chats.active_groups(s))
        user = h.api.add_user("居民")
        await h.reply_text(user, "/help")  # warm up
        before_429 = sum(api.count_429.values())
        start_index = len(api.sent)
        started = time.monotonic()
        api.send_text(api.private_chat(h.admin), h.admin, f"/broadcast all {TEXT}")

        def delivered() -> int:
            return sum(
                1 for r in api.sent[start_index:] if r.chat_id < 0 and TEXT in (r.body or "")
            )

        latencies: list[float] = []
        while delivered() < total:
            asked = time.monotonic()
            await answered(api, user, len(api.sent_to(user.id)))
            latencies.append(time.monotonic() - asked)
            await asyncio.sleep(0.5)
        sends = [r.time for r in api.sent[start_index:] if r.chat_id < 0 and TEXT in (r.body or "")]
        elapsed = max(sends) - started
        first = min(sends) - started
        floor = total / 30
        latencies.sort()
        return {
            "groups": total,
            "seconds": elapsed,
            "first": first,
            "rate": (total - 1) / (max(sends) - min(sends)),
            "floor": floor,
            "ratio": elapsed / floor,
            "429": sum(api.count_429.values()) - before_429,
            "help_n": len(latencies),
            "help_p50": statistics.median(latencies),
            "help_p95": latencies[max(0, int(len(latencies) * 0.95) - 1)],
            "help_max": latencies[-1],
        }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(Path(tmp)))
    print(
        f"broadcast: {r['groups']:.0f} groups in {r['seconds']:.1f} s (first send after "
        f"{r['first']:.2f} s, then {r['rate']:.1f} msg/s); floor {r['floor']:.1f} s at 30 msg/s "
        f"-> ratio {r['ratio']:.3f}x (goal <= 1.1x); 429 answers: {r['429']:.0f} (goal 0)"
    )
    print(
        f"/help during the broadcast: n={r['help_n']:.0f} p50 {r['help_p50'] * 1000:.0f} ms, "
        f"p95 {r['help_p95'] * 1000:.0f} ms, max {r['help_max'] * 1000:.0f} ms (goal p95 < 1 s)"
    )


if __name__ == "__main__":
    main()
