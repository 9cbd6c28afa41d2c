"""Evidence counted once, as liaisons and coordinators see it over the fake Bot API: the same
photo again on every path, a resized copy, a resent /done or album, an edited caption, bad
counts, and /undo after a coordinator's decision."""

from __future__ import annotations

from pathlib import Path

from bot.localapi import FakeUser
from tests.e2e.test_evidence import Liaisons, picture, reencoded, reports, send_and_settle
from tests.harness import Harness, bot_session


async def progress(h: Harness, user: FakeUser) -> str:
    """The unit's posters line, from /status as the coordinator sees it."""
    text = await h.reply_text(h.admin, "/status 虎门镇")
    line = next(x for x in text.splitlines() if "9." in x)
    return line[line.index("海报") :].split("，")[0]


async def test_the_same_photo_again_counts_nothing_on_any_path(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        humen = Liaisons().make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        group = h.api.add_group("虎门镇宣传群", members=[h.admin.id, humen.id], with_bot=True)
        await h.reply_text(h.admin, "/bind 虎门镇", chat=group)
        photo = picture(1)
        sent = await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, photo, caption="/done 9 海报20")
        )
        assert "报告 #1" in sent[0].body and "海报 20/100" in sent[0].body
        for where in (chat, group):  # a caption, privately and in the group
            sent = await send_and_settle(
                h, where, lambda w=where: h.api.send_photo(w, humen, photo, caption="/done 9 海报5")
            )
            assert len(sent) == 1 and "已经提交过" in sent[0].body
            assert "没有记录新报告" in sent[0].body and "海报 20/100" in sent[0].body
        # an album holding it
        sent = await send_and_settle(
            h, chat, lambda: h.api.send_album(chat, humen, [photo], caption="/done 9 海报5")
        )
        assert len(sent) == 1 and "已经提交过" in sent[0].body
        # /done as text, then the photo: the text's report stands, the photo adds nothing
        assert "报告 #" in await h.reply_text(humen, "/done 9 海报5")
        sent = await send_and_settle(h, chat, lambda: h.api.send_photo(chat, humen, photo))
        assert len(sent) == 1 and "已经提交过" in sent[0].body and "加入" not in sent[0].body
        assert await progress(h, humen) == "海报 25/100张"
        counted = [r for r in reports(h) if r.state in ("pending", "accepted")]
        assert [(r.counts, len(r.files)) for r in counted] == [
            ({"posters": 20}, 1),
            ({"posters": 5}, 0),
        ]


