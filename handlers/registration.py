"""The registration dialog: ``/start <token>`` (and ``/me edit``) walk a liaison through the
附件3 form in a private chat, one field at a time, then a summary to confirm or correct.
``/me`` shows one's own registration. States are persisted (bot/persistence.py) and the answers
live in the draft table, so a restart mid-dialog resumes where it was."""

from __future__ import annotations

import contextlib
import warnings
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import liaison_admin, registration
from bot.commands import Command, role_names
from bot.deps import Deps
from bot.persistence import PersistentConversation
from bot.registration import Step
from bot.registration_form import FIELDS
from bot.render import fmt_datetime
from bot.roles import EVERYONE
from bot.turn import Turn, turn_handler

FORM, SUMMARY = "form", "summary"
END = ConversationHandler.END
REFUSALS = ("limited", "unknown", "revoked", "used", "spent", "expired", "already")


# -- rendering ---------------------------------------------------------------------------------
def prompt(turn: Turn, field: str) -> tuple[str, dict[str, Any] | None]:
    n = FIELDS.index(field) + 1
    text = turn.t("registration.progress", n=n, total=len(FIELDS)) + turn.t(
        f"registration.prompt.{field}"
    )
    if field != "gender":
        return text, None
    row = [
        {"text": turn.t("registration.gender.male"), "callback_data": "reg:g:m"},
        {"text": turn.t("registration.gender.female"), "callback_data": "reg:g:f"},
    ]
    return text, {"inline_keyboard": [row]}


def summary(turn: Turn, step: Step) -> tuple[str, dict[str, Any]]:
    empty = turn.t("registration.summary.empty")
    lines = [
        turn.t("registration.summary.title"),
        f"{turn.t('registration.summary.unit')}：{step.unit}",
    ]
    for f in FIELDS:
        lines.append(f"{turn.t(f'registration.field.{f}')}：{step.answers.get(f) or empty}")
    lines.append("")
    lines.append(turn.t("registration.summary.footer"))
    edits = [
        {
            "text": turn.t("registration.button.edit", field=turn.t(f"registration.field.{f}")),
            "callback_data": f"reg:e:{f}",
        }
        for f in FIELDS
    ]
    rows = [[{"text": turn.t("registration.button.confirm"), "callback_data": "reg:ok"}]]
    rows += [edits[i : i + 2] for i in range(0, len(edits), 2)]
    rows.append([{"text": turn.t("registration.button.cancel"), "callback_data": "reg:x"}])
    return "\n".join(lines), {"inline_keyboard": rows}


def show(turn: Turn, step: Step, prefix: str = "") -> object:
    """Reply with what the step calls for; return the conversation state that follows."""
    head = prefix + "\n\n" if prefix else ""
    if step.status in ("ask", "invalid"):
        if step.status == "invalid":
            head += turn.t(f"registration.invalid.{step.error}") + "\n"
        text, markup = prompt(turn, step.asking)
        turn.reply(head + text, markup=markup)
        return FORM
    if step.status in ("summary", "hint"):
        if step.status == "hint":
            head += turn.t("registration.summary.hint") + "\n\n"
        text, markup = summary(turn, step)
        turn.reply(head + text, markup=markup)
        return SUMMARY
    if step.status == "confirmed":
        key = "updated" if step.resumed else ("primary" if step.is_primary else "backup")
        turn.reply(turn.t(f"registration.done.{key}", unit=step.unit))
        return END
    if step.status == "revoked":
        turn.reply(turn.t("registration.done.revoked"))
        return END
    turn.reply(turn.t("registration.gone"))
    return END


# -- the dialog --------------------------------------------------------------------------------
async def start_token(turn: Turn) -> object:
    """``/start <token>``: the deep link of an invite."""
    if turn.is_group:
        turn.reply(turn.t("registration.start.group"))
        return END
    if turn.campaign_id is None:
        turn.reply(turn.t("registration.start.no_campaign"))
        return END
    step = await turn.run(
        registration.redeem,
        token=turn.args[0] if turn.args else "",
        user_id=turn.actor.user_id,
        campaign_id=turn.campaign_id,
        now=turn.now,
    )
    if step.status in REFUSALS:
        when = step.expires_at
        shown = fmt_datetime(when, turn.deps.settings.tz, turn.actor.locale) if when else ""
        turn.reply(turn.t(f"registration.start.{step.status}", when=shown))
        return END
    key = "resumed" if step.resumed else "welcome"
    return show(turn, step, turn.t(f"registration.start.{key}", unit=step.unit, total=len(FIELDS)))


async def me_edit(turn: Turn) -> object:
    """``/me edit``: a registered liaison corrects their details from the summary."""
    if turn.is_group:
        turn.reply(turn.t("core.refuse.private_only", command="me"))
        return END
    if turn.campaign_id is None:
        turn.reply(turn.t("registration.start.no_campaign"))
        return END
    step = await turn.run(
        registration.start_edit,
        user_id=turn.actor.user_id,
        campaign_id=turn.campaign_id,
        now=turn.now,
    )
    if step.status == "not_liaison":
        turn.reply(turn.t("registration.me.edit_refused"))
        return END
    return show(turn, step)


