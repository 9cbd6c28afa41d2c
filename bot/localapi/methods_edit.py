"""Bot API methods that change what is already there: edits, deletes, callback answers, actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.localapi.formatting import utf16_len
from bot.localapi.methods_send import MAX_CAPTION, MAX_TEXT, check_markup, visible
from bot.localapi.models import JSON, SentRecord, bad_request
from bot.localapi.params import Upload, as_bool, as_json, need

if TYPE_CHECKING:
    from bot.localapi.server import FakeBotApi

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _target(api: FakeBotApi, params: dict[str, Any]) -> JSON:
    if params.get("inline_message_id"):
        raise bad_request("inline messages are not supported by this fake")
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    message = api.world.require_message(chat, need(params, "message_id"), "edit")
    if message["from"]["id"] != api.world.bot.id:
        raise bad_request("message can't be edited")
    return message


def _apply(api: FakeBotApi, message: JSON, method: str, changes: JSON, raw: str | None) -> JSON:
    before = {k: message.get(k) for k in changes}
    if before == changes:
        raise bad_request(NOT_MODIFIED)
    for key, value in changes.items():
        if value is None:
            message.pop(key, None)
        else:
            message[key] = value
    message["edit_date"] = int(api.world.now())
    api.record(
        SentRecord(
            method,
            "edit",
            message["chat"]["id"],
            message["message_id"],
            text=message.get("text"),
            raw_text=raw,
            caption=message.get("caption"),
            reply_markup=message.get("reply_markup"),
            message=message,
        )
    )
    return message


def edit_message_text(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    message = _target(api, params)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    raw = str(params.get("text") or "")
    shown, entities = visible(raw, params, "entities")
    if not shown.strip():
        raise bad_request("message text is empty")
    if utf16_len(shown) > MAX_TEXT:
        raise bad_request("message is too long")
    changes = {
        "text": shown,
        "entities": entities or None,
        "reply_markup": check_markup(as_json(params, "reply_markup")),
    }
    return _apply(api, message, "editMessageText", changes, raw)


def edit_message_caption(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    message = _target(api, params)
    if "photo" not in message and "document" not in message:
        raise bad_request("there is no caption in the message to edit")
    raw = str(params.get("caption") or "")
    shown, entities = visible(raw, params, "caption_entities")
    if utf16_len(shown) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    changes = {
        "caption": shown or None,
        "caption_entities": entities or None,
        "reply_markup": check_markup(as_json(params, "reply_markup")),
    }
    return _apply(api, message, "editMessageCaption", changes, raw)


def edit_message_reply_markup(
    api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]
) -> JSON:
    message = _target(api, params)
    changes = {"reply_markup": check_markup(as_json(params, "reply_markup"))}
    return _apply(api, message, "editMessageReplyMarkup", changes, None)


def delete_message(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    message = api.world.require_message(chat, need(params, "message_id"), "delete")
    del api.world.messages[(chat.id, message["message_id"])]
    api.record(
        SentRecord("deleteMessage", "delete", chat.id, message["message_id"], message=message)
    )
    return True


def answer_callback_query(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    query_id = str(need(params, "callback_query_id"))
    query = api.callback_queries.get(query_id)
    if query is None or query.get("answered"):
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    query["answered"] = True
    message = query.get("message") or {}
    chat_id = int((message.get("chat") or {}).get("id", query["from"]["id"]))
    api.record(
        SentRecord(
            "answerCallbackQuery",
            "callback_answer",
            chat_id,
            message.get("message_id"),
            text=params.get("text"),
            callback_query_id=query_id,
            show_alert=as_bool(params, "show_alert"),
        )
    )
    return True


def send_chat_action(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_send(chat)
    api.chat_actions.append((chat.id, str(need(params, "action"))))
    return True