async def test_a_resized_copy_waits_for_review_and_counts_once_accepted(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        humen = Liaisons().make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        photo = picture(2)
        await send_and_settle(
            h, chat, lambda: h.api.send_photo(chat, humen, photo, caption="/done 9 海报20")
        )
        sent = await send_and_settle(
            h,
            chat,
            lambda: h.api.send_photo(chat, humen, reencoded(photo), caption="/done 9 海报7"),
        )
        assert "暂不计入" in sent[0].body and "几乎相同" in sent[0].body
        assert await progress(h, humen) == "海报 20/100张"
        review = await h.reply_text(h.admin, "/review")
        assert "#2 虎门镇" in review and "暂不计入" in review
        assert "报告 #1（虎门镇·任务9）中的照片几乎相同" in review
        assert "已通过" in await h.reply_text(h.admin, "/accept 2")
        assert await progress(h, humen) == "海报 27/100张"


async def test_bad_counts_and_a_resent_text_done(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        humen = Liaisons().make(h, "小虎", "虎门镇")
        negative = await h.say(humen, "/done 9 海报-5")
        assert len(negative) == 1 and "正整数" in negative[0].body and "海报-5" in negative[0].body
        missing = await h.reply_text(humen, "/done 9 海报 标语6")
        assert "「海报」后面缺少数量" in missing
        assert reports(h) == []
        first = await h.reply_text(humen, "/done 9 海报1000000 标语6")
        assert "报告 #1" in first
        again = await h.reply_text(humen, "/done 9 海报1000000 标语6")
        assert "报告 #2" in again and "暂不计入" in again and "又发了一次" in again
        assert await progress(h, humen) == "海报 1000000/100张"
        assert "像是同一条 /done 又发了一次" in await h.reply_text(h.admin, "/review")


async def test_a_resent_album_is_answered_once(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        humen = Liaisons().make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        await h.reply_text(humen, "/done 9 海报10")
        album = [picture(30), picture(31)]
        sent = await send_and_settle(h, chat, lambda: h.api.send_album(chat, humen, album))
        assert len(sent) == 1 and "已把2个文件加入" in sent[0].body
        # the same album again (a new album), then its items again under the old album's id
        sent = await send_and_settle(h, chat, lambda: h.api.send_album(chat, humen, album))
        assert len(sent) == 1 and "已经在任务9的报告 #1 中" in sent[0].body
        # a captioned album, then its items again under the same album id (late items)
        captioned = [picture(32), picture(33)]
        sent = await send_and_settle(
            h, chat, lambda: h.api.send_album(chat, humen, captioned, caption="/done 9 海报3")
        )
        assert len(sent) == 1 and "报告 #" in sent[0].body
        group_id = reports(h)[-1].media_group_id or ""
        assert group_id

        def resend() -> None:
            for data in captioned:
                h.api.send_photo(chat, humen, data, media_group_id=group_id)

        sent = await send_and_settle(h, chat, resend)
        assert sent == [], [r.body for r in sent]  # nothing new: nothing to say
        assert await progress(h, humen) == "海报 13/100张"


async def test_an_edited_caption_is_applied_or_refused_in_one_line(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        humen = Liaisons().make(h, "小虎", "虎门镇")
        chat = h.api.private_chat(humen)
        played = h.api.send_photo(chat, humen, picture(3), caption="/done 9 海报5")
        await h.settle()
        sent = await send_and_settle(
            h, chat, lambda: h.api.edit_caption(chat, humen, played.message, "/done 9 海报8")
        )
        assert len(sent) == 1 and "已按修改更新报告 #1" in sent[0].body
        assert "海报5 → 海报8" in sent[0].body and "海报 8/100" in sent[0].body
        assert await progress(h, humen) == "海报 8/100张"
        text = h.api.send_text(chat, humen, "/done 9 标语2")
        await h.settle()
        edited = await send_and_settle(
            h, chat, lambda: h.api.edit_text(chat, humen, text.message, "/done 9 标语3")
        )
        assert "已按修改更新报告 #2" in edited[0].body
        await h.reply_text(h.admin, "/accept 1")
        sent = await send_and_settle(
            h, chat, lambda: h.api.edit_caption(chat, humen, played.message, "/done 9 海报80")
        )
        assert len(sent) == 1 and "修改未生效" in sent[0].body and "已通过" in sent[0].body
        assert await progress(h, humen) == "海报 8/100张"


async def test_undo_never_reverses_a_review_nor_walks_back(tmp_path: Path) -> None:
    async with bot_session(tmp_path) as h:
        humen = Liaisons().make(h, "小虎", "虎门镇")
        await h.reply_text(humen, "/done 9 海报4")
        await h.reply_text(humen, "/done 9 海报6")
        await h.reply_text(h.admin, "/accept 2")
        refused = await h.reply_text(humen, "/undo")
        assert "已审核" in refused and "不能撤回" in refused
        assert await progress(h, humen) == "海报 10/100张"
        await h.reply_text(humen, "/done 9 海报1")
        assert "已撤回报告 #3" in await h.reply_text(humen, "/undo")
        assert "更早的报告不能" in await h.reply_text(humen, "/undo")
        assert [r.state for r in reports(h)] == ["pending", "accepted", "withdrawn"]
