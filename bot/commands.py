"""The command registry: every chat command, who may use it and where, in one list.

A handlers module declares ``COMMANDS = [Command("done", done, roles=..., chats=...)]`` and may
export ``def handlers(deps) -> list[tuple[int, BaseHandler]]`` for non-command handlers
(conversations, photos, buttons, plain text) with their PTB group, plus ``async def
on_startup(app, deps)`` / ``async def on_shutdown(app, deps)`` for background services.
``build`` finds every module of the ``handlers`` package, so nothing else needs editing.

Groups: ``-10`` chat bookkeeping (always runs), ``0`` commands, conversations and buttons,
``10`` fallbacks (plain text questions, photos after a ``/done``).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.roles import EVERYONE
from bot.turn import Turn, turn_handler

if TYPE_CHECKING:
    from bot.deps import Deps

Where = Literal["any", "private", "group"]
COMMAND_GROUP = 0


@dataclass(frozen=True)
class Command:
    name: str
    callback: Callable[[Turn], Awaitable[Any]]
    roles: frozenset[str] = EVERYONE
    chats: Where = "any"
    help_key: str = ""  # message key of the one-line description shown by /help
    hidden: bool = False  # not listed by /help (e.g. /start)

    @property
    def help(self) -> str:
        return self.help_key or f"help.{self.name}"


@functools.cache
def handler_modules() -> tuple[ModuleType, ...]:
    """Every module of the ``handlers`` package (listed once: the package does not change)."""
    import handlers

    names = sorted(m.name for m in pkgutil.iter_modules(handlers.__path__))
    return tuple(importlib.import_module(f"handlers.{name}") for name in names)


def all_commands() -> list[Command]:
    return list(_commands())


@functools.cache
def _commands() -> tuple[Command, ...]:
    found: dict[str, Command] = {}
    for module in handler_modules():
        for cmd in getattr(module, "COMMANDS", []):
            if cmd.name in found:
                raise RuntimeError(f"command /{cmd.name} is declared twice")
            found[cmd.name] = cmd
    return tuple(sorted(found.values(), key=lambda c: c.name))


def role_names(turn: Turn) -> str:
    """The speaker's roles as words ("工作人员、联络员")."""
    sep = "、" if turn.actor.locale.startswith("zh") else ", "
    return sep.join(turn.t(f"core.role.{r}") for r in turn.actor.roles)


def guarded(cmd: Command) -> Callable[[Turn], Awaitable[Any]]:
    """Check role and chat type before the command runs; refuse in one line saying why."""

    async def run(turn: Turn) -> Any:
        if cmd.chats == "private" and not turn.is_private:
            turn.reply(turn.t("core.refuse.private_only", command=cmd.name))
            return None
        if cmd.chats == "group" and turn.is_private:
            turn.reply(turn.t("core.refuse.group_only", command=cmd.name))
            return None
        if not turn.actor.holds(cmd.roles):
            roles = "、".join(turn.t(f"core.role.{r}") for r in sorted(cmd.roles))
            turn.reply(
                turn.t(
                    "core.refuse.role",
                    command=cmd.name,
                    role=role_names(turn),
                    allowed=roles,
                )
            )
            return None
        return await cmd.callback(turn)

    run.__name__ = cmd.callback.__name__
    run.__module__ = cmd.callback.__module__
    return run


def build(deps: Deps) -> list[tuple[int, BaseHandler[Any, Any, Any]]]:
    """Every PTB handler of every handlers module, with its group, in registration order."""
    out: list[tuple[int, BaseHandler[Any, Any, Any]]] = []
    for module in handler_modules():
        extra = getattr(module, "handlers", None)
        if extra is not None:
            out.extend(extra(deps))
    for cmd in all_commands():
        callback = turn_handler(guarded(cmd), name=f"cmd.{cmd.name}")
        out.append(
            (COMMAND_GROUP, CommandHandler(cmd.name, callback, filters=filters.UpdateType.MESSAGE))
        )
    # last in the group: a command no handler above took (private chats only: in a group a
    # command may be meant for another bot)
    private_command = filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    out.append(
        (COMMAND_GROUP, MessageHandler(private_command, turn_handler(unknown, name="cmd.unknown")))
    )
    return out


def _taken_elsewhere(turn: Turn) -> bool:
    """True if a handler of another group takes this command (it is known there)."""
    handlers = turn.context.application.handlers
    return any(
        handler.check_update(turn.update) not in (None, False)
        for group, in_group in handlers.items()
        if group != COMMAND_GROUP
        for handler in in_group
    )


#: Commands a dialog takes while it is open (registration's /cancel): not unknown elsewhere.
DIALOG_COMMANDS = frozenset({"cancel"})


async def unknown(turn: Turn) -> None:
    """An unknown command in a private chat: say so, name the closest command, point to /help."""
    words = turn.text.split(maxsplit=1)
    name = words[0].lstrip("/").split("@", 1)[0][:40] if words else ""
    if not name or name.lower() in DIALOG_COMMANDS or _taken_elsewhere(turn):
        return
    names = [c.name for c in all_commands() if not c.hidden]
    near = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
    if near:
        turn.reply(turn.t("core.refuse.unknown_command_near", command=name, near=near[0]))
    else:
        turn.reply(turn.t("core.refuse.unknown_command", command=name))
