"""The dashboard in a real headless Chromium: sign in through /web, accept a report in /review
and see the liaison told, answer a question, upload photos as a liaison."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models.evidence import Report
from tests.e2e.test_evidence import Liaisons, picture, send_and_settle
from tests.harness import HOUSEHOLD, Harness
from tests.web.chromium import Browser, skip_without_chromium
from tests.web.client import LINK, web_session

pytestmark = pytest.mark.slow


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    skip_without_chromium()
    browser = Browser()
    try:
        yield browser
    finally:
        browser.quit()


async def sign_in(h: Harness, browser: Browser, user: object) -> str:
    reply = await h.reply_text(user, "/web")  # type: ignore[arg-type]
    link = LINK.search(reply)
    assert link, reply
    await browser.get(link.group(0))
    await browser.submit("#sign-in")
    return await browser.text()


async def test_sign_in_and_accept_a_report(tmp_path: Path, chromium: Browser) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, _base):
        humen = liaisons.make(h, "小虎", "虎门镇")
        changan = liaisons.make(h, "小长", "长安镇")
        for who, seed, caption in (
            (humen, 1, "/done 9 海报80 标语4"),
            (changan, 2, "/done 9 海报100 标语10"),
            (humen, 3, "/done 3"),
        ):
            chat = h.api.private_chat(who)
            await send_and_settle(
                h,
                chat,
                lambda w=who, c=chat, s=seed, t=caption: h.api.send_photo(
                    c, w, picture(s), caption=t
                ),
            )
        landing = await sign_in(h, chromium, h.admin)
        assert "虎门镇" in landing and "海报 80/100" in landing
        await chromium.screenshot("matrix.png")

        await chromium.get(f"{h.deps.settings.web_url}/review")
        first = await first_report(h)
        await chromium.screenshot("review.png")
        start = h.api.mark()
        await chromium.submit(f"#report-{first} button.accept")
        assert f"报告 #{first} 已通过" in await chromium.text()
        await h.settle()
        told = h.api.messages_since(start, h.api.private_chat(humen))
        assert len(told) == 1 and f"#{first}" in told[0].body


async def test_answer_a_question(tmp_path: Path, chromium: Browser) -> None:
    async with web_session(tmp_path, campaign=HOUSEHOLD) as (h, _base):
        resident = h.api.add_user("小王")
        await h.say(resident, "路灯坏了<script>alert(1)</script>怎么办")
        await sign_in(h, chromium, h.admin)
        await chromium.get(f"{h.deps.settings.web_url}/questions")
        assert "<script>alert(1)</script>" in await chromium.text()  # shown as text
        start = h.api.mark()
        await chromium.type("textarea[name=answer]", "请拨打物业电话报修。")
        await chromium.submit("form[action$='/answer'] button")
        assert "已回复" in await chromium.text()
        await h.settle()
        told = h.api.messages_since(start, h.api.private_chat(resident))
        assert len(told) == 1 and "请拨打物业电话报修。" in told[0].body


async def test_liaison_uploads_photos(tmp_path: Path, chromium: Browser) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, _base):
        humen = liaisons.make(h, "小虎", "虎门镇")
        landing = await sign_in(h, chromium, humen)
        assert "批量上传" in landing and "进度总表" not in landing
        paths = []
        for i in range(6):
            path = tmp_path / f"photo{i}.jpg"
            path.write_bytes(picture(200 + i))
            paths.append(str(path))
        await chromium.type("input[name=counts]", "海报30")
        await chromium.type("input[name=photos]", "\n".join(paths))
        await chromium.submit("#upload button")
        result = await chromium.text()
        assert "收到 6 个文件" in result and "海报 30/100" in result
        with h.deps.db.transaction() as s:
            rows = list(s.scalars(select(Report)))
            assert len(rows) == 1 and len(rows[0].files) == 6


async def first_report(h: Harness) -> int:
    with h.deps.db.transaction() as s:
        return int(s.scalars(select(Report.id).order_by(Report.id)).first() or 0)
