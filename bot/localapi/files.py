"""File storage: file ids, photo sizes (rendered lazily), getFile paths, downloads.

In memory for tests; the console keeps it in a folder (``FileStore(directory)``) so a file id
the bot stored in its database in an earlier run (evidence under ``/review``) is still served.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import mimetypes
import pickle
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from bot.localapi.models import StoredFile, bad_request

MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files, like the cloud Bot API
PHOTO_SIDES = (90, 320, 800, 1280)  # Telegram's s / m / x / y sizes


class FileStore:
    def __init__(self, directory: Path | None = None) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self.directory = directory
        highest = 0
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            for path in sorted(directory.glob("*.file")):
                with path.open("rb") as stream:  # written by _add below, never from outside
                    stored: StoredFile = pickle.load(stream)
                self._by_id[stored.file_id] = stored
                number = re.search(r"\d{7}", stored.file_id)
                highest = max(highest, int(number.group()) if number else 0)
        self._ids = itertools.count(highest + 1)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, file_id: str) -> StoredFile:
        stored = self._by_id.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):07d}AAQCAgADeQAD"

    def _add(self, stored: StoredFile) -> StoredFile:
        self._by_id[stored.file_id] = stored
        if self.directory is not None:
            kept = replace(stored, file_path=None)
            (self.directory / f"{stored.file_id}.file").write_bytes(pickle.dumps(kept))
        return stored

    def add_document(
        self, data: bytes, file_name: str | None, mime_type: str | None
    ) -> dict[str, Any]:
        name = file_name or "file"
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = self._add(
            StoredFile(
                file_id=self._new_id("BQAC"),
                file_unique_id=_unique(data),
                kind="documents",
                extension=ext,
                size=len(data),
                data=data,
                file_name=name,
                mime_type=mime,
            )
        )
        return document_dict(stored)

    def add_photo(self, data: bytes) -> list[dict[str, Any]]:
        """Store a photo and its smaller sizes; return the PhotoSize list (smallest first)."""
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Exception as exc:  # Pillow raises many kinds for non-images
            raise bad_request("IMAGE_PROCESS_FAILED") from exc
        longest = max(width, height)
        sizes: list[dict[str, Any]] = []
        for side in PHOTO_SIDES:
            if side >= longest:
                break
            scale = side / longest
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            stored = StoredFile(
                file_id=self._new_id("AgAC"),
                file_unique_id=_unique(data + side.to_bytes(2, "big")),
                kind="photos",
                extension="jpg",
                size=max(1, len(data) * side * side // (longest * longest)),
                source=data,
                max_side=side,
                width=w,
                height=h,
            )
            sizes.append(photo_size_dict(self._add(stored)))
        original = StoredFile(
            file_id=self._new_id("AgAC"),
            file_unique_id=_unique(data),
            kind="photos",
            extension="jpg",
            size=len(data),
            data=data,
            width=width,
            height=height,
        )
        sizes.append(photo_size_dict(self._add(original)))
        return sizes

    def add_sticker(self, emoji: str) -> dict[str, Any]:
        stored = self._add(
            StoredFile(
                file_id=self._new_id("CAAC"),
                file_unique_id=_unique(emoji.encode()),
                kind="stickers",
                extension="webp",
                size=1,
                data=b"\0",
                width=512,
                height=512,
            )
        )
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }

    def get_file(self, file_id: str) -> dict[str, Any]:
        """The getFile answer: assigns a download path on first call."""
        stored = self.get(file_id)
        if stored.data is None:
            content(stored)  # render now so file_size is exact
        if stored.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        if stored.file_path is None:
            stored.file_path = f"{stored.kind}/file_{len(self._by_path)}.{stored.extension}"
            self._by_path[stored.file_path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def download(self, file_path: str) -> bytes | None:
        stored = self._by_path.get(file_path)
        return None if stored is None else content(stored)


def content(stored: StoredFile) -> bytes:
    """The file's bytes; a smaller photo size is resized from its original on first use."""
    if stored.data is None:
        assert stored.source is not None
        with Image.open(io.BytesIO(stored.source)) as original:
            image = original.convert("RGB")
        image.thumbnail((stored.max_side, stored.max_side))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
        stored.data = buffer.getvalue()
        stored.size = len(stored.data)
    return stored.data


def _unique(data: bytes) -> str:
    return "AQAD" + hashlib.blake2b(data, digest_size=8).hexdigest()


def photo_size_dict(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "width": stored.width,
        "height": stored.height,
        "file_size": stored.size,
    }


def document_dict(stored: StoredFile) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_name": stored.file_name,
        "mime_type": stored.mime_type,
        "file_size": stored.size,
    }
