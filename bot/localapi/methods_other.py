"""Bot API methods about the bot itself, updates, webhooks, files, chats and commands."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bot.localapi.models import JSON, ApiError, bad_request
from bot.localapi.params import Upload, as_bool, as_int, as_json, need
from bot.localapi.state import IN_CHAT, chat_full_info

if TYPE_CHECKING:
    from bot.localapi.server import FakeBotApi

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


def get_me(api: FakeBotApi, _: dict[str, Any], __: dict[str, Upload]) -> JSON:
    return {
        **api.world.bot.to_dict(),
        "can_join_groups": True,
        "can_read_all_group_messages": True,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> list[JSON]:
    if api.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    api.updates.set_allowed(as_json(params, "allowed_updates"))
    limit = min(100, max(1, as_int(params, "limit", 100) or 100))
    timeout = float(params.get("timeout") or 0)
    return await api.updates.get_updates(as_int(params, "offset"), limit, timeout)


def set_webhook(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    url = str(params.get("url") or "")
    secret = params.get("secret_token")
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    if secret and not _SECRET.match(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if as_bool(params, "drop_pending_updates"):
        api.updates.drop_all()
    api.updates.set_allowed(as_json(params, "allowed_updates"))
    api.set_webhook(url, str(secret) if secret else None)
    return True


def delete_webhook(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    if as_bool(params, "drop_pending_updates"):
        api.updates.drop_all()
    api.set_webhook("", None)
    return True


def get_webhook_info(api: FakeBotApi, _: dict[str, Any], __: dict[str, Upload]) -> JSON:
    info: JSON = {
        "url": api.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(api.updates),
    }
    if api.webhook.url:
        info["max_connections"] = api.webhook.max_connections
        if api.webhook.last_error_date:
            info["last_error_date"] = api.webhook.last_error_date
            info["last_error_message"] = api.webhook.last_error_message
    if api.updates.allowed is not None:
        info["allowed_updates"] = sorted(api.updates.allowed)
    return info


def get_file(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    return api.world.files.get_file(str(need(params, "file_id")))


def get_chat(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    return chat_full_info(api.world, chat)


def get_chat_member(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> JSON:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    user_id = as_int(params, "user_id")
    if user_id not in api.world.users:
        raise bad_request("user not found")
    return api.world.member_dict(chat, api.world.users[user_id])


def get_chat_administrators(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> list:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [uid for uid, s in chat.members.items() if s in ("creator", "administrator")]
    return [api.world.member_dict(chat, api.world.users[uid]) for uid in admins]


def get_chat_member_count(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> int:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    if chat.type == "private":
        return 2
    return sum(1 for s in chat.members.values() if s in IN_CHAT)


def leave_chat(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    chat = api.world.resolve(need(params, "chat_id"))
    api.world.check_can_read(chat)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    api.change_bot_status(chat, "left", by_user=api.world.bot)
    return True


def _scope_key(params: dict[str, Any]) -> str:
    scope = as_json(params, "scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")


def set_my_commands(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    commands = as_json(params, "commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be a list of at most 100 commands")
    for command in commands:
        if not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_scope_key(params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


def get_my_commands(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> list:
    return list(api.commands.get(_scope_key(params), []))


def delete_my_commands(api: FakeBotApi, params: dict[str, Any], _: dict[str, Upload]) -> bool:
    api.commands.pop(_scope_key(params), None)
    return True


def just_true(api: FakeBotApi, _: dict[str, Any], __: dict[str, Upload]) -> bool:
    return True
