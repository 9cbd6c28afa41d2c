"""/done (text, caption, album, reply, follow-up photos), /review, /accept, /reject, /undo."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.commands import Command, guarded
from bot.evidence import media, review
from bot.evidence.collector import SERVICE, AlbumCollector
from bot.evidence.flow import loose_media, report_done
from bot.evidence.render import (
    counts_text,
    flag_lines,
    review_notice,
    review_problem,
    translator,
)
from bot.ids import parse_id
from bot.render import fmt_datetime
from bot.roles import COORDINATOR, COORDINATORS, LIAISON
from bot.turn import Turn, turn_handler
from storage import campaigns
from storage import evidence as evidence_store

if TYPE_CHECKING:
    from bot.deps import Deps

log = logging.getLogger(__name__)
LIAISONS = frozenset({LIAISON})
DONE_CAPTION = r"^/done(?:@\w+)?(?:\s|$)"
REASONS = ("unclear", "mismatch")
FILES_SHOWN = 4
PRIVACY_WARNING = (
    "Telegram privacy mode: in groups a bot only sees commands addressed to it unless privacy "
    "mode is off (BotFather /setprivacy → Disable) or the bot is a group admin; photos sent "
    "after a /done, and albums whose caption is not on the first item, need one of the two."
)


async def done(turn: Turn) -> None:
    """/done <task> <counts> — report a task, with photos, an album or a PDF."""
    await report_done(turn)


async def review_(turn: Turn) -> None:
    """/review — the oldest pending reports, their files and accept/reject buttons."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    views, total = await turn.run(review.pending, campaign_id=turn.campaign_id)
    if not views:
        turn.reply(turn.t("evidence.review.none"))
        return
    items = await turn.run(campaigns.list_quota_items, turn.campaign_id)
    names = {i.key: i.name for i in items}
    turn.reply(turn.t("evidence.review.title", n=total, shown=len(views)))
    tz, loc = turn.deps.settings.tz, turn.actor.locale
    for view in views:
        for file_id, mime in view.files[:FILES_SHOWN]:
            photo = mime.startswith("image/") and mime != "image/heic"
            method = "sendPhoto" if photo else "sendDocument"
            payload = {"method": method, "file_id": file_id, "caption": f"#{view.report_id}"}
            turn.replies.append({"chat_id": turn.chat_id, "payload": payload})
        lines = [
            turn.t(
                "evidence.review.item",
                id=view.report_id,
                unit=view.unit_name,
                number=view.task_number,
                counts=counts_text(turn.t, view.counts, names),
                files=len(view.files),
                when=fmt_datetime(view.created_at, tz, loc),
            )
        ]
        if len(view.files) > FILES_SHOWN:
            lines.append(turn.t("evidence.review.more_files", n=len(view.files) - FILES_SHOWN))
        if view.flags:
            lines.append(turn.t("evidence.review.held"))
            lines.extend(flag_lines(turn.t, view.flags))
        turn.reply("\n".join(lines), markup=_buttons(turn, view.report_id), quote=False)


def _buttons(turn: Turn, report_id: int) -> dict[str, Any]:
    row = [
        {"text": turn.t("evidence.review.accept_button"), "callback_data": f"ev:acc:{report_id}"}
    ]
    for reason in REASONS:
        row.append(
            {
                "text": turn.t(f"evidence.review.reject_{reason}"),
                "callback_data": f"ev:rej:{report_id}:{reason}",
            }
        )
    return {"inline_keyboard": [row]}


async def _decide(turn: Turn, report_id: int, decision: str, reason: str = "") -> bool:
    deps = turn.deps

    def render(result: review.ReviewResult) -> str:
        locale = result.locale or deps.settings.locale
        return review_notice(translator(deps.catalog, locale), result)

    result = await turn.run(
        review.decide,
        report_id=report_id,
        decision=decision,
        reviewer=turn.actor.user_id,
        now=turn.now,
        render=render,
        reason=reason,
    )
    if result.problem:
        turn.reply(review_problem(turn.t, result))
        return False
    key = "evidence.review.accepted" if decision == "accept" else "evidence.review.rejected"
    turn.reply(turn.t(key, id=report_id, reason=result.reason))
    delivery = deps.services.get("delivery")
    if delivery is not None:
        delivery.wake()
    return True


async def accept(turn: Turn) -> None:
    """/accept <id> — accept a report."""
    report_id = parse_id(turn.args[0]) if len(turn.args) == 1 else None
    if report_id is None:
        turn.reply(turn.t("evidence.review.usage_accept"))
        return
    await _decide(turn, report_id, "accept")


