"""A liaison's bulk upload: many photos become one report, counted as /done would count them;
the same form sent twice records nothing new; other units' files stay out of reach."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from sqlalchemy import select

from storage.models.evidence import Report
from tests.e2e.test_evidence import Liaisons, picture, send_and_settle
from tests.web.client import browser, csrf_of, sign_in, web_session

UPLOAD_ID = re.compile(r'name="upload_id" value="(-\d+)"')


def form(page: str, task: str, counts: str, photos: list[bytes]) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("csrf", csrf_of(page))
    data.add_field("upload_id", UPLOAD_ID.search(page).group(1))  # type: ignore[union-attr]
    data.add_field("task", task)
    data.add_field("counts", counts)
    for i, photo in enumerate(photos):
        data.add_field("photos", photo, filename=f"p{i}.jpg", content_type="image/jpeg")
    return data


async def test_bulk_upload_counts_as_done(tmp_path: Path) -> None:
    liaisons = Liaisons()
    async with web_session(tmp_path) as (h, base), browser() as client:
        humen = liaisons.make(h, "小虎", "虎门镇")
        page = await sign_in(h, base, humen, client)
        unit_id = re.search(r'action="/units/(\d+)/upload"', page).group(1)  # type: ignore[union-attr]
        photos = [picture(100 + i) for i in range(12)]
        url = f"{base}/units/{unit_id}/upload"
        async with client.post(
            url, data=form(page, "9", "海报40", [*photos, b"not a photo"])
        ) as done:
            body = await done.text()
        assert done.status == 200, body
        assert "收到 13 个文件，1 个" in body and "（12个文件）" in body and "海报 40/100" in body
        with h.deps.db.transaction() as s:
            rows = list(s.scalars(select(Report)))
            assert len(rows) == 1 and len(rows[0].files) == 12 and rows[0].counts == {"posters": 40}
        async with client.post(url, data=form(page, "9", "海报40", photos)) as again:
            assert "海报 40/100" in await again.text()  # the same form: nothing counted twice
        # what /done says next agrees: the upload counted
        chat = h.api.private_chat(humen)
        sent = await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, picture(999), caption="/done 9 海报10")
        )
        assert "海报 50/100" in sent[0].body

        fresh = await (await client.get(f"{base}/units/{unit_id}")).text()
        async with client.post(url, data=form(fresh, "99", "", photos[:1])) as wrong:
            assert wrong.status == 400 and "99" in await wrong.text()

        file_id = re.search(r'src="/files/(\d+)/thumb"', fresh).group(1)  # type: ignore[union-attr]
        changan = liaisons.make(h, "小长", "长安镇")
        async with browser() as other:
            await sign_in(h, base, changan, other)
            async with other.get(f"{base}/files/{file_id}") as refused:
                assert refused.status == 403
            async with other.post(url, data=form(fresh, "9", "", photos[:1])) as refused:
                assert refused.status == 403  # the CSRF token is another session's
