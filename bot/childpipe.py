"""Helper processes: the bot's heavy, occasional work (charts: ``bot/status/chart_worker.py``;
the e5 model: ``bot/faq/model_process.py``) runs in a child process started on first use,
reused while busy, let go after ``idle`` seconds without a request, and replaced if it died.
A child that does not answer within ``timeout`` seconds is killed (``ChildTimeout`` for that
request) and replaced at the next one, so a hung helper never blocks the bot for good.

They talk through length-prefixed pickles over the child's stdin and stdout: a request one
way, ``(True, result)`` or ``(False, error)`` back. Both ends are this program, so pickle is
safe here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any


class ChildTimeout(RuntimeError):
    """The child did not answer in time; it was killed and the next request starts another."""


class ChildProcess:
    """The bot's side: ``ask(request)`` sends it to ``python -m module *args`` and returns the
    result (RuntimeError with the child's error if it failed, ChildTimeout if it did not answer
    within ``timeout`` seconds). Thread-safe: one request on the pipe at a time."""

    def __init__(
        self, module: str, *args: str, label: str, idle: float, timeout: float = 120.0
    ) -> None:
        self.command = [sys.executable, "-m", module, *args]
        self.label, self.idle, self.timeout = label, idle, timeout
        self.started = 0  # child processes started (tests, logs)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._last_used = 0.0
        self._timer: threading.Timer | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ask(self, request: Any) -> Any:
        data = frame(request)
        with self._lock:
            try:
                try:
                    ok, value = self._ask(data)
                except (OSError, EOFError, pickle.UnpicklingError):  # it died: once more, anew
                    self._stop()
                    ok, value = self._ask(data)
            except ChildTimeout:
                self._stop()  # killed already: its pipes go, the next request starts another
                raise
            self._last_used = time.monotonic()
            if self._timer is None:
                self._wake_in(self.idle)
        if not ok:
            raise RuntimeError(f"{self.label}: {value}")
        return value

    def _ask(self, data: bytes) -> tuple[bool, Any]:
        if not self.running:
            self._stop()  # a dead one's pipes
            self._proc = subprocess.Popen(
                self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            self.started += 1
        proc = self._proc
        assert proc is not None and proc.stdin is not None and proc.stdout is not None
        hung = threading.Event()

        def kill() -> None:  # the watchdog: a child that hangs is ended, the read then returns
            hung.set()
            with contextlib.suppress(OSError):
                proc.kill()

        watchdog = threading.Timer(self.timeout, kill)
        watchdog.daemon = True
        watchdog.start()
        try:
            proc.stdin.write(data)
            proc.stdin.flush()
            reply: tuple[bool, Any] = read_frame(proc.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            if hung.is_set():
                raise ChildTimeout(f"{self.label}: no answer in {self.timeout:g} s") from None
            raise
        finally:
            watchdog.cancel()
        return reply

    def _wake_in(self, seconds: float) -> None:
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        """Let the child go once it has been idle long enough (one timer at a time)."""
        with self._lock:
            self._timer = None
            left = self.idle - (time.monotonic() - self._last_used)
            if left > 0 and self.running:
                self._wake_in(left)
            else:
                self._stop()

    def close(self) -> None:
        """Let the child go now (shutdown; tests)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._stop()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()  # end of input: the child returns
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def frame(message: Any) -> bytes:
    data = pickle.dumps(message)
    return len(data).to_bytes(8, "big") + data


def read_frame(stream: IO[bytes]) -> Any:
    """The next message; EOFError when the other end has gone."""
    return pickle.loads(_exactly(stream, int.from_bytes(_exactly(stream, 8), "big")))


def _exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if data is None or len(data) < size:
        raise EOFError("the other end closed the pipe")
    return data


def serve(handle: Callable[[Any], Any]) -> None:
    """The child's side: answer each request with ``(True, handle(request))``, or ``(False,
    error)`` if it raised, until the input ends."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the pipe is the protocol: anything a library prints goes to stderr instead
    while True:
        try:
            request = read_frame(sys.stdin.buffer)
        except EOFError:
            return
        try:
            reply = (True, handle(request))
        except Exception as exc:  # reported to the bot, which logs it
            reply = (False, f"{type(exc).__name__}: {exc}")
        try:
            replies.write(frame(reply))
            replies.flush()
        except BrokenPipeError:  # the bot has gone (killed, say): nothing to report to
            with contextlib.suppress(OSError):
                replies.close()
            return
