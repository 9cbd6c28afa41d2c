"""Throughput: 1500 residents each ask one FAQ question in a private chat, all at once.

The full bot (``coordbot run``: inbox, actor, FAQ matcher, outbox, SQLite) against a bare
python-telegram-bot echo bot, each in its own process, on the same fake Bot API in the same
run. The clock runs from the moment the updates are queued until the last resident has an
answer. Goal: >= 0.6x the echo bot's updates/s (stretch 0.8x), every resident answered. The
questions are the FAQ's own phrasings, so most repeat (as residents' questions do) and the
matcher answers a repeat from memory; a third rush words every question differently (a suffix
"（问N）"), so each one is matched afresh, the e5 model included where the lexical score is unsure.

The fake server does not enforce Telegram's flood limits here (the echo bot ignores them), and
the bot's own limiter (30 sends/s, bot/flood.py) is lifted for the comparison, so the figures
measure processing. Two short runs then show the limits: the bot as shipped (every resident
answered at ~30/s) and the echo bot against a server enforcing them (replies lost to 429s).

    python -m bench throughput            (COORDBOT_BENCH_RESIDENTS=300 for a quick look)
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench._procs import HOUSEHOLD, ROOT, BotProcess, cpu_since, machine, run, tree_cpu
from bot.faq.kb import FaqEntry, load_faq
from bot.localapi import FakeBotApi, FakeUser

RESIDENTS = int(os.environ.get("COORDBOT_BENCH_RESIDENTS", "1500"))
WARMUP = 30
LIMITED = 300  # residents in the runs at Telegram's flood limits (30 sends/s)
TIMEOUT = 600.0
# 1: echo and /help only; faq: echo and FAQ; unseen: echo and FAQ with no question repeated
QUICK = os.environ.get("COORDBOT_BENCH_QUICK", "")
USER_IDS = itertools.count(2_000_000)
UNSEEN = "<unseen>"  # a rush of FAQ questions, each worded differently (see Crowd.ask)
PROFILE = os.environ.get("COORDBOT_BENCH_PROFILE", "")  # py-spy output of one rush:
PROFILE_TEXT = os.environ.get("COORDBOT_BENCH_PROFILE_TEXT") or None  # e.g. /help; unset: FAQ


def faq_entries() -> tuple[FaqEntry, ...]:
    campaign = yaml.safe_load(HOUSEHOLD.read_text(encoding="utf-8"))
    faq = (HOUSEHOLD.parent / campaign["campaign"]["faq"]).resolve()
    return load_faq(faq).entries


def questions() -> list[str]:
    out: list[str] = []
    for entry in faq_entries():
        out.append(entry.question)
        out.extend(entry.alt)
    return out


class Crowd:
    """Residents on the fake server; ``ask`` queues one question each and times the answers."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self.texts = questions()

    def residents(self, n: int) -> list[FakeUser]:
        return [self.api.add_user(f"居民{i}", id=i) for i in itertools.islice(USER_IDS, n)]

    async def ask(
        self, n: int, text: str | None = None, wait: float = TIMEOUT, pid: int | None = None
    ) -> Rush:
        """Queue one question from each of ``n`` new residents; time until all are answered."""
        people = self.residents(n)
        wanted = {p.id for p in people}
        cursor = len(self.api.sent)
        answers: dict[int, str] = {}

        def done() -> bool:
            nonlocal cursor
            for record in self.api.sent[cursor:]:
                if record.chat_id in wanted and record.kind == "message":
                    answers.setdefault(record.chat_id, record.body)
            cursor = len(self.api.sent)
            return len(answers) >= n

        cpu = tree_cpu(pid) if pid else {}
        started = time.perf_counter()
        for i, person in enumerate(people):
            asked = text or self.texts[i % len(self.texts)]
            if text == UNSEEN:  # every question worded differently: none answered from memory
                asked = f"{self.texts[i % len(self.texts)]}（问{i}）"
            self.api.send_text(person.id, person, asked)
        with contextlib.suppress(TimeoutError):
            await self.api.wait_for(done, wait)
        seconds = time.perf_counter() - started
        user, system = cpu_since(cpu, pid) if pid else (0.0, 0.0)
        return Rush(n, seconds, list(answers.values()), user + system, system)


@dataclass
class Rush:
    residents: int
    seconds: float
    answers: list[str]
    cpu: float  # CPU seconds the bot process and its children (the e5 model's) used meanwhile
    system: float = 0.0  # of which in the kernel (system calls: sockets, files, thread wake-ups)

    @property
    def cpu_ms(self) -> float:
        """CPU time per update (less sensitive than wall time to other load on the machine)."""
        return self.cpu / self.residents * 1000

    @property
    def rate(self) -> float:
        return self.residents / self.seconds

    def show(self, name: str) -> None:
        print(
            f"{name:34s} {self.rate:8.1f} updates/s  ({self.seconds:6.2f} s, "
            f"{len(self.answers)}/{self.residents} answered, {self.cpu_ms:.2f} ms CPU/update, "
            f"{self.system / self.residents * 1000:.2f} of it system)",
            flush=True,
        )