async def confirm(turn: Turn) -> Step:
    deps = turn.deps
    step = await turn.run(
        registration.confirm,
        user_id=turn.actor.user_id,
        now=turn.now,
        coordinators=deps.settings.admins | deps.extra_admins,
        render=registration.renderer(deps.catalog, deps.settings.locale),
        locale=deps.settings.locale,
    )
    delivery = deps.services.get("delivery")
    if delivery is not None and step.status == "confirmed":
        delivery.wake()  # the coordinators' notice
    return step


async def on_text(turn: Turn) -> object:
    """A plain text answer in the dialog (never reaches the FAQ fallback)."""
    step = await turn.run(
        registration.answer,
        user_id=turn.actor.user_id,
        text=turn.text,
        now=turn.now,
        update_id=turn.update.update_id,
    )
    if step.status == "confirm":
        step = await confirm(turn)
    raise ApplicationHandlerStop(show(turn, step))


async def on_button(turn: Turn) -> object:
    """Gender buttons, confirm, correct a field, cancel."""
    query = turn.update.callback_query
    data = (query.data if query else "") or ""
    if query is not None:
        with contextlib.suppress(TelegramError):
            await query.answer()
    user = turn.actor.user_id
    if data == "reg:ok":
        step = await confirm(turn)
    elif data == "reg:x":
        return await cancel(turn)
    elif data.startswith("reg:e:"):
        step = await turn.run(registration.choose_field, user_id=user, name=data[6:], now=turn.now)
    elif data in ("reg:g:m", "reg:g:f"):
        value = "男" if data.endswith("m") else "女"
        step = await turn.run(
            registration.answer, user_id=user, text=value, now=turn.now, only="gender"
        )
    else:
        step = await turn.run(registration.current, user_id=user)
    return show(turn, step)


async def cancel(turn: Turn) -> object:
    """``/cancel``: leave without saving."""
    await turn.run(registration.cancel, user_id=turn.actor.user_id, now=turn.now)
    turn.reply(turn.t("registration.cancelled"))
    raise ApplicationHandlerStop(END)


async def stale_button(turn: Turn) -> None:
    """A form button pressed after the dialog ended."""
    query = turn.update.callback_query
    if query is not None:
        with contextlib.suppress(TelegramError):
            await query.answer(turn.t("registration.closed"))


# -- /me ---------------------------------------------------------------------------------------
async def me(turn: Turn) -> None:
    """``/me``: your role and, for a liaison, the registered details (private chat only)."""
    lines = [turn.t("registration.me.title", role=role_names(turn))]
    mine = None
    if turn.campaign_id is not None:
        mine = await turn.run(
            liaison_admin.my_record, campaign_id=turn.campaign_id, user_id=turn.actor.user_id
        )
    if mine is None:
        lines.append(turn.t("registration.me.not_liaison"))
    else:
        which = turn.t(
            "registration.role.primary" if mine.is_primary else "registration.role.backup"
        )
        lines.append(turn.t("registration.me.record", unit=mine.unit, which=which))
        empty = turn.t("registration.summary.empty")
        for f in FIELDS:
            lines.append(f"{turn.t(f'registration.field.{f}')}：{getattr(mine, f) or empty}")
        lines.append(turn.t("registration.me.edit_hint"))
    turn.reply("\n".join(lines))


def handlers(deps: Deps) -> list[tuple[int, BaseHandler[Update, Any, Any]]]:
    message = filters.UpdateType.MESSAGE
    text = filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE & message
    steps: list[BaseHandler[Update, Any, Any]] = [
        MessageHandler(text, turn_handler(on_text)),
        CallbackQueryHandler(turn_handler(on_button), pattern=r"^reg:"),
    ]
    with warnings.catch_warnings():  # per_message=False with a CallbackQueryHandler is intended
        warnings.simplefilter("ignore")
        dialog = PersistentConversation(
            entry_points=[
                CommandHandler(
                    "start",
                    turn_handler(start_token),
                    filters=message & filters.Regex(r"^/start(@\w+)?\s+\S+"),
                ),
                CommandHandler(
                    "me",
                    turn_handler(me_edit),
                    filters=message & filters.Regex(r"^/me(@\w+)?\s+(edit|修改)\s*$"),
                ),
            ],
            states={FORM: steps, SUMMARY: steps},
            fallbacks=[CommandHandler("cancel", turn_handler(cancel), filters=message)],
            name="registration",
            persistent=True,
            allow_reentry=True,
        )
    stale = CallbackQueryHandler(turn_handler(stale_button), pattern=r"^reg:")
    return [(0, dialog), (0, stale)]


COMMANDS = [Command("me", me, roles=EVERYONE, chats="private", help_key="registration.help.me")]
