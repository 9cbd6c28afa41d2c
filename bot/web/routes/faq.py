"""``/faq`` — the FAQ entries: add (coordinators publish, staff propose), edit and approve
(coordinators), through ``bot.faq.editing`` as ``/faq add|edit|approve``; every published change
rebuilds the live matcher (``LiveFaq.reload``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.faq import editing
from bot.roles import COORDINATOR, COORDINATORS, OFFICE
from bot.web.routes.common import Refused, back, campaign_id, deps, form, pages, require


def _live(request: web.Request) -> Any:
    live = deps(request).services.get("faq")
    if live is None:
        raise Refused(request, "web.faq.not_loaded", 503)
    return live


async def faq_page(request: web.Request) -> web.Response:
    who = require(request, OFFICE)
    live = _live(request)
    proposals = await deps(request).db.read(editing.pending, campaign_id(request))
    entries = sorted(live.entries.values(), key=lambda e: e.id)
    note, note_id = request.query.get("note", ""), request.query.get("id", "")
    return pages(request).render(
        request, who, "faq.html", entries=entries, proposals=proposals, note=note, note_id=note_id
    )


async def add(request: web.Request) -> web.StreamResponse:
    who = require(request, OFFICE)
    d, live, data = deps(request), _live(request), form(request)
    question, answer = str(data.get("question", "")).strip(), str(data.get("answer", "")).strip()
    alt = tuple(a.strip() for a in str(data.get("alt", "")).splitlines() if a.strip())
    if not question or not answer:
        raise back("/faq", "web.faq.incomplete")
    publish = who.actor.role == COORDINATOR
    row = await d.db.run(
        editing.add_entry,
        campaign_id=campaign_id(request),
        draft=editing.Draft(question, answer, alt),
        actor_id=who.actor.user_id,
        publish=publish,
        taken=set(live.entries),
        now=d.clock.now(),
    )
    if publish:
        await live.reload(d.db)
    raise back(f"/faq?id={row.entry_id}", "web.faq.published" if publish else "web.faq.proposed")


async def edit(request: web.Request) -> web.StreamResponse:
    who = require(request, COORDINATORS)
    d, live, data = deps(request), _live(request), form(request)
    entry_id = request.match_info["entry_id"]
    current = live.entries.get(entry_id)
    if current is None:
        raise Refused(request, "web.error.not_found", 404)
    alt = tuple(a.strip() for a in str(data.get("alt", "")).splitlines() if a.strip())
    draft = editing.Draft(
        str(data.get("question", "")).strip(), str(data.get("answer", "")).strip(), alt
    )
    await d.db.run(
        editing.edit_entry,
        campaign_id=campaign_id(request),
        current=current,
        draft=draft,
        actor_id=who.actor.user_id,
        now=d.clock.now(),
    )
    await live.reload(d.db)
    raise back(f"/faq?id={entry_id}", "web.faq.published")


async def approve(request: web.Request) -> web.StreamResponse:
    who = require(request, COORDINATORS)
    d, live = deps(request), _live(request)
    entry_id = request.match_info["entry_id"]
    row = await d.db.run(
        editing.approve_entry,
        campaign_id=campaign_id(request),
        entry_id=entry_id,
        actor_id=who.actor.user_id,
        now=d.clock.now(),
    )
    if row is None:
        raise back(f"/faq?id={entry_id}", "web.faq.no_proposal")
    await live.reload(d.db)
    raise back(f"/faq?id={entry_id}", "web.faq.published")


def register(app: web.Application) -> None:
    app.router.add_get("/faq", faq_page)
    app.router.add_post("/faq", add)
    app.router.add_post(r"/faq/{entry_id:[\w.-]+}/edit", edit)
    app.router.add_post(r"/faq/{entry_id:[\w.-]+}/approve", approve)
