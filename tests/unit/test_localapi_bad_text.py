"""Text that is not UTF-8 never wedges the fake Bot API, and the console's files outlive a run."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from bot.localapi import FakeBotApi
from bot.localapi.models import ApiError
from tests.localapi_fixtures import jpeg_bytes, make_bot

BROKEN = "半截\ud83d"  # an unpaired surrogate: half an emoji, as a cut paste leaves it


async def test_a_user_cannot_send_text_that_is_not_utf8(fake_api: FakeBotApi) -> None:
    user = fake_api.add_user("张三")
    with pytest.raises(ApiError) as refused:
        fake_api.send_text(fake_api.private_chat(user), user, BROKEN)
    assert refused.value.code == 400
    fake_api.send_text(fake_api.private_chat(user), user, "下一条")
    async with make_bot(fake_api) as bot:
        updates = await bot.get_updates(timeout=0)  # not a 500 for ever after
    assert [u.message.text for u in updates if u.message] == ["下一条"]


async def test_a_bot_request_with_a_broken_string_is_a_400_not_a_wedge(
    fake_api: FakeBotApi,
) -> None:
    user = fake_api.add_user("张三")
    fake_api.start_bot(user)
    body = json.dumps({"chat_id": user.id, "text": "半\ud83d"})  # valid JSON, not UTF-8 text
    async with aiohttp.ClientSession() as http:
        url = f"{fake_api.base_url}{fake_api.token}/sendMessage"
        headers = {"Content-Type": "application/json"}
        async with http.post(url, data=body, headers=headers) as answer:
            assert answer.status == 400
            assert "UTF-8" in (await answer.json())["description"]
    async with make_bot(fake_api) as bot:
        await bot.send_message(user.id, "好的")
        await bot.get_updates(timeout=0)
    assert [m.text for m in fake_api.sent_to(user.id)] == ["好的"]


async def test_files_kept_in_a_folder_are_served_by_the_next_server(tmp_path: Path) -> None:
    async with FakeBotApi(files_dir=tmp_path) as first:
        user = first.add_user("张三")
        sent = first.send_photo(first.private_chat(user), user, jpeg_bytes(1000, 700))
        file_ids = [size["file_id"] for size in sent.message["photo"]]
    async with FakeBotApi(files_dir=tmp_path) as second:
        other = second.add_user("李四")
        second.start_bot(other)
        async with make_bot(second) as bot:
            for file_id in file_ids:
                data = await (await bot.get_file(file_id)).download_as_bytearray()
                assert len(data) > 100
            await bot.send_photo(other.id, file_ids[-1])  # /review sends a stored photo again
            new = second.send_photo(second.private_chat(other), other, jpeg_bytes(50, 40, "blue"))
    assert new.message["photo"][-1]["file_id"] not in file_ids  # ids keep counting up
