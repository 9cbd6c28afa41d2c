"""Thumbnails for the review gallery: made once with Pillow, cached by content (the file's
SHA-256), beside the media directory (never inside it: the media sweep keeps only files reports
refer to)."""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy.orm import Session

from storage.models.evidence import EvidenceFile, Report

SIDE = 320
HEIC = "image/heic"


@dataclass(frozen=True)
class StoredFile:
    path: str  # relative to the media directory
    mime: str
    sha256: str
    unit_id: int
    campaign_id: int


def stored_file(session: Session, file_id: int) -> StoredFile | None:
    row = session.get(EvidenceFile, file_id)
    if row is None:
        return None
    report = session.get(Report, row.report_id)
    if report is None:
        return None
    return StoredFile(row.path, row.mime, row.sha256, report.unit_id, report.campaign_id)


def thumbs_dir(media_dir: Path) -> Path:
    return Path(media_dir).resolve().parent / "thumbs"


def thumbnail(media_dir: Path, stored: StoredFile) -> Path | None:
    """The JPEG thumbnail of an image (made now if not yet); None for what Pillow cannot read."""
    if not stored.mime.startswith("image/") or stored.mime == HEIC:
        return None
    out = thumbs_dir(media_dir) / stored.sha256[:2] / f"{stored.sha256}-{SIDE}.jpg"
    if out.exists():
        return out
    source = Path(media_dir) / stored.path
    try:
        with Image.open(source) as opened:
            image = ImageOps.exif_transpose(opened)
            image.thumbnail((SIDE, SIDE))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    temp = out.parent / f".{uuid.uuid4().hex}.tmp"
    try:
        temp.write_bytes(buffer.getvalue())
        os.replace(temp, out)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    return out
