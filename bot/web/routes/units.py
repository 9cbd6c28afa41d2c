"""A unit's page (its tasks and progress, reports, next interview, reminders sent; liaisons and
their contacts for the office only) and a task's page (every unit's state in it)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from bot.roles import OFFICE
from bot.status.views import task_view, unit_view
from bot.web.reviewing import unit_reports
from bot.web.routes.common import Refused, campaign_id, deps, pages, require, visitor
from bot.web.upload import new_upload_id
from storage import campaigns
from storage import web as web_store


def _unit_page(
    session: Session, *, campaign_id: int, unit_id: int, task_number: int | None, **kw: Any
) -> dict[str, Any] | None:
    view = unit_view(session, campaign_id=campaign_id, unit_id=unit_id, **kw)
    if view is None:
        return None
    task = (
        web_store.task_by_number(session, campaign_id, task_number)
        if task_number is not None
        else None
    )
    return {
        "view": view,
        "reports": unit_reports(session, unit_id=unit_id, task_id=task.id if task else None),
        "reminders": web_store.reminders_sent(session, unit_id),
        "task_filter": task,
        "names": {i.key: i.name for i in campaigns.list_quota_items(session, campaign_id)},
    }


async def unit_page(request: web.Request) -> web.Response:
    who = visitor(request)
    unit_id = int(request.match_info["unit_id"])
    if who.actor.role not in OFFICE and who.actor.unit_id != unit_id:
        raise Refused(request, "web.error.other_unit", 403)
    d = deps(request)
    task = request.query.get("task", "")
    found = await d.db.read(
        _unit_page,
        campaign_id=campaign_id(request),
        unit_id=unit_id,
        task_number=int(task) if task.isdigit() else None,
        now=d.clock.now(),
        tz=d.settings.tz,
        personal="contacts" if who.actor.role in OFFICE else "none",
    )
    if found is None:
        raise Refused(request, "web.error.not_found", 404)
    note = request.query.get("note", "")
    return pages(request).render(
        request, who, "unit.html", note=note, upload_id=new_upload_id(), **found
    )


async def task_page(request: web.Request) -> web.Response:
    who = require(request, OFFICE)
    d = deps(request)
    cid = campaign_id(request)
    task = await d.db.read(web_store.task_by_number, cid, int(request.match_info["number"]))
    view = (
        await d.db.read(
            task_view, campaign_id=cid, task_id=task.id, now=d.clock.now(), tz=d.settings.tz
        )
        if task is not None
        else None
    )
    if view is None:
        raise Refused(request, "web.error.not_found", 404)
    return pages(request).render(request, who, "task.html", view=view)


def register(app: web.Application) -> None:
    app.router.add_get(r"/units/{unit_id:\d+}", unit_page)
    app.router.add_get(r"/tasks/{number:\d+}", task_page)
