"""ConversationHandler states kept in the database, so a restart mid-dialog resumes where it was.

Only conversations are persisted: user, chat and bot data and callback data stay in memory
(``PersistenceInput`` all False) — dialogs keep their answers in their own tables instead.
``PersistentConversation`` writes the state right after each step instead of waiting for PTB's
periodic flush, so nothing is lost if the process dies between two messages.
"""

from __future__ import annotations

import json
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from bot.db import Database
from storage import registration_state as state


def encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))


def decode_key(text: str) -> ConversationKey:
    return tuple(json.loads(text))


class DbPersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, *, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self.db.run(state.conversation_states, name)
        return {decode_key(key): value for key, value in rows}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self.db.run(state.set_conversation_state, name, encode_key(key), new_state)

    # -- everything else is not persisted ------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        return None


class PersistentConversation(ConversationHandler[Any]):
    """A ConversationHandler that saves its states as soon as a step is handled."""

    async def handle_update(  # type: ignore[override]
        self,
        update: Update,
        application: Application[Any, Any, Any, Any, Any, Any],
        check_result: Any,
        context: Any,
    ) -> object | None:
        try:
            return await super().handle_update(update, application, check_result, context)
        finally:
            if application.persistence is not None:
                await application.update_persistence()
