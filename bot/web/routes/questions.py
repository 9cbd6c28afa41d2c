"""``/questions`` — the residents' queue, oldest first (urgent on top), answered in place through
``bot.faq.queue.answer_question`` (the resident is told through the outbox, as by ``/answer``),
and an answer turned into a FAQ entry through ``entry_from_answer`` (coordinators publish, staff
propose), as the chat's button does."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.faq.queue import answer_question, entry_from_answer, queue_view
from bot.roles import COORDINATOR, OFFICE
from bot.web.routes.common import back, campaign_id, deps, form, pages, require, wake_delivery
from storage import web as web_store
from storage.models.questions import Question


def _answered(session: Any, campaign_id: int) -> list[Question]:
    return web_store.answered_questions(session, campaign_id, limit=20)


async def questions_page(request: web.Request) -> web.Response:
    who = require(request, OFFICE)
    d = deps(request)
    cid = campaign_id(request)
    rows, total = await d.db.read(queue_view, cid)
    answered = await d.db.read(_answered, cid)
    live = d.services.get("faq")
    entries = getattr(live, "entries", {}) or {}
    matched = {
        q.id: entries[q.matched_entry_id]
        for q in rows
        if q.matched_entry_id and q.matched_entry_id in entries
    }
    return pages(request).render(
        request,
        who,
        "questions.html",
        rows=rows,
        total=total,
        matched=matched,
        answered=answered,
        note=request.query.get("note", ""),
        note_id=request.query.get("id", ""),
    )


async def answer(request: web.Request) -> web.StreamResponse:
    who = require(request, OFFICE)
    d = deps(request)
    question_id = int(request.match_info["question_id"])
    text = str(form(request).get("answer", ""))
    catalog, locale = d.catalog, d.settings.locale

    def render(row: Question, privately: bool) -> str:
        key = "faq.answer.to_resident" if privately else "faq.answer.to_resident_group"
        return catalog.t(locale, key, question=row.masked_text[:200], answer=row.answer)

    result = await d.db.run(
        answer_question,
        question_id=question_id,
        text=text,
        staff_id=who.actor.user_id,
        now=d.clock.now(),
        render=render,
    )
    if result.status != "ok":
        raise back(f"/questions?id={question_id}", f"web.questions.{result.status}")
    wake_delivery(request)
    raise back(f"/questions?id={question_id}", "web.questions.answered")


async def make_entry(request: web.Request) -> web.StreamResponse:
    who = require(request, OFFICE)
    d = deps(request)
    question_id = int(request.match_info["question_id"])
    live = d.services.get("faq")
    publish = who.actor.role == COORDINATOR
    row = await d.db.run(
        entry_from_answer,
        campaign_id=campaign_id(request),
        question_id=question_id,
        actor_id=who.actor.user_id,
        publish=publish,
        taken=set(getattr(live, "entries", {}) or {}),
        now=d.clock.now(),
    )
    if row is None:
        raise back(f"/questions?id={question_id}", "web.questions.missing")
    if publish and live is not None:
        await live.reload(d.db)
    raise back(
        f"/questions?id={question_id}",
        "web.questions.published" if publish else "web.questions.proposed",
    )


def register(app: web.Application) -> None:
    app.router.add_get("/questions", questions_page)
    app.router.add_post(r"/questions/{question_id:\d+}/answer", answer)
    app.router.add_post(r"/questions/{question_id:\d+}/faq", make_entry)
