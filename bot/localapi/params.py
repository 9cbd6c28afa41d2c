"""Request parameters the way the Bot API reads them: query string, urlencoded, multipart or JSON.

PTB sends plain strings as they are and every other value JSON-encoded; files travel as multipart
parts named after the parameter (or after the ``attach://<name>`` they are referenced by).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.localapi.models import bad_request

#: Parameters that are free text: never JSON-decoded even if they look like numbers.
STRING_KEYS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "action",
        "language_code",
        "title",
        "description",
        "short_description",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "first_name",
        "last_name",
        "phone_number",
        "vcard",
        "address",
        "ip_address",
        "name",
    }
)
#: Parameters that may carry an uploaded file or a file_id / URL string.
FILE_KEYS = frozenset({"photo", "document", "sticker", "thumbnail", "certificate"})


@dataclass
class Upload:
    data: bytes
    filename: str | None
    content_type: str | None


def _decode(key: str, value: str) -> Any:
    if key in STRING_KEYS or key in FILE_KEYS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = {k: _decode(k, v) for k, v in request.query.items()}
    uploads: dict[str, Upload] = {}
    if not request.body_exists:
        return params, uploads
    ctype = request.content_type
    if ctype == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON") from None
        if not isinstance(body, dict):
            raise bad_request("JSON body must be an object")
        for key, value in body.items():
            params[key] = _decode(key, value) if isinstance(value, str) else value
        return params, uploads
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                uploads[key] = Upload(value.file.read(), value.filename, value.content_type)
            elif isinstance(value, str):
                params[key] = _decode(key, value)
            else:  # bytes without filename
                uploads[key] = Upload(bytes(value), None, None)
    return params, uploads


def need(params: dict[str, Any], key: str) -> Any:
    value = params.get(key)
    if value is None or value == "":
        raise bad_request(f"{key} is empty" if key in ("text", "chat_id") else f"{key} is required")
    return value


def as_int(params: dict[str, Any], key: str, default: int | None = None) -> int | None:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"invalid {key} specified") from None


def as_bool(params: dict[str, Any], key: str) -> bool:
    value = params.get(key)
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def as_json(params: dict[str, Any], key: str) -> Any:
    value = params.get(key)
    if isinstance(value, str) and value:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {key} JSON object") from None
    return value
