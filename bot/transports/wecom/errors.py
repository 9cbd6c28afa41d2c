"""WeCom errors and their classes: wait and retry, give up, or retry later."""

from __future__ import annotations

# errcodes as WeCom documents them for its server APIs (the SDKs pass them through untouched)
INVALID_REQ_ID = 846605  # a reply on a connection that did not receive the callback
FREQ_LIMIT = 45009  # api freq out of limit
SYSTEM_BUSY = -1
RETRY_AFTER_CODES = {FREQ_LIMIT: 60.0, 45033: 60.0}
TRANSIENT_CODES = {SYSTEM_BUSY, 6000}


class WeComError(Exception):
    """The server refused a frame (``errcode`` != 0) or the connection failed."""

    def __init__(self, errcode: int, errmsg: str, *, cmd: str = "") -> None:
        super().__init__(f"WeCom {cmd or 'frame'} refused: {errcode} {errmsg}".strip())
        self.errcode, self.errmsg, self.cmd = errcode, errmsg, cmd


class WeComAuthError(WeComError):
    """``aibot_subscribe`` refused: wrong bot id or secret. Retrying cannot help."""

    def __str__(self) -> str:
        return (
            f"WeCom refused the bot id or secret ({self.errcode} {self.errmsg}): "
            "check COORDBOT_WECOM_BOT_ID and COORDBOT_WECOM_SECRET"
        )


class NotConnected(WeComError):
    """No live connection to send on (reconnecting, standing by, or kicked)."""

    def __init__(self, why: str = "not connected") -> None:
        super().__init__(SYSTEM_BUSY, why)


class RetryAfter(Exception):
    def __init__(self, seconds: float, cause: Exception) -> None:
        super().__init__(f"retry after {seconds:g} s: {cause}")
        self.seconds, self.cause = seconds, cause


class PermanentError(Exception):
    """Sending again will fail again (bad request, chat never wrote, file too big, expired)."""


class TransientError(Exception):
    """Worth another try later (connection lost, server busy, time-out)."""


def classify(exc: BaseException) -> RetryAfter | PermanentError | TransientError:
    """One class for any error a send, upload or download raised."""
    if isinstance(exc, RetryAfter | PermanentError | TransientError):
        return exc
    if isinstance(exc, NotConnected):
        return TransientError(str(exc))
    if isinstance(exc, WeComAuthError):
        return PermanentError(str(exc))
    if isinstance(exc, WeComError):
        if exc.errcode in RETRY_AFTER_CODES:
            return RetryAfter(RETRY_AFTER_CODES[exc.errcode], exc)
        if exc.errcode in TRANSIENT_CODES:
            return TransientError(str(exc))
        return PermanentError(str(exc))
    if isinstance(exc, TimeoutError | ConnectionError | OSError):
        return TransientError(f"{type(exc).__name__}: {exc}")
    from aiohttp import ClientError, ClientResponseError

    if isinstance(exc, ClientResponseError):
        if exc.status == 429 or exc.status >= 500:
            return TransientError(f"HTTP {exc.status}")
        return PermanentError(f"HTTP {exc.status} {exc.message}")
    if isinstance(exc, ClientError):
        return TransientError(f"{type(exc).__name__}: {exc}")
    return PermanentError(f"{type(exc).__name__}: {exc}")
