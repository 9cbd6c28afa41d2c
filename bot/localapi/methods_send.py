"""Bot API methods that put messages into chats: sendMessage, sendPhoto, sendDocument, ..."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.localapi.files import content, document_dict, photo_size_dict
from bot.localapi.formatting import render, utf16_len
from bot.localapi.models import JSON, FakeChat, SentRecord, bad_request
from bot.localapi.params import Upload, as_bool, as_int, as_json, need

if TYPE_CHECKING:
    from bot.localapi.server import FakeBotApi

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_PHOTO_UPLOAD = 10 * 1024 * 1024
MAX_DOCUMENT_UPLOAD = 50 * 1024 * 1024


def check_markup(markup: Any) -> JSON | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not button.get("text"):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def prepare(api: FakeBotApi, params: dict[str, Any]) -> tuple[FakeChat, JSON, int | None]:
    """Resolve and check the target chat; return (chat, reply/markup content, reply_to id)."""
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_send(chat)
    extra: JSON = {}
    reply_to: int | None = None
    reply = as_json(params, "reply_parameters")
    if isinstance(reply, dict) and reply.get("message_id") is not None:
        reply_to = int(reply["message_id"])
        allow = bool(reply.get("allow_sending_without_reply"))
    else:
        reply_to = as_int(params, "reply_to_message_id")
        allow = as_bool(params, "allow_sending_without_reply")
    if reply_to is not None:
        if api.world.message(chat.id, reply_to) is not None:
            extra.update(api.world.reply_content(chat, reply_to))
        elif allow:
            reply_to = None
        else:
            raise bad_request("message to be replied not found")
    markup = check_markup(as_json(params, "reply_markup"))
    if markup is not None:
        extra["reply_markup"] = markup
    return chat, extra, reply_to


def visible(text: str, params: dict[str, Any], entities_key: str) -> tuple[str, list[JSON]]:
    return render(text, params.get("parse_mode"), as_json(params, entities_key))


def caption_content(params: dict[str, Any]) -> JSON:
    caption = params.get("caption")
    if not caption:
        return {}
    shown, entities = visible(str(caption), params, "caption_entities")
    if utf16_len(shown) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    data: JSON = {"caption": shown}
    if entities:
        data["caption_entities"] = entities
    return data


def send_message(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    raw = params.get("text")
    if raw is None or str(raw) == "":
        raise bad_request("message text is empty")
    raw = str(raw)
    chat, extra, reply_to = prepare(api, params)
    shown, entities = visible(raw, params, "entities")
    if not shown.strip():
        raise bad_request("message text is empty")
    if utf16_len(shown) > MAX_TEXT:
        raise bad_request("message is too long")
    body: JSON = {"text": shown}
    if entities:
        body["entities"] = entities
    message = api.world.new_message(chat, api.world.bot, {**body, **extra})
    api.record(
        SentRecord(
            "sendMessage",
            "message",
            chat.id,
            message["message_id"],
            text=shown,
            raw_text=raw,
            parse_mode=params.get("parse_mode"),
            entities=entities or None,
            reply_markup=extra.get("reply_markup"),
            reply_to=reply_to,
            message=message,
        )
    )
    return message


def media_source(
    api: FakeBotApi, value: Any, uploads: dict[str, Upload], key: str
) -> tuple[Upload | None, Any]:
    """(upload, stored file) for a photo/document parameter: an upload, attach:// or a file_id."""
    if value is None or value == "":
        upload = uploads.get(key)
        if upload is None:
            raise bad_request(f"there is no {key} in the request")
        return upload, None
    text = str(value)
    if text.startswith("attach://"):
        upload = uploads.get(text[len("attach://") :])
        if upload is None:
            raise bad_request(f"file {text} not found in the request")
        return upload, None
    if text.startswith(("http://", "https://")):
        raise bad_request("failed to get HTTP URL content")
    return None, api.world.files.get(text)


def photo_content(api: FakeBotApi, upload: Upload | None, stored: Any) -> tuple[JSON, bytes]:
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if len(upload.data) > MAX_PHOTO_UPLOAD:
            raise bad_request("PHOTO_SAVE_FILE_INVALID")
        return {"photo": api.world.files.add_photo(upload.data)}, upload.data
    if stored.kind != "photos":
        raise bad_request("wrong file identifier/HTTP URL specified")
    return {"photo": [photo_size_dict(stored)]}, content(stored)


def document_content(api: FakeBotApi, upload: Upload | None, stored: Any) -> tuple[JSON, bytes]:
    if upload is not None:
        if not upload.data:
            raise bad_request("file must be non-empty")
        if len(upload.data) > MAX_DOCUMENT_UPLOAD:
            raise bad_request("file is too big")
        doc = api.world.files.add_document(upload.data, upload.filename, upload.content_type)
        return {"document": doc}, upload.data
    if stored.kind != "documents":
        raise bad_request("wrong file identifier/HTTP URL specified")
    return {"document": document_dict(stored)}, content(stored)


