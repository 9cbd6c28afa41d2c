"""``/reminders`` (one-off reminders waiting to be sent; cancel through
``bot.reminders.oneoff.cancel``, as ``/reminders cancel``) and ``/broadcast`` (a preview of the
chats it will reach, then ``bot.broadcast.start`` as ``/broadcast``, and its delivery report)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy.orm import Session

from bot import broadcast as broadcasts
from bot.reminders import ledger, oneoff
from bot.reminders.targets import audience, parse_target
from bot.roles import COORDINATORS
from bot.web.routes.common import back, campaign_id, deps, form, pages, require, wake_delivery
from bot.web.upload import new_upload_id
from storage import outbox
from storage.models.core import Chat
from storage.models.reminders import Broadcast


def _pending(session: Session, campaign_id: int) -> dict[str, Any]:
    rows = oneoff.pending(session)
    counted = [(r, len(audience(session, campaign_id=r.campaign_id, spec=r.target))) for r in rows]
    return {"rows": counted, "planned": ledger.planned_count(session, campaign_id)}


async def reminders_page(request: web.Request) -> web.Response:
    who = require(request, COORDINATORS)
    d = deps(request)
    found = await d.db.read(_pending, campaign_id(request))
    note, note_id = request.query.get("note", ""), request.query.get("id", "")
    return pages(request).render(
        request, who, "reminders.html", note=note, note_id=note_id, **found
    )


async def cancel(request: web.Request) -> web.StreamResponse:
    require(request, COORDINATORS)
    reminder_id = int(request.match_info["reminder_id"])
    row = await deps(request).db.run(oneoff.cancel, reminder_id)
    raise back(
        f"/reminders?id={reminder_id}", "web.reminders.cancelled" if row else "web.reminders.stale"
    )


def _preview(session: Session, *, campaign_id: int, word: str) -> dict[str, Any]:
    target = parse_target(session, campaign_id=campaign_id, word=word, here_chat=None)
    if target is None:
        return {"target": None, "chats": []}
    ids = audience(session, campaign_id=campaign_id, spec=target.spec)
    chats = [(i, (c.title if (c := session.get(Chat, i)) else "") or str(i)) for i in ids]
    return {"target": target, "chats": chats}


async def broadcast_page(request: web.Request) -> web.Response:
    who = require(request, COORDINATORS)
    return pages(request).render(request, who, "broadcast.html", step="write", word="", text="")


async def preview(request: web.Request) -> web.Response:
    who = require(request, COORDINATORS)
    data = form(request)
    word, text = str(data.get("target", "")).strip(), str(data.get("text", "")).strip()
    found = await deps(request).db.read(_preview, campaign_id=campaign_id(request), word=word)
    problem = ""
    if found["target"] is None:
        problem = "web.broadcast.unknown_target"
    elif not text:
        problem = "web.broadcast.empty"
    elif not found["chats"]:
        problem = "web.broadcast.nobody"
    return pages(request).render(
        request,
        who,
        "broadcast.html",
        status=400 if problem else 200,
        step="write" if problem else "confirm",
        problem=problem,
        word=word,
        text=text,
        origin=new_upload_id(),
        **found,
    )


def _start(session: Session, *, spec: str, campaign_id: int, **kw: Any) -> int:
    chat_ids = audience(session, campaign_id=campaign_id, spec=spec)
    return broadcasts.start(session, chat_ids=chat_ids, target=spec, **kw).id if chat_ids else 0


async def send(request: web.Request) -> web.StreamResponse:
    who = require(request, COORDINATORS)
    d = deps(request)
    data = form(request)
    origin = str(data.get("origin", ""))
    if not origin.startswith("-") or not origin[1:].isdigit():
        raise back("/broadcast")
    found = await d.db.read(
        _preview, campaign_id=campaign_id(request), word=str(data.get("target", ""))
    )
    text = str(data.get("text", "")).strip()
    if found["target"] is None or not text:
        raise back("/broadcast")
    broadcast_id = await d.db.run(
        _start,
        spec=found["target"].spec,
        campaign_id=campaign_id(request),
        created_by=who.actor.user_id,
        chat_id=who.actor.user_id,  # the delivery report also goes to their private chat
        locale=who.actor.locale,
        text=text,
        photo=None,
        now=d.clock.now(),
        origin_update=int(origin),  # the same form sent twice starts nothing new
    )
    wake_delivery(request)
    raise back(f"/broadcast/{broadcast_id}")


def _report(session: Session, broadcast_id: int) -> dict[str, Any] | None:
    row = session.get(Broadcast, broadcast_id)
    if row is None:
        return None
    rows = outbox.batch_rows(session, f"{broadcasts.BATCH_PREFIX}{row.id}")
    failed = [(r.chat_id, broadcasts.reason_of(r.last_error)) for r in rows if r.state == "failed"]
    sent = sum(r.state == "sent" for r in rows)
    return {"row": row, "sent": sent, "failed": failed, "open": len(rows) - sent - len(failed)}


async def report(request: web.Request) -> web.Response:
    who = require(request, COORDINATORS)
    found = await deps(request).db.read(_report, int(request.match_info["broadcast_id"]))
    if found is None:
        raise back("/broadcast")
    return pages(request).render(request, who, "broadcast_report.html", **found)


def register(app: web.Application) -> None:
    app.router.add_get("/reminders", reminders_page)
    app.router.add_post(r"/reminders/{reminder_id:\d+}/cancel", cancel)
    app.router.add_get("/broadcast", broadcast_page)
    app.router.add_post("/broadcast/preview", preview)
    app.router.add_post("/broadcast/send", send)
    app.router.add_get(r"/broadcast/{broadcast_id:\d+}", report)
