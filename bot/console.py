"""``coordbot console``: the real bot, with the in-repo Bot API server on loopback, in a terminal.

Same handlers, same database, no token, no network. You are the demo person of one role
(``bot/console_world.py``); ``/group`` switches to a demo group, ``/photo PATH [caption]`` sends
a picture, ``/press N`` presses a button. What the bot sends to other people and groups (an
answer to a resident, a broadcast) is printed too. Only one console or ``coordbot run`` serves a
database at a time (the poller lease).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import mimetypes
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.app import build_application, hold_poller_lease, holder_name, prepare, running
from bot.console_world import DemoPerson, furnish, known, take_role, where
from bot.intake import Poller
from bot.localapi import FakeBotApi, FakeChat, FakeUser, SentRecord
from bot.localapi.models import ApiError
from bot.serve import take_poller_lease
from bot.settings import ROOT, Settings
from storage import inbox, leases

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
        chat = where(self.api, record.chat_id, self.me, self.group)
        mark = "✎" if record.kind == "edit" else "🤖"
        if record.body:
            print(f"\n{mark} [{chat}] " + record.body.replace("\n", "\n   "))
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
        line = clean(line)
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
            try:
                self.api.send_text(self.chat, self.me, line.strip())
            except (ApiError, ValueError) as exc:
                print(f"(没有发送 not sent: {exc})")
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


def clean(line: str) -> str:
    """``line`` with what is not text replaced by U+FFFD: an unpaired surrogate (a long paste cut
    by the terminal, bytes that are not UTF-8) cannot be sent, and once sent it stopped the
    console for good."""
    fixed = line.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if fixed != line:
        print("(输入里有无法识别的字符，已替换为 �  unreadable characters replaced)")
    return fixed


SHIPPED = ROOT / "config" / "campaigns"


def banner(role: str, me: DemoPerson, campaign: str, where_: str) -> str:
    others = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.yaml")))
    return (
        f"{HELP}\n(身份 role: {role} · {me.name}; 用户 id {me.user_id}{where_})"
        f"\n(活动 campaign: {campaign}; 演示活动 demo campaigns: {others}"
        "\n  居民问答 residents' FAQ: make run CAMPAIGN=household-survey-2018 ROLE=resident)"
    )


async def run_console(settings: Settings, *, role: str, me: DemoPerson, unit: str | None) -> int:
    out_dir = Path("var/console")
    api = FakeBotApi(
        token=TOKEN,
        bot_username="coordbot_local_bot",
        bot_name="coordbot",
        files_dir=out_dir / "files",  # file ids the database keeps are served in later runs
    )
    await api.start()
    settings = settings.model_copy(
        update={"telegram_base_url": api.base_url, "telegram_file_url": api.file_url}
    )
    extra = frozenset({me.user_id}) if role == "coordinator" else frozenset()
    deps = await asyncio.to_thread(prepare, settings, extra_admins=extra)
    holder = holder_name()
    other = await asyncio.to_thread(take_poller_lease, deps, holder)
    if other is not None:
        print(
            f"另一个 coordbot（{other}）正在使用这个数据库，请先停止它"
            f" / another coordbot ({other}) is serving this database: stop it first",
            file=sys.stderr,
        )
        deps.db.close()
        await api.stop()
        return 1
    # The stand-in starts afresh each run, the database does not: number above what it holds.
    last_update, last_message = await deps.db.run(inbox.highest_ids)
    api.updates.continue_after(last_update)
    api.world.continue_after(last_message)
    user, group = furnish(api, me, await deps.db.run(known))
    out_dir.mkdir(parents=True, exist_ok=True)
    console = ConsoleChat(api, user, group, out_dir)
    app = build_application(deps, token=TOKEN, base_url=api.base_url, file_url=api.file_url)
    stop = asyncio.Event()
    keeper = asyncio.create_task(hold_poller_lease(deps, stop))
    try:
        async with running(deps, app) as dispatcher:
            try:
                where_ = await deps.db.run(
                    take_role, me, role, unit, deps.campaign_id, deps.clock.now()
                )
            except ValueError as exc:
                print(exc, file=sys.stderr)
                return 1
            poller = asyncio.create_task(Poller(deps, dispatcher, timeout=1).run(stop))
            print(banner(role, me, deps.campaign_slug or "-", where_))
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
        stop.set()
        keeper.cancel()
        await deps.db.run(leases.release, "poller", holder)
        deps.db.close()
        await api.stop()
    return 0


async def _read_loop(console: ConsoleChat, settle: Callable[[], Awaitable[None]]) -> None:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (history and line editing for input())
    if isinstance(sys.stdin, io.TextIOWrapper):  # bytes that are not UTF-8: cleaned, not a crash
        sys.stdin.reconfigure(errors="surrogateescape")
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
