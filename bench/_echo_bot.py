"""The baseline: a bare python-telegram-bot echo bot, as its tutorial writes it.

ECHO_TOKEN=... ECHO_BASE_URL=http://127.0.0.1:PORT/bot python -m bench._echo_bot [--concurrent]
"""

from __future__ import annotations

import os
import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main() -> None:
    builder = (
        ApplicationBuilder().token(os.environ["ECHO_TOKEN"]).base_url(os.environ["ECHO_BASE_URL"])
    )
    if "--concurrent" in sys.argv:
        builder = builder.concurrent_updates(True).connection_pool_size(64)
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
