"""``coordbot console``: the real bot, with the in-repo Bot API server on loopback, in a terminal.

Same handlers, same database, no token, no network. You are one user; ``/group`` switches to a
demo group, ``/photo PATH [caption]`` sends a picture, ``/press N`` presses a button.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from bot.app import build_application, prepare, running
from bot.intake import Poller
from bot.localapi import FakeBotApi, FakeChat, FakeUser, SentRecord
from bot.settings import Settings
from storage import campaigns, inbox, liaisons, users
from storage.models.registration import Liaison

TOKEN = "424242:LOCAL-CONSOLE"
HELP = """本地控制台 / local console — 输入消息或命令，例如 /help、/tasks、/status
  /group            切换到演示群 (switch to the demo group)   /private  回到私聊
  /photo PATH [说明] 发送图片   /file PATH [说明] 发送文件   /press N  按下第 N 个按钮
  /quit             退出 (Ctrl-D)"""


class ConsoleChat:
    def __init__(self, api: FakeBotApi, me: FakeUser, group: FakeChat, out_dir: Path) -> None:
        self.api, self.me, self.group, self.out_dir = api, me, group, out_dir
        self.chat: FakeChat = api.private_chat(me)
        self.buttons: list[tuple[int, int, str]] = []  # (chat id, message id, callback data)
        api.on_sent.append(self.show)

    def show(self, record: SentRecord) -> None:
        if record.kind == "callback_answer":
            if record.text:
                print(f"  ⓘ {record.text}")
            return
        where = "群" if record.chat_id == self.group.id else "私聊"
        if record.chat_id not in (self.me.id, self.group.id):
            where = f"→{record.chat_id}"
        mark = "✎" if record.kind == "edit" else "🤖"
        if record.body:
            print(f"\n{mark} [{where}] " + record.body.replace("\n", "\n   "))
        for blob, name in ((record.photo, "photo.png"), (record.document, record.filename)):
            if blob:
                path = self.out_dir / f"{record.message_id or 0}-{name or 'file'}"
                path.write_bytes(blob)
                print(f"   📎 {path}")
        if record.buttons:
            self.buttons = []
            for label, data in record.buttons:
                if data is not None:
                    self.buttons.append((record.chat_id, record.message_id or 0, data))
                    print(f"   [{len(self.buttons)}] {label}")

    def handle(self, line: str) -> bool:
        """One line typed by the user; False to quit."""
        word, _, rest = line.strip().partition(" ")
        if word in ("/quit", "/exit"):
            return False
        if word == "/group":
            self.chat = self.group
            print(f"(现在在群「{self.group.title}」里发言)")
        elif word == "/private":
            self.chat = self.api.private_chat(self.me)
            print("(现在在私聊里发言)")
        elif word == "/press":
            self.press(rest)
        elif word in ("/photo", "/file"):
            self.send_file(word, rest)
        elif word == "/console":
            print(HELP)
        elif line.strip():
            self.api.send_text(self.chat, self.me, line.strip())
        return True

    def press(self, rest: str) -> None:
        if not rest.strip().isdigit() or not 1 <= int(rest) <= len(self.buttons):
            print("(用法: /press N，N 是上一条消息的按钮编号)")
            return
        chat_id, message_id, data = self.buttons[int(rest) - 1]
        self.api.press_button(chat_id, self.me, message_id, data)

    def send_file(self, word: str, rest: str) -> None:
        path_text, _, caption = rest.strip().partition(" ")
        path = Path(path_text).expanduser()
        if not path.is_file():
            print(f"(找不到文件: {path_text or '?'})")
            return
        data = path.read_bytes()
        if word == "/photo":
            try:
                self.api.send_photo(self.chat, self.me, data, caption=caption or None)
            except Exception:
                print("(这不是图片；用 /file 发送文件)")
            return
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.api.send_document(self.chat, self.me, data, path.name, mime, caption=caption or None)


async def run_console(settings: Settings, *, role: str, user_id: int, unit: str | None) -> int:
    api = FakeBotApi(token=TOKEN, bot_username="coordbot_local_bot", bot_name="coordbot")
    await api.start()
    settings = settings.model_copy(
        update={"telegram_base_url": api.base_url, "telegram_file_url": api.file_url}
    )
    extra = frozenset({user_id}) if role == "coordinator" else frozenset()
    deps = await asyncio.to_thread(prepare, settings, extra_admins=extra)
    # The stand-in starts afresh each run, the database does not: number above what it holds.
    last_update, last_message = await deps.db.run(inbox.highest_ids)
    api.updates.continue_after(last_update)
    api.world.continue_after(last_message)
    me = api.add_user("我", id=user_id, username="me")
    group = api.add_group("演示群 demo group", members=[user_id], with_bot=True)
    out_dir = Path("var/console")
    out_dir.mkdir(parents=True, exist_ok=True)
    console = ConsoleChat(api, me, group, out_dir)
    app = build_application(deps, token=TOKEN, base_url=api.base_url, file_url=api.file_url)
    stop = asyncio.Event()
    try:
        async with running(deps, app) as dispatcher:
            where = ""
            if role != "coordinator":
                try:
                    where = await deps.db.run(
                        _take_role, user_id, role, unit, deps.campaign_id, deps.clock.now()
                    )
                except ValueError as exc:
                    print(exc, file=sys.stderr)
                    return 1
            poller = asyncio.create_task(Poller(deps, dispatcher, timeout=1).run(stop))
            print(HELP + f"\n(身份 role: {role}; 用户 id {user_id}{where})")
            if "web" in deps.services:
                print(f"(网页工作台 web dashboard: {settings.web_url}，发送 /web 登录)")

            async def settle() -> None:
                """Until what was typed is processed and answered (or 30 s)."""
                queue = api.updates
                with contextlib.suppress(TimeoutError):
                    await api.wait_for(lambda: len(queue) == 0, 30)
                    await asyncio.wait_for(dispatcher.wait_idle(), 30)
                    delivery = deps.services.get("delivery")
                    if delivery is not None:
                        await asyncio.wait_for(delivery.wait_idle(), 30)

            await _read_loop(console, settle)
            stop.set()
            await asyncio.wait_for(poller, 5)
    finally:
        deps.db.close()
        await api.stop()
    return 0


def _take_role(
    session: Session,
    user_id: int,
    role: str,
    unit: str | None,
    campaign_id: int | None,
    now: datetime,
) -> str:
    """Make the console's user a ``role``; a liaison is bound to ``unit`` (default: the
    campaign's first) as registration would. Returns what to tell them, or raises ValueError."""
    user = users.touch_user(
        session, user_id=user_id, username="me", display_name="我", now=now, private=True
    )
    users.set_role(session, user, role, now=now)
    if role != "liaison":
        return ""
    if campaign_id is None:
        raise ValueError("--as liaison needs a campaign (COORDBOT_CAMPAIGN)")
    found = (
        campaigns.find_unit(session, campaign_id, unit)
        if unit
        else next(iter(campaigns.list_units(session, campaign_id)), None)
    )
    if found is None:
        raise ValueError(f"--unit: no unit {unit!r} in this campaign")
    row = liaisons.liaison_of_user(session, campaign_id, user_id)
    if row is None or row.unit_id != found.id or not row.active:
        primary = liaisons.primary_of_unit(session, found.id) is None
        if row is None:
            row = Liaison(campaign_id=campaign_id, user_id=user_id, name="我", created_at=now)
            session.add(row)
        row.unit_id, row.active, row.is_primary = found.id, True, primary
    row.updated_at = now
    return f"; 单位 unit: {found.name}"


async def _read_loop(console: ConsoleChat, settle: Callable[[], Awaitable[None]]) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (history and line editing for input())
    while True:
        try:
            line = await asyncio.to_thread(input, "你> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not console.handle(line):
            return
        await asyncio.sleep(0.05)
        await settle()  # the answer prints before the next prompt
