"""Evidence files and their thumbnails, only inside a session: the office sees every unit's,
a liaison their own unit's."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from bot.roles import OFFICE
from bot.web.routes.common import Refused, deps, visitor
from bot.web.thumbs import StoredFile, stored_file, thumbnail


async def _allowed(request: web.Request) -> StoredFile:
    who = visitor(request)
    d = deps(request)
    found = await d.db.read(stored_file, int(request.match_info["file_id"]))
    if found is None or found.campaign_id != d.campaign_id:
        raise Refused(request, "web.error.not_found", 404)
    if who.actor.role not in OFFICE and found.unit_id != who.actor.unit_id:
        raise Refused(request, "web.error.forbidden", 403)
    return found


def _private(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response


async def full(request: web.Request) -> web.StreamResponse:
    found = await _allowed(request)
    path = Path(deps(request).settings.media_dir) / found.path
    if not path.is_file():
        raise Refused(request, "web.error.not_found", 404)
    response = web.FileResponse(path, headers={"Content-Type": found.mime})
    return _private(response)


async def thumb(request: web.Request) -> web.StreamResponse:
    found = await _allowed(request)
    media_dir = Path(deps(request).settings.media_dir)
    path = await asyncio.to_thread(thumbnail, media_dir, found)
    if path is None:
        raise Refused(request, "web.error.not_found", 404)
    return _private(web.FileResponse(path, headers={"Content-Type": "image/jpeg"}))


def register(app: web.Application) -> None:
    app.router.add_get(r"/files/{file_id:\d+}", full)
    app.router.add_get(r"/files/{file_id:\d+}/thumb", thumb)
