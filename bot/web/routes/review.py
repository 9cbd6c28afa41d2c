"""``/review`` — pending reports as a gallery; coordinators accept or reject them through
``bot.evidence.review.decide``, the service ``/accept`` and ``/reject`` use, which tells the
liaison through the outbox in the same transaction."""

from __future__ import annotations

from aiohttp import web

from bot.evidence import review
from bot.evidence.render import review_notice, translator
from bot.roles import COORDINATORS, OFFICE
from bot.web.reviewing import gallery
from bot.web.routes.common import (
    Refused,
    back,
    campaign_id,
    deps,
    form,
    pages,
    require,
    wake_delivery,
)
from storage import campaigns

DECISIONS = ("accept", "reject")


async def review_page(request: web.Request) -> web.Response:
    who = require(request, OFFICE)
    d = deps(request)
    cid = campaign_id(request)
    cards, total, flagged = await d.db.read(gallery, campaign_id=cid)
    items = await d.db.read(campaigns.list_quota_items, cid)
    names = {i.key: i.name for i in items}
    return pages(request).render(
        request,
        who,
        "review.html",
        cards=cards,
        total=total,
        flagged=flagged,
        names=names,
        note=request.query.get("note", ""),
        note_id=request.query.get("id", ""),
    )


async def decide(request: web.Request) -> web.StreamResponse:
    who = require(request, COORDINATORS)
    d = deps(request)
    data = form(request)
    decision = str(data.get("decision", ""))
    reason = str(data.get("reason", "")).strip()
    report_id = int(request.match_info["report_id"])
    if decision not in DECISIONS:
        raise Refused(request, "web.error.bad_request", 400)
    if decision == "reject" and not reason:
        raise Refused(request, "web.review.reason_needed", 400)
    catalog, default = d.catalog, d.settings.locale

    def render(result: review.ReviewResult) -> str:
        return review_notice(translator(catalog, result.locale or default), result)

    result = await d.db.run(
        review.decide,
        report_id=report_id,
        decision=decision,
        reviewer=who.actor.user_id,
        now=d.clock.now(),
        render=render,
        reason=reason,
    )
    if result.problem:
        key = "web.review.missing" if result.problem == "missing" else "web.review.state"
        raise back(f"/review?id={report_id}", key)
    wake_delivery(request)
    note = "web.review.accepted" if decision == "accept" else "web.review.rejected"
    raise back(f"/review?id={report_id}", note)


def register(app: web.Application) -> None:
    app.router.add_get("/review", review_page)
    app.router.add_post(r"/review/{report_id:\d+}", decide)
