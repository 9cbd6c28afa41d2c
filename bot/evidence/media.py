"""The media store: files kept by content (SHA-256) under ``settings.media_dir``.

``sha[:2]/sha[2:4]/sha.ext``. A file is written to a temporary name in its final directory,
flushed to disk and renamed into place, and the caller records its row only afterwards: a crash
leaves at worst a complete file nobody refers to yet, never a row without its file or a
half-written file under a real name. Only images and PDFs are accepted, judged by their bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Pillow and imagehash (numpy, scipy) load with the first photo
    from PIL import Image

# magic bytes → (MIME type, extension)
SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
    (b"BM", 0, "image/bmp", "bmp"),
    (b"II*\x00", 0, "image/tiff", "tif"),
    (b"MM\x00*", 0, "image/tiff", "tif"),
)
EXIF_DATETIME_ORIGINAL, EXIF_DATETIME, EXIF_IFD = 36867, 306, 0x8769


class NotAccepted(Exception):
    """Neither an image nor a PDF."""


@dataclass(frozen=True)
class Analysed:
    sha256: str
    size: int
    mime: str
    ext: str
    width: int | None = None
    height: int | None = None
    phash: str | None = None
    exif_taken_at: datetime | None = None

    @property
    def relative_path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}.{self.ext}"


def sniff(data: bytes) -> tuple[str, str] | None:
    """(MIME, extension) from the first bytes, or None when it is no image or PDF we take."""
    for magic, offset, mime, ext in SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"heif"):
        return "image/heic", "heic"
    return None


def analyse(data: bytes, *, tz: tzinfo = UTC) -> Analysed:
    """Hash, type, pixel size, perceptual hash and EXIF capture time (naive EXIF read in ``tz``)."""
    kind = sniff(data)
    if kind is None:
        raise NotAccepted("not an image or PDF")
    mime, ext = kind
    sha = hashlib.sha256(data).hexdigest()
    if not mime.startswith("image/"):
        return Analysed(sha, len(data), mime, ext)
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            taken = exif_time(image, tz)
            phash = str(imagehash.phash(image.convert("RGB")))
    except Image.DecompressionBombError:  # a header claiming billions of pixels: not a photo
        raise NotAccepted("image too large") from None
    except (UnidentifiedImageError, OSError, ValueError):
        if mime == "image/heic":  # no decoder here: keep it, without pixels
            return Analysed(sha, len(data), mime, ext)
        raise NotAccepted("damaged image") from None
    return Analysed(sha, len(data), mime, ext, width, height, phash, taken)


def exif_time(image: Image.Image, tz: tzinfo) -> datetime | None:
    try:
        exif = image.getexif()
    except Exception:  # broken EXIF blocks are common; the photo is still good
        return None
    raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    if not raw:
        return None
    try:
        naive = datetime.strptime(str(raw).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=tz).astimezone(UTC)


def phash_distance(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def store(media_dir: Path, data: bytes, info: Analysed) -> Path:
    """Put the bytes at their content path (temp name, fsync, rename); return the final path."""
    final = media_dir / info.relative_path
    if final.exists() and final.stat().st_size == len(data):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    temp = final.parent / f".{info.sha256}.{uuid.uuid4().hex}.tmp"
    try:
        with open(temp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_dir(final.parent)
    return final


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def sweep_orphans(media_dir: Path, referenced: set[str], *, older_than: float) -> int:
    """Delete stored evidence files no row refers to, and temp files left by a crash.

    Files younger than ``older_than`` seconds are left alone: their row may not be committed
    yet. Rows are committed only after their file is in place, so a file without a row is never
    needed (an album that was discarded, a transaction that rolled back, a kill mid-write).
    Only the content-addressed tree (``ab/cd/<sha256>.<ext>``) is swept, nothing else in
    ``media_dir`` (exports live beside it).
    """
    import time

    removed = 0
    limit = time.time() - older_than
    for first in media_dir.glob("[0-9a-f][0-9a-f]"):
        for path in first.glob("[0-9a-f][0-9a-f]/*"):
            if not path.is_file() or path.stat().st_mtime > limit:
                continue
            relative = path.relative_to(media_dir).as_posix()
            if path.name.endswith(".tmp") or relative not in referenced:
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    return removed
