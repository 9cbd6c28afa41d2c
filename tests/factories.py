"""Rows tests need that users would otherwise create through several dialogs."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import users
from storage.models.core import Unit
from storage.models.registration import Liaison


def add_liaison(
    session: Session,
    *,
    campaign_id: int,
    unit_name: str,
    user_id: int,
    name: str = "测试联络员",
    primary: bool = True,
) -> Liaison:
    """A confirmed liaison of ``unit_name`` (as if they had completed the 附件3 dialog)."""
    now = datetime.now(UTC)
    unit = session.scalars(
        select(Unit).where(Unit.campaign_id == campaign_id, Unit.name == unit_name)
    ).one()
    user = users.touch_user(
        session, user_id=user_id, username=None, display_name=name, now=now, private=True
    )
    users.set_role(session, user, "liaison", now=now)
    liaison = Liaison(
        campaign_id=campaign_id,
        unit_id=unit.id,
        user_id=user_id,
        is_primary=primary,
        active=True,
        name=name,
        department=unit_name,
        title="宣传干事",
        gender="女",
        phone="0769-22000000",
        mobile="13800000000",
        email="liaison@example.org",
        created_at=now,
        updated_at=now,
    )
    session.add(liaison)
    session.flush()
    return liaison


def photo(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A real JPEG whose content (and perceptual hash) differs with ``seed``."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))  # type: ignore[arg-type]
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x0, y0 = rng.randrange(size[0]), rng.randrange(size[1])
        x1, y1 = x0 + rng.randrange(20, 160), y0 + rng.randrange(20, 120)
        fill = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x0, y0, x1, y1), fill=fill)  # type: ignore[arg-type]
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
