"""/status — where the campaign stands."""

from __future__ import annotations

from bot.commands import Command
from bot.overview import overview
from bot.render import fmt_datetime
from bot.roles import EVERYONE
from bot.turn import Turn


async def status(turn: Turn) -> None:
    """/status — a campaign overview: tasks by state, units counted."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    view = await turn.run(overview, campaign_id=turn.campaign_id, now=turn.now)
    if view is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    lines = [
        turn.t("core.status.title", title=view.title),
        turn.t("core.status.counts", units=view.units, tasks=view.tasks, **view.by_state),
    ]
    if view.next_deadline is not None:
        when = fmt_datetime(view.next_deadline, turn.deps.settings.tz, turn.actor.locale)
        lines.append(turn.t("core.status.next", when=when))
    turn.reply("\n".join(lines))


COMMANDS = [Command("status", status, roles=EVERYONE, help_key="core.help.status")]
