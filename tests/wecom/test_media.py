"""Media in (download and decrypt, byte for byte; expiry) and out (chunked upload, limits)."""

from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

from bot.transports.wecom import PermanentError, classify
from bot.transports.wecom.crypto import decrypt_media
from tests.fakes.wecom import FakeWeCom, Player
from tests.fakes.wecom.rules import encrypt_media
from tests.wecom.conftest import FakeClock, Runner


async def next_event(client):  # type: ignore[no-untyped-def]
    return await asyncio.wait_for(client.events.get(), 5)


async def test_image_decrypts_byte_for_byte(player: Player, start: Runner) -> None:
    client = await start()
    photo = os.urandom(300_001)  # not a multiple of the 32-byte padding block
    await player.image("zhangsan", photo)
    msg = await next_event(client)
    assert msg.msgtype == "image" and len(msg.images) == 1
    assert not msg.images[0].aeskey.endswith("=")  # WeCom sends the key unpadded
    data, _ = await client.download(msg.images[0])
    assert data == photo


async def test_mixed_done_with_two_photos_and_a_file_name(player: Player, start: Runner) -> None:
    client = await start()
    one, two = os.urandom(5000), os.urandom(64)
    await player.mixed("zhangsan", ["/done 9 海报20 标语6", one, two])
    msg = await next_event(client)
    assert (msg.command, msg.args) == ("done", ("9", "海报20", "标语6"))
    got = [(await client.download(m))[0] for m in msg.images]
    assert got == [one, two]
    sheet = os.urandom(2048)
    await player.file("zhangsan", sheet, "虎门镇 报表.xlsx")
    msg = await next_event(client)
    assert await client.download(msg.media[0]) == (sheet, "虎门镇 报表.xlsx")


async def test_expired_media_url_is_a_permanent_error(
    player: Player, start: Runner, clock: FakeClock
) -> None:
    client = await start()
    await player.image("zhangsan", b"photo")
    msg = await next_event(client)
    clock.t += 301  # URLs are valid 5 minutes
    with pytest.raises(Exception) as expired:
        await client.download(msg.images[0])
    assert isinstance(classify(expired.value), PermanentError)


def test_every_padding_length_and_a_wrong_key() -> None:
    for size in (0, 1, 31, 32, 33, 1000):
        plain = os.urandom(size)
        data, key = encrypt_media(plain)
        assert decrypt_media(data, key) == plain
    data, _ = encrypt_media(b"x" * 100)
    _, other = encrypt_media(b"")
    with pytest.raises(PermanentError):
        decrypt_media(data, other)
    with pytest.raises(PermanentError):
        decrypt_media(data, "not base64!!")


async def test_upload_in_chunks_then_push(fake: FakeWeCom, player: Player, start: Runner) -> None:
    client = await start()
    await player.text("zhangsan", "/export")
    await next_event(client)
    report = os.urandom(1_300_000)  # three chunks of ≤ 512 KB
    media_id = await client.send_file("zhangsan", report, "导出.xlsx")
    kind, name, stored = fake.media[media_id]
    assert (kind, name, hashlib.sha256(stored).digest()) == (
        "file",
        "导出.xlsx",
        hashlib.sha256(report).digest(),
    )
    sent = player.sent_to("zhangsan")
    assert [(s.via, s.msgtype, s.body["file"]["media_id"]) for s in sent] == [
        ("push", "file", media_id)
    ]
    assert fake.refused == []


async def test_oversized_image_refused_before_upload(fake: FakeWeCom, start: Runner) -> None:
    client = await start()
    with pytest.raises(PermanentError, match="10 MB"):
        await client.upload(b"\0" * (10 * 1024 * 1024 + 1), "chart.png", kind="image")
    assert fake.uploads == {} and fake.refused == []
    media_id = await client.upload(b"\0" * (10 * 1024 * 1024), "chart.png", kind="image")
    assert fake.media[media_id][0] == "image"
