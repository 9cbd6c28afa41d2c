"""Every page as each role sees it, over HTTP: the matrix agrees with /status, review tells the
liaison through the outbox, questions are escaped and answered, files only inside a session."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from bot.status.overview import overview
from storage.models.evidence import Report
from storage.models.intake import OutboxMessage
from storage.models.questions import Question
from tests.e2e.test_evidence import Liaisons, picture, send_and_settle
from tests.harness import HOUSEHOLD
from tests.web.client import browser, csrf_of, sign_in, web_session

THUMB = re.compile(r'src="/files/(\d+)/thumb"')


async def test_matrix_agrees_with_status(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, base), browser() as client:
        humen = liaisons.make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, picture(1), caption="/done 9 海报80")
        )
        page = await sign_in(h, base, h.admin, client)
        assert "海报 80/100" in page
        d = h.deps
        view = await d.db.read(
            overview, campaign_id=d.campaign_id, now=d.clock.now(), tz=d.settings.tz
        )
        assert view is not None
        for unit in view.unit_rows:
            cell = re.search(
                rf'<a href="/units/{unit.unit_id}">[^<]*</a></th><td class="n">(\d+)/(\d+)</td>',
                page,
            )
            assert cell, unit.name
            assert (int(cell.group(1)), int(cell.group(2))) == (unit.done, unit.total), unit.name
        async with client.get(f"{base}/", params={"tag": "镇街", "task": "9"}) as filtered:
            body = await filtered.text()
            assert "虎门镇" in body and 'href="/tasks/9"' in body and 'href="/tasks/8"' not in body
        async with client.get(f"{base}/tasks/9") as task:
            assert task.status == 200 and "虎门镇" in await task.text()

        # the page keeps the last matrix while nothing changed: a new report shows at once,
        # and so does a rejection
        await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, picture(2), caption="/done 9 海报15")
        )
        async with client.get(f"{base}/") as again:
            assert "海报 95/100" in await again.text()
        csrf = csrf_of(page)
        last = reports_of(h)[-1].id
        data = {"decision": "reject", "reason": "重复", "csrf": csrf}
        async with client.post(f"{base}/review/{last}", data=data) as rejected:
            assert rejected.status == 200
        async with client.get(f"{base}/") as after:
            assert "海报 80/100" in await after.text()


async def test_review_accept_tells_the_liaison(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, base), browser() as client:
        humen = liaisons.make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, picture(1), caption="/done 9 海报20")
        )
        await sign_in(h, base, h.admin, client)
        async with client.get(f"{base}/review") as gallery:
            html = await gallery.text()
        report_id = reports_of(h)[0].id
        assert f"#{report_id}" in html
        file_id = THUMB.search(html).group(1)  # type: ignore[union-attr]
        async with client.get(f"{base}/files/{file_id}/thumb") as thumb:
            assert thumb.status == 200 and thumb.headers["Content-Type"] == "image/jpeg"
        async with client.get(f"{base}/files/{file_id}") as full:
            assert full.status == 200 and await full.read() == picture(1)
        async with browser() as stranger, stranger.get(f"{base}/files/{file_id}") as refused:
            assert refused.status == 401

        url = f"{base}/review/{report_id}"
        async with client.post(url, data={"decision": "accept"}) as forged:
            assert forged.status == 403  # no CSRF token
        assert reports_of(h)[0].state == "pending"
        start = h.api.mark()
        async with client.post(url, data={"decision": "accept", "csrf": csrf_of(html)}) as done:
            assert done.status == 200 and "已通过" in await done.text()
        await h.settle()
        assert reports_of(h)[0].state == "accepted"
        told = h.api.messages_since(start, chat)
        assert len(told) == 1 and f"#{report_id}" in told[0].body and "通过" in told[0].body
        async with client.post(url, data={"decision": "accept", "csrf": csrf_of(html)}) as again:
            assert "已处理过" in await again.text()


async def test_review_reject_needs_a_reason_and_liaisons_cannot_review(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, base), browser() as client:
        humen = liaisons.make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, picture(1), caption="/done 9 海报20")
        )
        report_id = reports_of(h)[0].id
        async with browser() as as_liaison:
            page = await sign_in(h, base, humen, as_liaison)
            async with as_liaison.get(f"{base}/review") as refused:
                assert refused.status == 403
            data = {"decision": "accept", "csrf": csrf_of(page)}
            async with as_liaison.post(f"{base}/review/{report_id}", data=data) as refused:
                assert refused.status == 403
            async with as_liaison.get(f"{base}/units/2") as other:
                assert other.status == 403
        page = await sign_in(h, base, h.admin, client)
        csrf = csrf_of(page)
        url = f"{base}/review/{report_id}"
        async with client.post(url, data={"decision": "reject", "csrf": csrf}) as bare:
            assert bare.status == 400
        start = h.api.mark()
        data = {"decision": "reject", "reason": "照片<b>模糊</b>", "csrf": csrf}
        async with client.post(url, data=data) as done:
            assert done.status == 200
        await h.settle()
        assert reports_of(h)[0].state == "rejected"
        told = h.api.messages_since(start, chat)
        assert len(told) == 1 and "照片<b>模糊</b>" in told[0].body


async def test_questions_escaped_and_answered(tmp_path: Path) -> None:
    async with web_session(tmp_path, campaign=HOUSEHOLD) as (h, base), browser() as client:
        resident = h.api.add_user("小王")
        asked = "路灯坏了<script>alert(1)</script>怎么办"
        await h.say(resident, asked)
        question = questions_of(h)[0]
        page = await sign_in(h, base, h.admin, client)
        async with client.get(f"{base}/questions") as listing:
            html = await listing.text()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        start = h.api.mark()
        data = {"answer": "已联系物业维修。", "csrf": csrf_of(page)}
        async with client.post(f"{base}/questions/{question.id}/answer", data=data) as done:
            assert done.status == 200 and "已回复" in await done.text()
        await h.settle()
        told = h.api.messages_since(start, h.api.private_chat(resident))
        assert len(told) == 1 and "已联系物业维修。" in told[0].body
        assert questions_of(h)[0].state == "answered"
        async with client.post(f"{base}/questions/{question.id}/faq", data=data) as made:
            assert "已加入常见问答" in await made.text()
        live = h.deps.services["faq"]
        assert any(e.answer == "已联系物业维修。" for e in live.entries.values())


async def test_staff_sees_pages_but_cannot_decide(tmp_path: Path) -> None:
    from tests.e2e.people import cast

    async with web_session(tmp_path) as (h, base), browser() as client:
        people = await cast(h)
        page = await sign_in(h, base, people.people["staff"], client)
        assert "进度总表" in page
        for path in ("/review", "/questions", "/units/1", "/tasks/1"):
            async with client.get(f"{base}{path}") as response:
                assert response.status == 200, path
        assert 'action="/review/' not in page


def reports_of(h) -> list[Report]:  # type: ignore[no-untyped-def]
    with h.deps.db.transaction() as s:
        return list(s.scalars(select(Report).order_by(Report.id)))


def questions_of(h) -> list[Question]:  # type: ignore[no-untyped-def]
    with h.deps.db.transaction() as s:
        return list(s.scalars(select(Question).order_by(Question.id)))


def outbox_rows(h) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with h.deps.db.transaction() as s:
        return list(s.scalars(select(OutboxMessage)))
