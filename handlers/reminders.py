"""/remind, /reminders, /broadcast, the confirm button, and the reminder clock's start/stop."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import broadcast as broadcasts
from bot.commands import Command
from bot.deps import Deps
from bot.ids import parse_id
from bot.reminders import oneoff
from bot.reminders.targets import Target, audience, parse_target
from bot.render import fmt_datetime
from bot.roles import COORDINATORS
from bot.scheduler import ReminderClock
from bot.turn import Turn, turn_handler
from bot.when import WhenError, split_when
from storage.models.reminders import Reminder

BUTTON = re.compile(r"^remind:(ok|no):(\d+)$")


def _audience_text(turn: Turn, target: Target, n: int) -> str:
    if target.kind == "here":
        return turn.t("reminders.target.here")
    return turn.t(f"reminders.target.{target.kind}", n=n, label=target.label)


async def remind(turn: Turn) -> None:
    """/remind <when> <target> <text> — echo the resolved time and audience, then confirm."""
    if not turn.arg_text:
        turn.reply(turn.t("reminders.remind.usage"))
        return
    tz = turn.deps.settings.tz
    office = await turn.run(oneoff.office_hours, turn.campaign_id)
    try:
        at, rest = split_when(turn.arg_text, now=turn.now, tz=tz, office=office)
    except WhenError as exc:
        turn.reply(exc.message(turn.actor.locale))
        return
    word, body = [*rest.split(None, 1), "", ""][:2]
    if not word:
        turn.reply(turn.t("reminders.remind.no_target"))
        return
    here = turn.chat_id if turn.is_group else None
    target = await turn.run(parse_target, campaign_id=turn.campaign_id, word=word, here_chat=here)
    if target is None:
        turn.reply(turn.t("reminders.target.unknown", word=word))
        return
    body = body.strip()
    if not body:
        turn.reply(turn.t("reminders.remind.empty"))
        return
    quiet = await turn.run(oneoff.quiet_hours, turn.campaign_id)
    send_at = oneoff.send_time(at, quiet=quiet, tz=tz, now=turn.now)
    if send_at is None:
        when = fmt_datetime(at, tz, turn.actor.locale)
        turn.reply(turn.t("reminders.remind.too_far", days=oneoff.MAX_AHEAD.days, when=when))
        return
    n = await turn.run(lambda s: len(audience(s, campaign_id=turn.campaign_id, spec=target.spec)))
    if n == 0:
        turn.reply(turn.t("reminders.remind.nobody", label=target.label or word))
        return
    draft = await turn.run(
        oneoff.draft,
        campaign_id=turn.campaign_id,
        created_by=turn.actor.user_id,
        chat_id=turn.chat_id,
        target=target,
        text=body,
        due_at=send_at,
        now=turn.now,
    )
    when = fmt_datetime(send_at, tz, turn.actor.locale)
    text = turn.t(
        "reminders.remind.echo", when=when, audience=_audience_text(turn, target, n), text=body
    )
    if send_at != at:
        start, end = (f"{t:%H:%M}" for t in quiet)
        text += "\n" + turn.t("reminders.remind.quiet_moved", start=start, end=end)
    buttons = [
        {
            "text": turn.t("reminders.remind.confirm_button"),
            "callback_data": f"remind:ok:{draft.id}",
        },
        {
            "text": turn.t("reminders.remind.cancel_button"),
            "callback_data": f"remind:no:{draft.id}",
        },
    ]
    turn.reply(text, markup={"inline_keyboard": [buttons]})


async def button(turn: Turn) -> None:
    """The confirm / cancel buttons under a /remind echo (coordinators only)."""
    query = turn.update.callback_query
    if query is None:
        return
    match = BUTTON.match(query.data or "")
    await query.answer()
    if match is None:
        return
    if turn.actor.role not in COORDINATORS:
        turn.reply(
            turn.t(
                "core.refuse.role",
                command="remind",
                role=turn.t(f"core.role.{turn.actor.role}"),
                allowed=turn.t("core.role.coordinator"),
            )
        )
        return
    action, reminder_id = match.group(1), parse_id(match.group(2))
    if reminder_id is None:
        turn.reply(turn.t("ids.stale_button"))
        return
    fn = oneoff.confirm if action == "ok" else oneoff.cancel
    row = await turn.run(fn, reminder_id)
    if row is None:
        turn.reply(turn.t("reminders.remind.stale", id=reminder_id))
    elif action == "ok":
        when = fmt_datetime(row.due_at, turn.deps.settings.tz, turn.actor.locale)
        turn.reply(turn.t("reminders.remind.confirmed", id=row.id, when=when))
        clock = turn.deps.services.get("reminders")
        if isinstance(clock, ReminderClock):
            await clock.tick()  # due already (a near time): queue it now
    else:
        turn.reply(turn.t("reminders.remind.cancelled", id=row.id))


def _pending(session: Session, campaign_id: int | None) -> tuple[list[tuple[Reminder, int]], int]:
    from bot.reminders import ledger

    rows = oneoff.pending(session)
    counted = [(r, len(audience(session, campaign_id=r.campaign_id, spec=r.target))) for r in rows]
    return counted, ledger.planned_count(session, campaign_id)


async def reminders(turn: Turn) -> None:
    """/reminders — pending one-off reminders; /reminders cancel <id>."""
    args = turn.args
    if args and args[0].lower() in ("cancel", "取消", "del", "delete"):
        reminder_id = parse_id(args[1]) if len(args) >= 2 else None
        if reminder_id is None:
            turn.reply(turn.t("reminders.list.cancel_usage"))
            return
        row = await turn.run(oneoff.cancel, reminder_id)
        key = "reminders.remind.cancelled" if row else "reminders.list.cancel_unknown"
        turn.reply(turn.t(key, id=reminder_id))
        return
    rows, campaign_count = await turn.run(_pending, turn.campaign_id)
    tz, loc = turn.deps.settings.tz, turn.actor.locale
    lines = (
        [turn.t("reminders.list.title", n=len(rows))] if rows else [turn.t("reminders.list.none")]
    )
    for row, n in rows:
        target = Target(
            row.target, str(row.payload.get("kind", "all")), str(row.payload.get("label", ""))
        )
        text = row.text if len(row.text) <= 40 else row.text[:39] + "…"
        lines.append(
            turn.t(
                "reminders.list.line",
                id=row.id,
                when=fmt_datetime(row.due_at, tz, loc),
                audience=_audience_text(turn, target, n),
                text=text,
            )
        )
    if campaign_count:
        lines.append(turn.t("reminders.list.campaign", n=campaign_count))
    turn.reply("\n".join(lines))


def _start_broadcast(
    session: Session, *, spec: str, campaign_id: int | None, **kw: Any
) -> tuple[int, int]:
    chat_ids = audience(session, campaign_id=campaign_id, spec=spec)
    if not chat_ids:
        return 0, 0
    row = broadcasts.start(session, chat_ids=chat_ids, **kw)
    return row.id, row.total


async def broadcast(turn: Turn) -> None:
    """/broadcast <target> <text> — at once, through the outbox; a report when done."""
    msg = turn.update.effective_message
    replied = msg.reply_to_message if msg is not None else None
    photo = replied.photo[-1].file_id if replied is not None and replied.photo else None
    word, body = [*turn.arg_text.split(None, 1), "", ""][:2]
    if not word:
        turn.reply(turn.t("reminders.broadcast.usage"))
        return
    here = turn.chat_id if turn.is_group else None
    target = await turn.run(parse_target, campaign_id=turn.campaign_id, word=word, here_chat=here)
    if target is None:
        turn.reply(turn.t("reminders.target.unknown", word=word))
        return
    body = body.strip() or (replied.caption or "" if photo and replied is not None else "")
    if not body and not photo:
        turn.reply(turn.t("reminders.broadcast.empty"))
        return
    broadcast_id, n = await turn.run(
        _start_broadcast,
        spec=target.spec,
        campaign_id=turn.campaign_id,
        created_by=turn.actor.user_id,
        chat_id=turn.chat_id,
        locale=turn.actor.locale,
        target=target.spec,
        text=body,
        photo=photo,
        now=turn.now,
        origin_update=turn.update.update_id,
    )
    if not n:
        turn.reply(turn.t("reminders.remind.nobody", label=target.label or word))
        return
    turn.reply(turn.t("reminders.broadcast.started", id=broadcast_id, n=n))
    delivery = turn.deps.services.get("delivery")
    if delivery is not None:
        delivery.wake()


COMMANDS = [
    Command("remind", remind, roles=COORDINATORS, help_key="reminders.help.remind"),
    Command("reminders", reminders, roles=COORDINATORS, help_key="reminders.help.reminders"),
    Command("broadcast", broadcast, roles=COORDINATORS, help_key="reminders.help.broadcast"),
]


def handlers(deps: Deps) -> list[tuple[int, BaseHandler[Any, Any, Any]]]:
    return [
        (0, CallbackQueryHandler(turn_handler(button, name="reminders.button"), pattern=BUTTON))
    ]


async def on_startup(app: Any, deps: Deps) -> None:
    clock = ReminderClock(deps)
    deps.services["reminders"] = clock
    clock.start()


async def on_shutdown(app: Any, deps: Deps) -> None:
    clock = deps.services.get("reminders")
    if isinstance(clock, ReminderClock):
        clock.stop()
