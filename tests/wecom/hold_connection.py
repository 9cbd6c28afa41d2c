"""A second process holding a WeCom bot's connection under the database lease, for the lease
tests: ``python -m tests.wecom.hold_connection WS_URL DATABASE_URL BOT_ID SECRET``; runs until
killed."""

from __future__ import annotations

import asyncio
import sys

from bot.db import Database
from bot.transports.wecom import WeComClient
from bot.transports.wecom.lease import BotLease, holder_name


async def main(url: str, db_url: str, bot_id: str, secret: str) -> None:
    db = Database.from_url(db_url, threads=2)
    lease = BotLease(db, bot_id, holder_name(), poll_every=0.1)
    client = WeComClient(bot_id, secret, url, lease=lease, backoff=(0.05, 0.2))
    await client.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