async def reject(turn: Turn) -> None:
    """/reject <id> <reason> — reject a report; its counts are withdrawn."""
    report_id = parse_id(turn.args[0]) if len(turn.args) >= 2 else None
    if report_id is None:
        turn.reply(turn.t("evidence.review.usage_reject"))
        return
    reason = turn.arg_text.split(maxsplit=1)[1]
    await _decide(turn, report_id, "reject", reason)


async def review_button(turn: Turn) -> None:
    """The accept/reject buttons under a /review item."""
    query = turn.update.callback_query
    if query is None or not query.data:
        return
    if turn.actor.role != COORDINATOR:
        await query.answer(turn.t("evidence.review.only_coordinators"), show_alert=True)
        return
    await query.answer()
    parts = query.data.split(":")
    report_id = parse_id(parts[2]) if len(parts) >= 3 else None
    if report_id is None:
        turn.reply(turn.t("ids.stale_button"))
        return
    reason = ""
    if parts[1] == "rej":
        code = parts[3] if len(parts) > 3 and parts[3] in REASONS else REASONS[0]
        reason = turn.t(f"evidence.review.reason_{code}")
    decided = await _decide(turn, report_id, "accept" if parts[1] == "acc" else "reject", reason)
    if decided:
        with contextlib.suppress(Exception):
            await query.edit_message_reply_markup(reply_markup=None)


async def undo(turn: Turn) -> None:
    """/undo — withdraw your last report (within 10 minutes, while it is not reviewed)."""
    result = await turn.run(review.undo, user_id=turn.actor.user_id, now=turn.now)
    if result is None:
        turn.reply(turn.t("evidence.undo.none"))
        return
    key = {"reviewed": "evidence.undo.reviewed", "withdrawn": "evidence.undo.already"}.get(
        result.problem, "evidence.undo.done"
    )
    state = turn.t(f"evidence.state.{result.state}")
    turn.reply(turn.t(key, id=result.report_id, number=result.task_number, state=state))


COMMANDS = [
    Command("done", done, roles=LIAISONS, help_key="evidence.help.done"),
    Command("undo", undo, roles=LIAISONS, help_key="evidence.help.undo"),
    Command("review", review_, roles=COORDINATORS, help_key="evidence.help.review"),
    Command("accept", accept, roles=COORDINATORS, help_key="evidence.help.accept"),
    Command("reject", reject, roles=COORDINATORS, help_key="evidence.help.reject"),
]


def handlers(deps: Deps) -> list[tuple[int, BaseHandler[Any, Any, Any]]]:
    media = filters.PHOTO | filters.Document.ALL
    caption_done = Command("done", done, roles=LIAISONS)
    return [
        (
            0,
            MessageHandler(
                filters.CaptionRegex(DONE_CAPTION) & media,
                turn_handler(guarded(caption_done), name="evidence.done_caption"),
            ),
        ),
        (
            0,  # an edited text /done (commands see new messages only): apply it or say why not
            MessageHandler(
                filters.UpdateType.EDITED_MESSAGE & filters.Regex(DONE_CAPTION),
                turn_handler(guarded(caption_done), name="evidence.done_edited"),
            ),
        ),
        (0, CallbackQueryHandler(turn_handler(review_button), pattern=r"^ev:(acc|rej):")),
        (
            10,
            MessageHandler(
                media & ~filters.CaptionRegex(DONE_CAPTION),
                turn_handler(loose_media, name="evidence.loose_media"),
            ),
        ),
    ]


async def on_startup(app: Any, deps: Deps) -> None:
    if not app.bot.can_read_all_group_messages:  # getMe says privacy mode is on
        log.warning(PRIVACY_WARNING)
    collector = AlbumCollector(deps)
    deps.services[SERVICE] = collector
    recovered = await collector.recover()
    if recovered:
        log.info("acknowledging %d albums a previous run left unfinished", recovered)
    deps.services["evidence-sweep"] = asyncio.create_task(sweep_media(deps))


async def sweep_media(deps: Deps) -> None:
    """Remove stored files no report refers to (discarded albums, crashes), in the background."""
    try:
        referenced = await deps.db.run(evidence_store.stored_paths)
        media_dir = Path(deps.settings.media_dir)
        removed = await asyncio.to_thread(
            media.sweep_orphans, media_dir, referenced, older_than=3600
        )
        if removed:
            log.info("removed %d evidence files no report refers to", removed)
    except Exception:
        log.exception("sweeping the media directory failed")


async def on_shutdown(app: Any, deps: Deps) -> None:
    collector = deps.services.get(SERVICE)
    if collector is not None:
        await collector.stop()
