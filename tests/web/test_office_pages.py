"""The office's other pages over HTTP: reminders (cancel), broadcast (preview, then the delivery
report), FAQ entries (add, propose, approve), the roster and its workbook, the export with its
progress, the audit log; and who may not see them."""

from __future__ import annotations

import asyncio
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook

from bot.reminders import oneoff
from bot.reminders.targets import Target
from storage.models.reminders import Reminder
from tests.e2e.people import cast
from tests.e2e.test_broadcast import make_groups
from tests.e2e.test_evidence import Liaisons, picture, send_and_settle
from tests.harness import HOUSEHOLD
from tests.web.client import browser, csrf_of, sign_in, web_session


async def test_reminder_cancelled_from_the_page(tmp_path: Path) -> None:
    async with web_session(tmp_path) as (h, base), browser() as client:
        now = h.deps.clock.now()
        with h.deps.db.transaction() as s:
            made = oneoff.draft(
                s,
                campaign_id=h.deps.campaign_id,
                created_by=h.admin.id,
                chat_id=h.admin.id,
                target=Target("all", "all", ""),
                text="周五前提交<b>材料</b>",
                due_at=now + timedelta(days=1),
                now=now,
            )
            oneoff.confirm(s, made.id)
        page = await sign_in(h, base, h.admin, client)
        async with client.get(f"{base}/reminders") as listing:
            html = await listing.text()
        assert "周五前提交&lt;b&gt;材料&lt;/b&gt;" in html
        url = f"{base}/reminders/{made.id}/cancel"
        async with client.post(url, data={"csrf": csrf_of(page)}) as done:
            assert "已取消提醒" in await done.text()
        with h.deps.db.transaction() as s:
            assert s.get(Reminder, made.id).state == "cancelled"  # type: ignore[union-attr]
        async with client.post(url, data={"csrf": csrf_of(page)}) as again:
            assert "无法再取消" in await again.text()


async def test_broadcast_preview_then_report(tmp_path: Path) -> None:
    async with web_session(tmp_path) as (h, base), browser() as client:
        groups = make_groups(h, 3)
        page = await sign_in(h, base, h.admin, client)
        csrf = csrf_of(page)
        data = {"csrf": csrf, "target": "nowhere", "text": "通知"}
        async with client.post(f"{base}/broadcast/preview", data=data) as refused:
            assert refused.status == 400 and "不认识发送对象" in await refused.text()
        data = {"csrf": csrf, "target": "all", "text": "明天上午九点开会"}
        async with client.post(f"{base}/broadcast/preview", data=data) as preview:
            html = await preview.text()
        assert all(g.title in html for g in groups)
        assert not [r for r in h.api.sent if "明天上午九点开会" in (r.body or "")]  # not yet
        origin = re.search(r'name="origin" value="(-\d+)"', html).group(1)  # type: ignore[union-attr]
        send = {"csrf": csrf, "target": "all", "text": "明天上午九点开会", "origin": origin}
        async with client.post(f"{base}/broadcast/send", data=send) as sent:
            report_url = str(sent.url)
        async with client.post(f"{base}/broadcast/send", data=send) as twice:
            assert str(twice.url) == report_url  # the same form: the same broadcast
        await h.api.wait_for(
            lambda: all(
                any("明天上午九点开会" in (r.body or "") for r in h.api.sent_to(g.id))
                for g in groups
            ),
            30,
        )
        await h.settle()
        async with client.get(report_url) as report:
            text = await report.text()
        assert "失败 0" in text and "发送中 0" in text
        assert all(
            sum("明天上午九点开会" in (r.body or "") for r in h.api.sent_to(g.id)) == 1
            for g in groups
        )


async def test_faq_add_propose_approve(tmp_path: Path) -> None:
    async with web_session(tmp_path, campaign=HOUSEHOLD) as (h, base), browser() as client:
        people = await cast(h)
        live = h.deps.services["faq"]
        page = await sign_in(h, base, h.admin, client)
        data = {
            "csrf": csrf_of(page),
            "question": "垃圾分类桶在哪里领",
            "answer": "到社区居委会领取。",
        }
        async with client.post(f"{base}/faq", data=data) as added:
            assert "已发布" in await added.text()
        assert any(e.answer == "到社区居委会领取。" for e in live.entries.values())

        async with browser() as staff:
            staff_page = await sign_in(h, base, people.people["staff"], staff)
            data = {
                "csrf": csrf_of(staff_page),
                "question": "停车证怎么办",
                "answer": "去物业办理。",
            }
            async with staff.post(f"{base}/faq", data=data) as proposed:
                assert "等待协调员批准" in await proposed.text()
        assert not any(e.answer == "去物业办理。" for e in live.entries.values())
        async with client.get(f"{base}/faq") as listing:
            html = await listing.text()
        entry_id = re.search(r'id="proposal-([\w.-]+)"', html).group(1)  # type: ignore[union-attr]
        url = f"{base}/faq/{entry_id}/approve"
        async with client.post(url, data={"csrf": csrf_of(page)}) as approved:
            assert "已发布" in await approved.text()
        assert any(e.answer == "去物业办理。" for e in live.entries.values())


async def test_roster_export_and_audit(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, base), browser() as client:
        humen = liaisons.make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, picture(1), caption="/done 9 海报20")
        )
        page = await sign_in(h, base, h.admin, client)
        async with client.get(f"{base}/roster") as roster:
            assert "小虎" in await roster.text()
        async with client.get(f"{base}/roster.xlsx") as xlsx:
            book = load_workbook(io.BytesIO(await xlsx.read()))
            assert any("小虎" in str(c.value) for row in book.active.iter_rows() for c in row)  # type: ignore[union-attr]

        async with client.post(f"{base}/export", data={"csrf": csrf_of(page)}) as started:
            assert started.status == 200
        for _ in range(120):
            async with client.get(f"{base}/export") as progress:
                html = await progress.text()
            if 'id="workbook"' in html:
                break
            await asyncio.sleep(0.5)
        assert 'id="archive"' in html, html
        async with client.get(f"{base}/export/archive") as archive:
            names = zipfile.ZipFile(io.BytesIO(await archive.read())).namelist()
            assert len(names) >= 1

        async with client.get(f"{base}/audit") as audit:
            assert "web.login" in await audit.text()

        async with browser() as as_liaison:
            await sign_in(h, base, humen, as_liaison)
            for path in ("/roster", "/roster.xlsx", "/export", "/export/archive", "/audit",
                         "/reminders", "/broadcast", "/faq"):  # fmt: skip
                async with as_liaison.get(f"{base}{path}") as refused:
                    assert refused.status == 403, path


async def test_staff_limits(tmp_path: Path) -> None:
    async with web_session(tmp_path) as (h, base), browser() as client:
        people = await cast(h)
        await sign_in(h, base, people.people["staff"], client)
        for path in ("/roster", "/faq"):
            async with client.get(f"{base}{path}") as ok:
                assert ok.status == 200, path
        for path in ("/export", "/audit", "/reminders", "/broadcast"):
            async with client.get(f"{base}{path}") as refused:
                assert refused.status == 403, path
