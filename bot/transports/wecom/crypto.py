"""Inbound media: AES-256-CBC, key = base64-decoded per-message ``aeskey`` (often sent without
its ``=`` padding), IV = the key's first 16 bytes, PKCS#7 padding to a 32-byte block.

As in WecomTeam/aibot-node-sdk ``src/crypto.ts`` (``decryptFile``) and wecom-aibot-python-sdk
``aibot/crypto_utils.py`` (``decrypt_file``).
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.transports.wecom.errors import PermanentError

PAD_BLOCK = 32


def media_key(aeskey: str) -> bytes:
    """The 32-byte key; PermanentError when ``aeskey`` is not base64 of 32 bytes."""
    text = aeskey.strip()
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PermanentError(f"the media aeskey is not base64: {exc}") from None
    if len(key) != 32:
        raise PermanentError(f"the media aeskey decodes to {len(key)} bytes, not 32")
    return key


def decrypt_media(data: bytes, aeskey: str) -> bytes:
    """The plain bytes of a downloaded file; PermanentError when they do not decrypt."""
    key = media_key(aeskey)
    if not data or len(data) % 16:
        raise PermanentError(f"encrypted media of {len(data)} bytes is not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(data) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= PAD_BLOCK or plain[-pad:] != bytes([pad]) * pad:
        raise PermanentError("the media did not decrypt (bad padding): wrong aeskey or damaged")
    return plain[:-pad]
