"""Run the fake Bot API standalone for manual testing.

    python -m bot.localapi --port 8081 --token 123:TEST [--chat] [--flood]

Point the bot at it with COORDBOT_TELEGRAM_BASE_URL=http://127.0.0.1:8081/bot and
COORDBOT_TELEGRAM_FILE_URL=http://127.0.0.1:8081/file/bot. With ``--chat`` every line typed is
sent to the bot by a demo user in a private chat (``/start`` is sent first) and the bot's
messages are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from bot.localapi.models import SentRecord
from bot.localapi.server import FakeBotApi


def _print(record: SentRecord) -> None:
    if record.kind == "message":
        extra = f" [{record.filename or 'photo'}]" if record.photo or record.document else ""
        print(f"\n[bot -> {record.chat_id}]{extra} {record.body}")
        for label, data in record.buttons:
            print(f"   [{label}] -> {data}")
    elif record.kind == "edit":
        print(f"\n[bot edited {record.message_id}] {record.body}")


async def _serve(args: argparse.Namespace) -> None:
    async with FakeBotApi(
        token=args.token, bot_username=args.username, port=args.port, flood_limits=args.flood
    ) as api:
        print(f"fake Bot API on {api.base_url} (files: {api.file_url}), token {api.token}")
        if not args.chat:
            await asyncio.Event().wait()
            return
        api.on_sent.append(_print)
        user = api.add_user("演示用户", id=10001, username="demo_user")
        api.start_bot(user)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, input, "> ")
            if line.strip():
                api.send_text(user.id, user, line.strip())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.localapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--username", default="coordbot_local_bot")
    parser.add_argument("--flood", action="store_true", help="enforce Telegram's flood limits")
    parser.add_argument("--chat", action="store_true", help="type messages as a demo user")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt, EOFError):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
