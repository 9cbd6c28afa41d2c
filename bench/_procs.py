"""Bots in subprocesses against a fake Bot API served by the benchmark itself.

Each bot gets its own process (and so its own core on a 2-core machine), as in production where
Telegram is elsewhere: the figures measure the bot, not the stand-in. The benchmark process
serves the fake Bot API, plays the users and counts the replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from bot.localapi import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
HOUSEHOLD = ROOT / "config" / "campaigns" / "household-survey-2018.yaml"
ADMIN_ID = 1001


class BotProcess:
    """A subprocess that long-polls ``api`` (``coordbot run``, or the bare PTB echo bot)."""

    def __init__(self, api: FakeBotApi, args: list[str], env: dict[str, str], log: Path) -> None:
        self.api, self.args, self.log = api, args, log
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("COORDBOT_")},
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.proc: asyncio.subprocess.Process | None = None

    @classmethod
    def coordbot(
        cls,
        api: FakeBotApi,
        tmp: Path,
        *,
        campaign: Path = HOUSEHOLD,
        unlimited: bool = False,
        **extra: str,
    ) -> BotProcess:
        """``unlimited``: without the bot's own 30 sends/s flood limiter (see bench/_coordbot)."""
        tmp.mkdir(parents=True, exist_ok=True)
        env = {
            "COORDBOT_TELEGRAM_TOKEN": api.token,
            "COORDBOT_TELEGRAM_BASE_URL": api.base_url,
            "COORDBOT_TELEGRAM_FILE_URL": api.file_url,
            "COORDBOT_DATABASE_URL": f"sqlite:///{tmp / 'coordbot.db'}",
            "COORDBOT_MEDIA_DIR": str(tmp / "media"),
            "COORDBOT_ADMINS": str(ADMIN_ID),
            "COORDBOT_CAMPAIGN": str(campaign),
            "COORDBOT_LOG_LEVEL": "WARNING",
            **extra,
            **overrides(),
        }
        args = [sys.executable, "-m", "bench._coordbot", "run"]
        if unlimited:
            args.append("--unlimited")
        return cls(api, args, env, tmp / "coordbot.log")

    @classmethod
    def echo(cls, api: FakeBotApi, tmp: Path, *, concurrent: bool = False) -> BotProcess:
        tmp.mkdir(parents=True, exist_ok=True)
        env = {"ECHO_TOKEN": api.token, "ECHO_BASE_URL": api.base_url}
        args = [sys.executable, "-m", "bench._echo_bot"] + (["--concurrent"] if concurrent else [])
        return cls(api, args, env, tmp / "echo.log")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self, timeout: float = 120) -> None:
        counts = self.api.method_counts
        before = counts["getUpdates"]
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *self.args, env=self.env, stdout=out, stderr=asyncio.subprocess.STDOUT
            )

        def polling() -> bool:
            if self.proc is not None and self.proc.returncode is not None:
                raise RuntimeError(f"bot exited early:\n{self.log.read_text()[-3000:]}")
            return counts["getUpdates"] > before

        await self.api.wait_for(polling, timeout)

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid: int) -> float:
    """Resident set size of a process, in MB (Linux)."""
    return _status_mb(pid, "VmRSS")


def anon_mb(pid: int) -> float:
    """The anonymous part of the resident set (heap, stacks), in MB; the rest is mapped files
    (code, and the e5 model's weights, read-only and shared)."""
    return _status_mb(pid, "RssAnon")


def children(pid: int) -> list[int]:
    """Child processes of ``pid`` and theirs (Linux)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                out += [int(child), *children(int(child))]
    return out


def children_by_module(pid: int) -> dict[str, float]:
    """RSS (MB) of the children of ``pid`` by the module they run (``-m name``)."""
    out: dict[str, float] = {}
    for child in children(pid):
        with contextlib.suppress(OSError):
            args = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            if b"-m" in args:  # (an exited child not yet reaped has no command line)
                name = args[args.index(b"-m") + 1].decode()
                out[name] = out.get(name, 0.0) + rss_mb(child)
    return out


def overrides() -> dict[str, str]:
    """Settings for every bot a benchmark starts, for trials: COORDBOT_BENCH_SET=K=V,K=V."""
    pairs = [p for p in os.environ.get("COORDBOT_BENCH_SET", "").split(",") if "=" in p]
    return dict(p.split("=", 1) for p in pairs)


def tree_cpu(pid: int) -> dict[int, tuple[float, float]]:
    """``cpu_split`` of ``pid`` and of each of its children (the e5 model's process, say)."""
    out = {}
    for each in (pid, *children(pid)):
        with contextlib.suppress(OSError, IndexError, ValueError):
            out[each] = cpu_split(each)
    return out


def cpu_since(before: dict[int, tuple[float, float]], pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds ``pid`` and its children used since ``tree_cpu`` gave
    ``before`` (a child started meanwhile counts from zero)."""
    user = system = 0.0
    for each, (u, s) in tree_cpu(pid).items():
        u0, s0 = before.get(each, (0.0, 0.0))
        user, system = user + u - u0, system + s - s0
    return user, system


def cpu_split(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def machine() -> str:
    import platform

    mem = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cpus, {mem} RAM, python {platform.python_version()}"


def run(coro: object) -> None:
    if sys.platform != "linux":
        print("skipped: needs Linux (/proc)")
        return
    asyncio.run(coro)  # type: ignore[arg-type]
