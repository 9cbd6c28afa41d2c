"""The frame codec: every frame is ``{"cmd", "headers": {"req_id"}, "body"}``; the server
answers each with ``{"headers": {"req_id"}, "errcode", "errmsg"}`` (plus ``body`` for uploads).

Shapes from WeCom's own SDKs: WecomTeam/aibot-node-sdk ``src/types/api.ts`` (``WsCmd``,
``WsFrame``) and PyPI wecom-aibot-python-sdk ``aibot/types.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

SUBSCRIBE = "aibot_subscribe"
PING = "ping"
RESPOND = "aibot_respond_msg"
SEND = "aibot_send_msg"
UPLOAD_INIT = "aibot_upload_media_init"
UPLOAD_CHUNK = "aibot_upload_media_chunk"
UPLOAD_FINISH = "aibot_upload_media_finish"
MSG_CALLBACK = "aibot_msg_callback"
EVENT_CALLBACK = "aibot_event_callback"
DISCONNECTED_EVENT = "disconnected_event"

_counter = itertools.count(1)


def new_req_id(cmd: str) -> str:
    """``<cmd>_<ms>_<random>`` as the SDKs' ``generateReqId`` builds it, plus a counter so two
    ids made in one millisecond never collide."""
    return f"{cmd}_{int(time.time() * 1000)}_{os.urandom(4).hex()}{next(_counter)}"


@dataclass(frozen=True)
class Frame:
    cmd: str
    req_id: str
    body: dict[str, Any] = field(default_factory=dict)
    errcode: int | None = None
    errmsg: str = ""

    @property
    def is_ack(self) -> bool:
        """An acknowledgement: no ``cmd``, an ``errcode``."""
        return not self.cmd and self.errcode is not None


def encode(cmd: str, req_id: str, body: dict[str, Any] | None = None) -> str:
    frame: dict[str, Any] = {"cmd": cmd, "headers": {"req_id": req_id}}
    if body is not None:
        frame["body"] = body
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Frame:
    """Parse one text frame; ValueError when it is not a WeCom frame."""
    raw = json.loads(text)
    if not isinstance(raw, dict) or not isinstance(raw.get("headers"), dict):
        raise ValueError("not a WeCom frame (no headers)")
    body = raw.get("body")
    errcode = raw.get("errcode")
    return Frame(
        cmd=str(raw.get("cmd") or ""),
        req_id=str(raw["headers"].get("req_id") or ""),
        body=body if isinstance(body, dict) else {},
        errcode=int(errcode) if errcode is not None else None,
        errmsg=str(raw.get("errmsg") or ""),
    )
