"""A helper process that hangs is ended after its timeout and replaced; it never blocks for good."""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.childpipe import ChildProcess, ChildTimeout


def sleeper(timeout: float) -> ChildProcess:
    return ChildProcess("tests.unit.childpipe_sleeper", label="sleeper", idle=60, timeout=timeout)


def test_a_hung_child_is_killed_and_the_next_request_gets_a_new_one() -> None:
    child = sleeper(timeout=2)
    try:
        assert child.ask("hello") == "hello" and child.started == 1
        assert child._proc is not None
        hung_pid = child._proc.pid
        with pytest.raises(ChildTimeout, match="sleeper: no answer in 2 s"):
            child.ask("hang")
        assert not child.running
        with pytest.raises(ProcessLookupError):
            os.kill(hung_pid, 0)  # ended, not left behind
        assert child.ask("again") == "again" and child.started == 2  # replaced
    finally:
        child.close()


async def test_other_work_goes_on_while_a_child_hangs() -> None:
    child = sleeper(timeout=2)
    try:
        hung = asyncio.create_task(asyncio.to_thread(child.ask, "hang"))
        ticks = 0
        while not hung.done():  # the event loop is free: the bot keeps answering
            ticks += 1
            await asyncio.sleep(0.05)
        assert ticks > 1
        assert isinstance(hung.exception(), ChildTimeout)
        assert isinstance(hung.exception(), RuntimeError)  # callers' error handling covers it
    finally:
        child.close()
