"""The README's dashboard pictures: a demo campaign played through the chat (liaisons of 20
units report with photos), then the matrix and the review gallery in headless Chromium.

    .venv/bin/python -m tests.web.screenshots docs/images
"""

from __future__ import annotations

import asyncio
import io
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from PIL import Image, ImageDraw

from storage import campaigns
from tests.e2e.test_evidence import Liaisons, reencoded, send_and_settle
from tests.web.chromium import Browser, skip_without_chromium
from tests.web.client import LINK, web_session


def photo(seed: int) -> bytes:
    """A made-up "poster on a wall": a coloured wall, a poster with lines of "text"."""
    rng = random.Random(seed)
    wall = tuple(rng.randint(150, 230) for _ in range(3))
    image = Image.new("RGB", (640, 480), wall)  # type: ignore[arg-type]
    draw = ImageDraw.Draw(image)
    x, y = rng.randint(60, 260), rng.randint(40, 120)
    poster = tuple(rng.randint(30, 255) for _ in range(3))
    draw.rectangle((x, y, x + 300, y + 320), fill=poster)  # type: ignore[arg-type]
    for i in range(6):
        draw.rectangle(
            (x + 25, y + 40 + i * 40, x + 275 - rng.randint(0, 90), y + 60 + i * 40), fill="white"
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


async def main(folder: Path) -> None:
    rng = random.Random(2013)
    with tempfile.TemporaryDirectory() as tmp:
        today = __import__("datetime").date.today()
        async with web_session(Path(tmp), campaign_rebase=today - timedelta(days=8)) as (h, _):
            with h.deps.db.transaction() as s:
                assert h.deps.campaign_id is not None
                units = campaigns.list_units(s, h.deps.campaign_id)
                units = units[:12] + units[32:]
                plans = [
                    (
                        u.name,
                        [t.number for t in campaigns.tasks_for_unit(s, cid, u.id, "responsible")],
                    )
                    for u in units
                    if (cid := h.deps.campaign_id) is not None
                ]
            liaisons = Liaisons()
            seed = 0
            for i, (name, numbers) in enumerate(plans):
                who = liaisons.make(h, f"联络员{i + 1}", name)
                chat = h.api.private_chat(who)
                for number in numbers:
                    if rng.random() < 0.4:
                        continue
                    seed += 1
                    counts = (
                        f"海报{rng.choice((40, 60, 80, 100, 120))} 标语{rng.randint(4, 12)}"
                        if number == 9
                        else ""
                    )
                    caption = f"/done {number} {counts}".strip()
                    await send_and_settle(
                        h,
                        chat,
                        lambda c=chat, w=who, s=seed, t=caption: h.api.send_photo(
                            c, w, photo(s), caption=t
                        ),
                    )
            # a near-copy of the first unit's photo from another unit: flagged for review
            first_name, first_tasks = plans[1]
            copier = liaisons.make(h, "联络员甲", first_name)
            chat = h.api.private_chat(copier)
            copy = reencoded(photo(1))
            await send_and_settle(
                h,
                chat,
                lambda: h.api.send_photo(
                    chat, copier, copy, caption=f"/done {first_tasks[0]} 海报20"
                ),
            )
            browser = Browser(1400, 1000)
            try:
                reply = await h.reply_text(h.admin, "/web")
                link = LINK.search(reply)
                assert link, reply
                await browser.get(link.group(0))
                await browser.submit("#sign-in")
                browser_folder = str(folder)
                await browser.run(
                    browser.driver.save_screenshot, f"{browser_folder}/dashboard-matrix.png"
                )
                await browser.get(f"{h.deps.settings.web_url}/review")
                await asyncio.sleep(3)  # the thumbnails load lazily, after the page
                await browser.run(
                    browser.driver.save_screenshot, f"{browser_folder}/dashboard-review.png"
                )
            finally:
                browser.quit()


if __name__ == "__main__":
    skip_without_chromium()
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target.resolve()))
