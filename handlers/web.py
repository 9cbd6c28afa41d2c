"""/web — an office user or liaison gets a one-time sign-in link to the web dashboard."""

from __future__ import annotations

from bot.commands import Command
from bot.roles import EVERYONE
from bot.turn import Turn
from bot.web.auth import WEB_ROLES, issue_link


async def web_link(turn: Turn) -> None:
    """/web — a sign-in link, valid once for ten minutes; residents are refused in one line."""
    if turn.actor.role not in WEB_ROLES:
        turn.reply(turn.t("web.refuse_resident"))
        return
    settings = turn.deps.settings
    if settings.web_listen == "off" and "web" not in turn.deps.services:
        turn.reply(turn.t("web.disabled"))
        return
    token = await turn.run(issue_link, user_id=turn.actor.user_id, now=turn.now)
    turn.reply(turn.t("web.link", url=f"{settings.web_url}/login/{token}"))


COMMANDS = [Command("web", web_link, roles=EVERYONE, chats="private", help_key="web.help")]
