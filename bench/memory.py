"""Memory: RSS of ``coordbot run`` idle and after 2k, 5k and 10k updates (goal <= 150 MB, flat
after warm-up), once per ``COORDBOT_FAQ_MODEL`` (``auto``: the e5 model when installed; ``off``:
lexical FAQ only), each bot in its own process. Baseline: the bare PTB echo bot, idle. The
updates are FAQ questions and commands from 2500 residents (4 each), sent in rushes of 500
through the fake Bot API (the bot's own 30 sends/s limiter lifted, as in bench/throughput.py:
memory, not Telegram's pace, is measured). /status charts are drawn by a child process
(bot/status/chart_worker.py) that leaves after 30 s without a chart, and in ``auto`` the e5
model runs in one (bot/faq/model_process.py) that leaves after 60 s without a question for
it: their sizes are printed beside the bot's whenever they run, with the sum, and once more
after they left.

    python -m bench memory                      # both settings
    COORDBOT_BENCH_FAQ_MODELS=off python -m bench memory
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from bench._procs import ROOT, BotProcess, anon_mb, children_by_module, machine, rss_mb, run
from bench.throughput import questions
from bot.faq.model_process import IDLE_SECONDS as MODEL_IDLE
from bot.localapi import FakeBotApi
from bot.status.chart_worker import IDLE_SECONDS as CHART_IDLE

TOTAL = int(os.environ.get("COORDBOT_BENCH_UPDATES", "10000"))
MODELS = os.environ.get("COORDBOT_BENCH_FAQ_MODELS", "auto,off").split(",")
CHECKPOINTS = (2000, 5000, 10000)
RUSH = 500
COMMANDS = ["/help", "/tasks", "/status", "/me"]
SETTLE = 5.0  # seconds after the first getUpdates: the FAQ's first build runs meanwhile


def rss(pid: int) -> str:
    return f"{rss_mb(pid):7.1f} MB ({anon_mb(pid):.1f} MB anonymous)"


def kids(pid: int) -> str:
    """The children running now: charts (bot/status/chart_worker), the e5 model (auto mode)."""
    names = {"bot.status.chart_worker": "chart", "bot.faq.model_process": "model"}
    found = children_by_module(pid)
    parts = [f"{names.get(k, k)} process {v:.1f} MB" for k, v in sorted(found.items())]
    total = rss_mb(pid) + sum(found.values())
    return f"  + {', '.join(parts)} = {total:.1f} MB in all" if parts else ""


async def echo_idle(api: FakeBotApi, tmp: Path) -> float:
    bot = BotProcess.echo(api, tmp)
    await bot.start()
    try:
        await asyncio.sleep(SETTLE)
        return rss_mb(bot.pid)
    finally:
        await bot.stop()


async def coordbot_run(api: FakeBotApi, tmp: Path, model: str, texts: list[str]) -> None:
    bot = BotProcess.coordbot(api, tmp, unlimited=True, COORDBOT_FAQ_MODEL=model)
    await bot.start()
    label = f"COORDBOT_FAQ_MODEL={model}"
    try:
        await asyncio.sleep(SETTLE)
        print(f"{label}: idle (started, polling):  {rss(bot.pid)}{kids(bot.pid)}", flush=True)
        people = [api.add_user(f"居民{i}", id=3_000_000 + i) for i in range(TOTAL // 4)]
        done = 0
        while done < TOTAL:
            start = len(api.sent)
            for k in range(RUSH):
                person = people[(done + k) % len(people)]
                text = texts[(done + k) * 7 % len(texts)]
                api.send_text(person.id, person, text)
            await api.wait_for(lambda: len(api.sent) - start >= RUSH, 300)  # noqa: B023
            done += RUSH
            if done in CHECKPOINTS or done == TOTAL:
                print(
                    f"{label}: after {done:>6} updates: {rss(bot.pid)}{kids(bot.pid)}", flush=True
                )
        await asyncio.sleep(max(CHART_IDLE, MODEL_IDLE) + 8)  # both children leave when idle
        print(f"{label}: {max(CHART_IDLE, MODEL_IDLE):.0f} s later, idle: ", end="")
        print(f"{rss(bot.pid)}{kids(bot.pid) or ' (no child process)'}", flush=True)
    finally:
        await bot.stop()


async def bench() -> None:
    texts = questions() + COMMANDS
    with tempfile.TemporaryDirectory(prefix="coordbot-mem-") as name:
        async with FakeBotApi() as api:
            echo = await echo_idle(api, Path(name) / "echo")
        print(f"baseline: bare PTB echo bot, idle:      {echo:7.1f} MB", flush=True)
        for model in MODELS:
            async with FakeBotApi() as api:  # a fresh server, database and users per run
                await coordbot_run(api, Path(name) / model, model, texts)
    print(f"machine: {machine()}; goal <= 150 MB, flat after warm-up")


def main() -> None:
    os.chdir(ROOT)
    run(bench())


if __name__ == "__main__":
    main()
