"""Method name (lower case, as Telegram matches them) -> implementation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.localapi import methods_edit as edit
from bot.localapi import methods_other as other
from bot.localapi import methods_send as send

Handler = Callable[..., Any]

METHODS: dict[str, Handler] = {
    "getme": other.get_me,
    "getupdates": other.get_updates,
    "setwebhook": other.set_webhook,
    "deletewebhook": other.delete_webhook,
    "getwebhookinfo": other.get_webhook_info,
    "sendmessage": send.send_message,
    "sendphoto": send.send_photo,
    "senddocument": send.send_document,
    "sendmediagroup": send.send_media_group,
    "copymessage": send.copy_message,
    "forwardmessage": send.forward_message,
    "editmessagetext": edit.edit_message_text,
    "editmessagecaption": edit.edit_message_caption,
    "editmessagereplymarkup": edit.edit_message_reply_markup,
    "deletemessage": edit.delete_message,
    "answercallbackquery": edit.answer_callback_query,
    "sendchataction": edit.send_chat_action,
    "getfile": other.get_file,
    "getchat": other.get_chat,
    "getchatmember": other.get_chat_member,
    "getchatadministrators": other.get_chat_administrators,
    "getchatmembercount": other.get_chat_member_count,
    "leavechat": other.leave_chat,
    "setmycommands": other.set_my_commands,
    "getmycommands": other.get_my_commands,
    "deletemycommands": other.delete_my_commands,
    "setmydescription": other.just_true,
    "setmyshortdescription": other.just_true,
    "setchatmenubutton": other.just_true,
    "close": other.just_true,
    "logout": other.just_true,
}