async def measure(
    api: FakeBotApi,
    bot: BotProcess,
    texts: list[str | None],
    *,
    n: int = RESIDENTS,
    profile: bool = False,
    **kw: float,
) -> list[Rush]:
    """Start the bot, warm it up, then time one rush per text (None: the FAQ questions);
    ``profile``: record the rush of PROFILE_TEXT with py-spy (COORDBOT_BENCH_PROFILE)."""
    crowd = Crowd(api)
    await bot.start()
    profiler = None
    try:
        await crowd.ask(WARMUP)
        rushes = []
        for text in texts:
            if PROFILE and profile and text == PROFILE_TEXT:
                profiler = await start_profiler(bot.pid, PROFILE)
            rushes.append(await crowd.ask(n, text, pid=bot.pid, **kw))
            await stop_profiler(profiler)
        return rushes
    finally:
        await stop_profiler(profiler)
        await bot.stop()


async def start_profiler(pid: int, out: str) -> asyncio.subprocess.Process:
    """py-spy sampling every thread of the bot (COORDBOT_BENCH_PROFILE=/path/out.txt)."""
    spy = Path(sys.executable).parent / "py-spy"
    args = ["record", "--pid", str(pid), "--format", "raw", "--gil", "-r", "200", "-o", out]
    quiet = asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(str(spy), *args, stdout=quiet, stderr=quiet)
    await asyncio.sleep(1.0)
    return proc


async def stop_profiler(profiler: asyncio.subprocess.Process | None) -> None:
    if profiler is not None and profiler.returncode is None:
        profiler.send_signal(signal.SIGINT)
        await profiler.wait()
        print(f"profile (py-spy, raw collapsed stacks) written to {PROFILE}")


async def bench() -> None:
    answers = {e.answer.strip() for e in faq_entries()}
    with tempfile.TemporaryDirectory(prefix="coordbot-bench-") as name:
        tmp = Path(name)
        async with FakeBotApi() as api:
            [echo] = await measure(api, BotProcess.echo(api, tmp / "echo"), [None])
            echo.show("echo (PTB defaults)")
            bot = BotProcess.coordbot(api, tmp / "bot", unlimited=True)
            if QUICK:  # COORDBOT_BENCH_QUICK=1 (or faq): echo and one rush, for profiling
                text = {"faq": None, "unseen": UNSEEN}.get(QUICK, "/help")
                [core] = await measure(api, bot, [text], profile=True)
            else:
                [echo_c] = await measure(
                    api, BotProcess.echo(api, tmp / "ec", concurrent=True), [None]
                )
                echo_c.show("echo (concurrent_updates)")
                core, faq, unseen = await measure(api, bot, ["/help", None, UNSEEN], profile=True)
                core.show("coordbot /help (core path)")
                faq.show("coordbot FAQ questions")
                unseen.show("coordbot FAQ, none repeated")
        if QUICK:
            names = {"faq": "FAQ questions", "unseen": "FAQ, none repeated"}
            name = names.get(QUICK, "/help (core path)")
            core.show(f"coordbot {name}")
            print(
                f"{name} vs echo: {core.rate / echo.rate:.2f}x wall, "
                f"{echo.cpu_ms / core.cpu_ms:.2f}x CPU"
            )
            return
        async with FakeBotApi() as api:  # as shipped: ~30 sends/s, as Telegram allows
            [shipped] = await measure(api, BotProcess.coordbot(api, tmp / "s"), [None], n=LIMITED)
            shipped.show("coordbot as shipped (30 sends/s)")
        async with FakeBotApi(flood_limits=True) as api:  # Telegram's limits enforced: 429s
            echo_bot = BotProcess.echo(api, tmp / "el")
            [limited] = await measure(api, echo_bot, [None], n=LIMITED, wait=20)
            limited.show("echo vs Telegram's flood limits")
    hits = sum(1 for b in faq.answers if b.strip() in answers)
    print(f"machine: {machine()}")
    print(
        f"residents answered: {len(faq.answers)}/{RESIDENTS} "
        f"({hits} with an FAQ answer, {len(faq.answers) - hits} otherwise)"
    )
    print(f"ratio FAQ vs echo (PTB defaults): {faq.rate / echo.rate:.2f}x  (goal >= 0.6x)")
    print(f"ratio FAQ, no question repeated, vs echo: {unseen.rate / echo.rate:.2f}x")
    print(f"ratio core path (/help) vs echo: {core.rate / echo.rate:.2f}x")
    print(
        f"ratio by CPU time per update (echo / coordbot): FAQ {echo.cpu_ms / faq.cpu_ms:.2f}x, "
        f"core path {echo.cpu_ms / core.cpu_ms:.2f}x"
    )
    print(f"ratio FAQ vs echo (concurrent_updates): {faq.rate / echo_c.rate:.2f}x")
    if len(faq.answers) < RESIDENTS:
        print(f"NOT ANSWERED: {RESIDENTS - len(faq.answers)}; see the bot log")


def main() -> None:
    os.chdir(ROOT)
    run(bench())


if __name__ == "__main__":
    main()
