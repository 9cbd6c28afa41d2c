"""/start, /help, /tasks, /lang — what everyone can do from the first minute."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot import commands
from bot.commands import Command
from bot.render import fmt_datetime
from bot.roles import EVERYONE
from bot.settings import LOCALES
from bot.tasks import summarise_units, task_lines
from bot.turn import Turn
from storage import users


async def start(turn: Turn) -> None:
    """/start — a greeting that says what this bot is and what the caller can do."""
    turn.reply(turn.t("core.start", name=turn.actor.display_name or "") + "\n\n" + help_text(turn))


async def help_(turn: Turn) -> None:
    """/help — the commands the caller's role may use, one line each."""
    turn.reply(help_text(turn))


def help_text(turn: Turn) -> str:
    lines = [turn.t("core.help.title", role=commands.role_names(turn))]
    for cmd in commands.all_commands():
        if cmd.hidden or not turn.actor.holds(cmd.roles):
            continue
        where = "" if cmd.chats == "any" else " " + turn.t(f"core.help.where_{cmd.chats}")
        lines.append(f"/{cmd.name} — {turn.t(cmd.help)}{where}")
    return "\n".join(lines)


async def tasks(turn: Turn) -> None:
    """/tasks — number, title, deadline and responsible units of every task."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    lines = await turn.run(task_lines, campaign_id=turn.campaign_id)
    if not lines:
        turn.reply(turn.t("core.tasks.none"))
        return
    tz, loc = turn.deps.settings.tz, turn.actor.locale
    out = [turn.t("core.tasks.title", n=len(lines))]
    for line in lines:
        who = summarise_units(line.responsible, more=turn.t("core.tasks.more_units"))
        flag = " " + turn.t("core.tasks.withdrawn") if line.withdrawn else ""
        out.append(
            turn.t(
                "core.tasks.line",
                number=line.number,
                title=line.title,
                deadline=fmt_datetime(line.deadline, tz, loc, with_time=False),
                units=who,
            )
            + flag
        )
    turn.reply("\n".join(out))


async def lang(turn: Turn) -> None:
    """/lang zh|en — the language the bot answers this user in."""
    choice = {"zh": "zh-CN", "zh-cn": "zh-CN", "cn": "zh-CN", "中文": "zh-CN", "en": "en"}.get(
        (turn.args[0] if turn.args else "").lower()
    )
    if choice is None or choice not in LOCALES:
        turn.reply(turn.t("core.lang.usage"))
        return

    def save(session: Session) -> None:
        user = users.touch_user(  # a first message may be /lang: the row may not exist yet
            session,
            user_id=turn.actor.user_id,
            username=turn.actor.username,
            display_name=turn.actor.display_name,
            now=turn.now,
        )
        users.set_locale(session, user, choice, now=turn.now)

    await turn.run(save)
    turn.reply(turn.deps.catalog.t(choice, "core.lang.done"))


COMMANDS = [
    Command("start", start, roles=EVERYONE, hidden=True),
    Command("help", help_, roles=EVERYONE, help_key="core.help.help"),
    Command("tasks", tasks, roles=EVERYONE, help_key="core.help.tasks"),
    Command("lang", lang, roles=EVERYONE, help_key="core.help.lang"),
]
