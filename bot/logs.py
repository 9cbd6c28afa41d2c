"""Logging set-up. Secrets never reach a log line: a filter masks them everywhere (the Telegram
token, the WeCom bot secret: whatever ``redact_token`` was given)."""

from __future__ import annotations

import logging
import re

_SECRETS: set[str] = set()
# Telegram tokens look like 123456789:AA... ; mask any that slip through, known or not.
_TOKEN_RE = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")


def redact(text: str) -> str:
    for secret in _SECRETS:
        text = text.replace(secret, "<token>")
    return _TOKEN_RE.sub("<token>", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = str(exc)
            if redact(text) != text:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def redact_token(token: str | None) -> None:
    """Mask ``token`` (a Telegram token, the WeCom secret, ...) in every later log record."""
    if token:
        _SECRETS.add(token)


redact_secret = redact_token


_base_factory = logging.getLogRecordFactory()


def _redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)  # type: ignore[arg-type]
    RedactingFilter().filter(record)
    return record


def setup_logging(level: str = "INFO") -> None:
    # Redact when a record is made, so every handler (pytest's too) only ever sees the mask.
    logging.setLogRecordFactory(_redacting_factory)
    root = logging.getLogger()
    if not any(isinstance(f, RedactingFilter) for h in root.handlers for f in h.filters):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request URL, and Bot API URLs carry the token: keep it quiet.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
