"""``/export`` — the dossier (资料汇编 workbook and evidence ZIP) built by
``bot.export.dossier.export_campaign``, as ``/export`` builds it, in the background with its
progress on the page; the files are downloaded inside the session, by coordinators only."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot.export.dossier import ExportResult, export_campaign
from bot.memory import trim
from bot.roles import COORDINATORS
from bot.web.routes.common import campaign_id, deps, pages, require

log = logging.getLogger(__name__)
KINDS = {
    "workbook": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "archive": "application/zip",
}


@dataclass
class ExportJob:
    """The export being built (one at a time) or the last one built."""

    stage: str = ""
    done: int = 0
    total: int = 0
    running: bool = False
    error: str = ""
    result: ExportResult | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total


JOB: web.AppKey[ExportJob] = web.AppKey("export-job")


def exports_dir(media_dir: Path) -> Path:
    """Where exports are written: beside the media directory, as the chat's /export writes."""
    return Path(media_dir).resolve().parent / "exports"


async def export_page(request: web.Request) -> web.Response:
    who = require(request, COORDINATORS)
    return pages(request).render(request, who, "export.html", job=request.app[JOB])


async def start(request: web.Request) -> web.StreamResponse:
    require(request, COORDINATORS)
    job = request.app[JOB]
    if not job.running:
        job.running, job.error, job.result = True, "", None
        job.progress("start", 0, 0)
        task = asyncio.create_task(_build(request, job, campaign_id(request)))
        job.tasks.add(task)
        task.add_done_callback(job.tasks.discard)
    raise web.HTTPSeeOther("/export")


async def _build(request: web.Request, job: ExportJob, cid: int) -> None:
    d = deps(request)
    try:
        job.result = await asyncio.to_thread(
            export_campaign,
            d.settings.database_url,
            campaign_id=cid,
            out_dir=exports_dir(d.settings.media_dir),
            media_dir=Path(d.settings.media_dir),
            tz=d.settings.tz,
            now=d.clock.now(),
            progress=job.progress,
        )
    except Exception as exc:
        log.exception("export from the dashboard failed")
        job.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        job.running = False
        trim()


async def download(request: web.Request) -> web.StreamResponse:
    require(request, COORDINATORS)
    kind = request.match_info["kind"]
    result = request.app[JOB].result
    if result is None or kind not in KINDS:
        raise web.HTTPSeeOther("/export")
    path: Path = getattr(result, kind)
    disposition = f"attachment; filename*=UTF-8''{quote(path.name)}"
    return web.FileResponse(
        path, headers={"Content-Type": KINDS[kind], "Content-Disposition": disposition}
    )


def register(app: web.Application) -> None:
    app[JOB] = ExportJob()
    app.router.add_get("/export", export_page)
    app.router.add_post("/export", start)
    app.router.add_get("/export/{kind}", download)
