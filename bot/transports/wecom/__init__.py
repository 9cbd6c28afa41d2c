"""WeCom (企业微信) 智能机器人 over its long-connection WebSocket API.

The platform layer only: frames, the supervised connection under a database lease, callbacks
parsed into plain dataclasses, replies, pushes, media in and out, flood limits. Wiring it into
the platform-neutral core is issue 14's transport interface (see docs/wecom.md).
"""

from bot.transports.wecom.client import WeComClient
from bot.transports.wecom.errors import (
    PermanentError,
    RetryAfter,
    TransientError,
    WeComAuthError,
    WeComError,
    classify,
)
from bot.transports.wecom.inbound import CardPress, Inbound, Media, parse_callback

__all__ = [
    "CardPress",
    "Inbound",
    "Media",
    "PermanentError",
    "RetryAfter",
    "TransientError",
    "WeComAuthError",
    "WeComClient",
    "WeComError",
    "classify",
    "parse_callback",
]
