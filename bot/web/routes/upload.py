"""``POST /units/<id>/upload`` — a liaison sends many photos at once for one task."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from bot.evidence.render import FOLLOWUP_MINUTES, ack_text
from bot.roles import LIAISON
from bot.web.routes.common import Refused, campaign_id, deps, form, pages, require
from bot.web.upload import Upload, analyse_all, record_upload

FRESH_LINE = "evidence.done.more_photos"  # "photos in the next minutes join": not so on the web


async def upload(request: web.Request) -> web.StreamResponse:
    who = require(request, frozenset({LIAISON}))
    unit_id = int(request.match_info["unit_id"])
    if who.actor.unit_id != unit_id:
        raise Refused(request, "web.error.other_unit", 403)
    d = deps(request)
    data = form(request)
    upload_id = str(data.get("upload_id", ""))
    if not upload_id.startswith("-") or not upload_id[1:].isdigit():
        raise Refused(request, "web.error.bad_request", 400)
    blobs = [f.file.read() for f in data.getall("photos", []) if isinstance(f, web.FileField)]
    if not blobs:
        raise Refused(request, "web.upload.no_files", 400)
    tz = d.settings.tz
    files, refused = await asyncio.to_thread(analyse_all, blobs, upload_id=int(upload_id), tz=tz)
    t = pages(request).t(who)
    text = f"{data.get('task', '')} {data.get('counts', '')}".strip()
    result = await d.db.run(
        record_upload,
        upload=Upload(
            campaign_id(request), unit_id, who.actor.user_id, int(upload_id), text, files
        ),
        media_dir=Path(d.settings.media_dir),
        now=d.clock.now(),
        t=t,
    )
    fresh = t(FRESH_LINE, minutes=FOLLOWUP_MINUTES)
    lines = []
    if result.outcome is not None:
        lines = [ln for ln in ack_text(t, result.outcome).splitlines() if ln != fresh]
    return pages(request).render(
        request,
        who,
        "uploaded.html",
        status=200 if result.outcome else 400,
        unit_id=unit_id,
        problem=result.problem,
        lines=lines,
        sent=len(blobs),
        refused=refused,
    )


def register(app: web.Application) -> None:
    app.router.add_post(r"/units/{unit_id:\d+}/upload", upload)
