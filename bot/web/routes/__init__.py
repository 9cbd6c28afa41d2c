"""The dashboard's pages, one module per page; each has ``register(app)``."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.web.routes import (
    audit,
    export,
    faq,
    files,
    matrix,
    questions,
    reminders,
    review,
    roster,
    signin,
    units,
    upload,
)

ROUTES: list[Callable[[web.Application], None]] = [
    signin.register,
    matrix.register,
    review.register,
    questions.register,
    files.register,
    units.register,
    upload.register,
    faq.register,
    reminders.register,
    roster.register,
    export.register,
    audit.register,
]
