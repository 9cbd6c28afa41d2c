"""``/`` — the progress matrix, filtered by unit tag and task; liaisons go to their unit."""

from __future__ import annotations

from aiohttp import web

from bot.roles import OFFICE
from bot.web.app import MATRIX_CACHE
from bot.web.matrix import filtered
from bot.web.routes.common import campaign_id, deps, pages, require, visitor


async def matrix_page(request: web.Request) -> web.StreamResponse:
    who = visitor(request)
    if who.actor.role not in OFFICE and who.actor.unit_id is not None:
        raise web.HTTPSeeOther(f"/units/{who.actor.unit_id}")
    require(request, OFFICE)
    d = deps(request)
    tag = request.query.get("tag", "")
    task = request.query.get("task", "")
    cache = request.app[MATRIX_CACHE]
    full = await d.db.read(
        cache.get, campaign_id=campaign_id(request), now=d.clock.now(), tz=d.settings.tz
    )
    view = filtered(full, tag=tag, task_number=int(task) if task.isdigit() else None)
    return pages(request).render(request, who, "matrix.html", view=view, tag=tag, task=task)


def register(app: web.Application) -> None:
    app.router.add_get("/", matrix_page)
