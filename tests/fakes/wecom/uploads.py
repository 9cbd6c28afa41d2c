"""The fake's media upload: ``aibot_upload_media_init`` → ``_chunk`` × N → ``_finish``, with
the fields of aibot-node-sdk ``src/client.ts`` ``uploadMedia`` (type, filename, total_size,
total_chunks, md5; upload_id, chunk_index, base64_data; media_id)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.wecom import rules as r


@dataclass
class Upload:
    kind: str
    filename: str
    size: int
    total: int
    md5: str
    chunks: dict[int, bytes] = field(default_factory=dict)


def step(
    pending: dict[str, Upload],
    media: dict[str, tuple[str, str, bytes]],
    stage: str,
    body: dict[str, Any],
) -> tuple[int, str, dict[str, Any]]:
    """One upload frame: (errcode, errmsg, ack body)."""
    if stage == "init":
        kind, size = body.get("type"), int(body.get("total_size") or 0)
        limit = {"image": r.IMAGE_MAX, "file": r.FILE_MAX}.get(str(kind))
        if limit is None or not body.get("filename") or not body.get("md5"):
            return r.BAD_PARAM, "invalid upload init", {}
        if not 0 < size <= limit:
            code = r.BAD_IMAGE_SIZE if kind == "image" else r.BAD_FILE_SIZE
            return code, "invalid size", {}
        upload_id = uuid.uuid4().hex
        total = int(body.get("total_chunks") or 0)
        pending[upload_id] = Upload(str(kind), body["filename"], size, total, body["md5"])
        return 0, "ok", {"upload_id": upload_id}
    upload = pending.get(str(body.get("upload_id")))
    if upload is None:
        return r.BAD_PARAM, "invalid upload_id", {}
    if stage == "chunk":
        index = body.get("chunk_index")
        try:
            data = base64.b64decode(body.get("base64_data") or "", validate=True)
        except ValueError:
            return r.BAD_PARAM, "chunk is not base64", {}
        if not isinstance(index, int) or not 0 <= index < upload.total:
            return r.BAD_PARAM, "invalid chunk_index", {}
        if len(data) > r.CHUNK_MAX:
            return r.BAD_FILE_SIZE, "chunk over 512 KB", {}
        upload.chunks[index] = data
        return 0, "ok", {}
    if stage == "finish":
        data = b"".join(upload.chunks.get(i, b"") for i in range(upload.total))
        del pending[str(body["upload_id"])]
        if len(upload.chunks) != upload.total or len(data) != upload.size:
            return r.BAD_PARAM, "missing chunks", {}
        if hashlib.md5(data).hexdigest() != upload.md5:
            return r.BAD_PARAM, "md5 mismatch", {}
        media_id = "media_" + uuid.uuid4().hex
        media[media_id] = (upload.kind, upload.filename, data)
        return 0, "ok", {"type": upload.kind, "media_id": media_id, "created_at": "0"}
    return r.UNKNOWN_CMD, f"unknown upload step {stage}", {}
