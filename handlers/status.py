"""/status [unit|task] — where a unit, a task or the whole campaign stands; and the daily digest."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from bot.commands import Command
from bot.digest import DigestService
from bot.reminders.planner import calendar_gaps
from bot.roles import EVERYONE, OFFICE
from bot.status.access import may_see_campaign, may_see_unit
from bot.status.chart_worker import ChartWorker
from bot.status.overview import overview
from bot.status.resolve import resolve
from bot.status.rows import STATES
from bot.status.text import Renderer
from bot.status.views import task_view, unit_view
from bot.turn import Turn

CHART_KEEP_SECONDS = 24 * 3600
log = logging.getLogger(__name__)


async def status(turn: Turn) -> None:
    """/status, /status 虎门镇, /status 9, /status 宣传片."""
    if turn.campaign_id is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    settings = turn.deps.settings
    render = Renderer(turn.t, settings.tz, turn.actor.locale)
    text = turn.arg_text
    if not text:
        await campaign_overview(turn, render)
        return
    target = await turn.run(resolve, campaign_id=turn.campaign_id, text=text)
    if target.kind == "unit" and target.id is not None:
        decision = may_see_unit(
            turn.actor,
            target.id,
            private=turn.is_private,
            residents_see=settings.residents_see_status,
        )
        if not decision.allowed:
            turn.reply(turn.t(decision.reason))
            return
        view = await turn.run(
            unit_view,
            campaign_id=turn.campaign_id,
            unit_id=target.id,
            now=turn.now,
            tz=settings.tz,
            personal=decision.personal,
        )
        turn.reply(render.unit(view) if view else turn.t("status.unknown", text=text))
        return
    if target.kind == "task" and target.id is not None:
        decision = may_see_campaign(turn.actor, residents_see=settings.residents_see_status)
        if not decision.allowed:
            turn.reply(turn.t(decision.reason))
            return
        tview = await turn.run(
            task_view, campaign_id=turn.campaign_id, task_id=target.id, now=turn.now, tz=settings.tz
        )
        turn.reply(render.task(tview) if tview else turn.t("status.unknown", text=text))
        return
    if target.kind == "tasks":
        listed = "\n".join(f"{n}. {title}" for n, title in target.tasks)
        turn.reply(turn.t("status.ambiguous_tasks", text=text, tasks=listed))
    elif target.kind == "suggest":
        names = "、".join(u.name for u in target.units)
        turn.reply(turn.t("status.suggest", text=text, names=names))
    else:
        turn.reply(turn.t("status.unknown", text=text))


async def campaign_overview(turn: Turn, render: Renderer) -> None:
    settings = turn.deps.settings
    decision = may_see_campaign(turn.actor, residents_see=settings.residents_see_status)
    if not decision.allowed:
        turn.reply(turn.t(decision.reason))
        return
    assert turn.campaign_id is not None
    view = await turn.run(overview, campaign_id=turn.campaign_id, now=turn.now, tz=settings.tz)
    if view is None:
        turn.reply(turn.t("core.no_campaign"))
        return
    text = render.overview(view)
    if turn.actor.role in OFFICE:
        gaps = await turn.run(calendar_gaps, campaign_id=turn.campaign_id, now=turn.now)
        if gaps:
            text += "\n\n" + turn.t("status.no_calendar", years="、".join(map(str, gaps)))
    turn.reply(text)
    if not view.task_rows or not any(r.total for r in view.task_rows):
        return
    legend = {state: turn.t(f"status.legend.{state}") for state in STATES}
    title = turn.t("status.overview.chart_caption", title=view.title)
    out = chart_path(settings.media_dir, turn.update.update_id)
    try:
        path = await chart_worker(turn.deps.services).draw(
            view, title=title, legend=legend, out=out
        )
    except RuntimeError as exc:  # the chart process failed or hung (killed): the text stands
        log.warning("no chart for /status: %s", exc)
        return
    turn.reply_file(path, filename="status.png", caption=title, photo=True)


def chart_worker(services: dict[str, Any]) -> ChartWorker:
    """The process that draws charts (started with the first, see bot/status/chart_worker.py)."""
    worker = services.get("status-charts")
    if not isinstance(worker, ChartWorker):
        worker = services["status-charts"] = ChartWorker()
    return worker


def chart_path(media_dir: Path, update_id: int) -> Path:
    """Where this update's chart goes (kept a day, so a re-sent reply still finds it)."""
    folder = Path(media_dir) / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - CHART_KEEP_SECONDS
    for old in folder.glob("status-*.png"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return folder / f"status-{update_id}.png"


async def on_startup(app: Any, deps: Any) -> None:
    if deps.settings.digest_time == "off":
        return
    service = DigestService(deps)
    deps.services["digest"] = service
    service.start()


async def on_shutdown(app: Any, deps: Any) -> None:
    charts = deps.services.get("status-charts")
    if isinstance(charts, ChartWorker):
        await charts.aclose()
    service = deps.services.get("digest")
    if service is not None:
        await service.stop()


COMMANDS = [Command("status", status, roles=EVERYONE, help_key="status.help.status")]
