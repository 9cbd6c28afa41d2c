"""The fake's error codes and media encryption.

846605, 40001, 40006, 40008, 40009, 40058 and 45009 are WeCom's documented codes for those
faults; WeCom documents none for "subscribe first", "a frame for this req_id is still being
answered" or "this chat never wrote to the bot", so the fake uses codes of its own (8466xx).
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

INVALID_CREDENTIAL = 40001
BAD_FILE_SIZE = 40006
BAD_MSGTYPE = 40008
BAD_IMAGE_SIZE = 40009
BAD_PARAM = 40058
FREQ_LIMIT = 45009
INVALID_REQ_ID = 846605
# the fake's own
NOT_SUBSCRIBED = 846690
REQ_ID_BUSY = 846691
CHAT_NEVER_WROTE = 846692
UNKNOWN_CMD = 846693

CHUNK_MAX = 512 * 1024
IMAGE_MAX = 10 * 1024 * 1024
FILE_MAX = 20 * 1024 * 1024
MEDIA_TTL = 300.0  # inbound media URLs: 5 minutes
REPLY_TTL = 24 * 3600.0
PER_MINUTE, PER_HOUR = 30, 1000


def encrypt_media(plain: bytes) -> tuple[bytes, str]:
    """Encrypt as WeCom does for inbound media: a fresh 32-byte key per message, IV = its
    first 16 bytes, PKCS#7 padding to 32; the aeskey is base64 without its '=' padding."""
    key = os.urandom(32)
    pad = 32 - len(plain) % 32
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    data = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
    return data, base64.b64encode(key).decode("ascii").rstrip("=")
