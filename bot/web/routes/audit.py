"""``/audit`` — who did what (the audit log), newest first; coordinators only."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.roles import COORDINATORS
from bot.web.routes.common import deps, pages, require
from storage.models.core import AuditEntry, User

PAGE = 200


def _entries(session: Session, before: int | None) -> list[tuple[AuditEntry, str]]:
    query = select(AuditEntry, User.display_name).outerjoin(User, User.id == AuditEntry.actor_id)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = session.execute(query.order_by(AuditEntry.id.desc()).limit(PAGE)).all()
    return [(entry, name or "") for entry, name in rows]


async def audit_page(request: web.Request) -> web.Response:
    who = require(request, COORDINATORS)
    before = request.query.get("before", "")
    rows = await deps(request).db.read(_entries, int(before) if before.isdigit() else None)
    older = rows[-1][0].id if len(rows) == PAGE else None
    return pages(request).render(request, who, "audit.html", rows=rows, older=older)


def register(app: web.Application) -> None:
    app.router.add_get("/audit", audit_page)
