"""``/roster`` — the 附件3 roster (units, their liaisons with contacts, units still missing one)
from ``bot.liaison_admin.roster`` as ``/liaisons``, and its workbook from
``bot.liaison_export.export_roster`` as ``/liaisons export``. Personal data: office only."""

from __future__ import annotations

import tempfile
from pathlib import Path

from aiohttp import web

from bot.liaison_admin import roster
from bot.liaison_export import export_name, export_roster
from bot.registration_form import FIELDS
from bot.roles import OFFICE
from bot.web.routes.common import campaign_id, deps, pages, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def roster_page(request: web.Request) -> web.Response:
    who = require(request, OFFICE)
    found = await deps(request).db.read(roster, campaign_id=campaign_id(request))
    return pages(request).render(request, who, "roster.html", roster=found, fields=FIELDS)


async def roster_xlsx(request: web.Request) -> web.StreamResponse:
    who = require(request, OFFICE)
    d = deps(request)
    t = pages(request).t(who)
    now = d.clock.now()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "roster.xlsx"
        await d.db.read(
            export_roster, campaign_id=campaign_id(request), path=path, label=t, tz=d.settings.tz
        )
        body = path.read_bytes()
    name = export_name(now)
    return web.Response(
        body=body,
        content_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def register(app: web.Application) -> None:
    app.router.add_get("/roster", roster_page)
    app.router.add_get("/roster.xlsx", roster_xlsx)