def _send_file(
    api: FakeBotApi, params: dict[str, Any], uploads: dict[str, Upload], key: str
) -> JSON:
    chat, extra, reply_to = prepare(api, params)
    upload, stored = media_source(api, params.get(key), uploads, key)
    maker = photo_content if key == "photo" else document_content
    media, data = maker(api, upload, stored)
    caption = caption_content(params)
    message = api.world.new_message(chat, api.world.bot, {**media, **caption, **extra})
    api.record(file_record(key, chat.id, message, media, data, caption, params, reply_to))
    return message


def file_record(
    key: str,
    chat_id: int,
    message: JSON,
    media: JSON,
    data: bytes,
    caption: JSON,
    params: dict[str, Any],
    reply_to: int | None,
) -> SentRecord:
    is_photo = key == "photo"
    doc = media.get("document") or {}
    file_id = media["photo"][-1]["file_id"] if is_photo else doc.get("file_id")
    return SentRecord(
        "sendPhoto" if is_photo else "sendDocument",
        "message",
        chat_id,
        message["message_id"],
        caption=caption.get("caption"),
        raw_text=params.get("caption"),
        parse_mode=params.get("parse_mode"),
        reply_markup=message.get("reply_markup"),
        reply_to=reply_to,
        photo=data if is_photo else None,
        document=None if is_photo else data,
        filename=doc.get("file_name"),
        mime_type=doc.get("mime_type"),
        file_id=file_id,
        media_group_id=message.get("media_group_id"),
        message=message,
    )


def send_photo(api: FakeBotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> JSON:
    return _send_file(api, params, uploads, "photo")


def send_document(api: FakeBotApi, params: dict[str, Any], uploads: dict[str, Upload]) -> JSON:
    return _send_file(api, params, uploads, "document")


def send_media_group(
    api: FakeBotApi, params: dict[str, Any], uploads: dict[str, Upload]
) -> list[JSON]:
    chat, extra, reply_to = prepare(api, params)
    items = as_json(params, "media")
    if not isinstance(items, list) or not 2 <= len(items) <= 10:
        raise bad_request("media must contain 2-10 items")
    prepared = []
    for item in items:
        key = "photo" if item.get("type") == "photo" else "document"
        if item.get("type") not in ("photo", "document"):
            raise bad_request(f"unsupported media type {item.get('type')!r} in this fake")
        upload, stored = media_source(api, item.get("media"), uploads, key)
        maker = photo_content if key == "photo" else document_content
        prepared.append((key, *maker(api, upload, stored), caption_content(item), item))
    group_id = api.world.new_media_group_id()
    messages = []
    for key, media, data, caption, item in prepared:
        body = {**media, **caption, "media_group_id": group_id}
        if "reply_to_message" in extra:
            body["reply_to_message"] = extra["reply_to_message"]
        message = api.world.new_message(chat, api.world.bot, body)
        api.record(file_record(key, chat.id, message, media, data, caption, item, reply_to))
        messages.append(message)
    return messages


_COPYABLE: tuple[str, ...] = ("text", "entities", "photo", "document", "caption", "sticker")
_COPYABLE += ("caption_entities", "location", "contact")


def _source(api: FakeBotApi, params: dict[str, Any], what: str) -> JSON:
    source_chat = api.world.resolve(need(params, "from_chat_id"))
    api.world.check_can_read(source_chat)
    return api.world.require_message(source_chat, need(params, "message_id"), what)


def _copy(api: FakeBotApi, params: dict[str, Any], forward: bool) -> JSON:
    source = _source(api, params, "forward" if forward else "copy")
    chat, extra, reply_to = prepare(api, params)
    body = {k: source[k] for k in _COPYABLE if k in source}
    if not forward and "caption" in params:
        body.pop("caption_entities", None)
        body.update(caption_content(params) or {"caption": None})
        body = {k: v for k, v in body.items() if v is not None}
    if forward:
        body["forward_origin"] = {
            "type": "user",
            "date": source["date"],
            "sender_user": source["from"],
        }
        extra.pop("reply_markup", None)
    message = api.world.new_message(chat, api.world.bot, {**body, **extra})
    api.record(
        SentRecord(
            "forwardMessage" if forward else "copyMessage",
            "message",
            chat.id,
            message["message_id"],
            text=body.get("text"),
            caption=body.get("caption"),
            reply_markup=extra.get("reply_markup"),
            reply_to=reply_to,
            message=message,
        )
    )
    return message


def copy_message(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    return {"message_id": _copy(api, params, forward=False)["message_id"]}


def forward_message(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    return _copy(api, params, forward=True)
