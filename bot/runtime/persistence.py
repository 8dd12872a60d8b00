"""Conversation state and drafts kept in our SQLite database.

The library's persistence is normally flushed on a timer; `flush_now` is registered as the
last handler group so that a state is written as soon as an update changed it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import BasePersistence, CallbackContext, PersistenceInput

from bot.storage.conversations import ConversationStore

ConversationKey = tuple[int | str, ...]

NEVER = 10**9
"""Timer interval for the library's own flush: effectively off, `flush_now` does the work."""


class SqlitePersistence(BasePersistence[dict[str, Any], dict[Any, Any], dict[str, Any]]):
    def __init__(self, store: ConversationStore, parse_state: Callable[[str], object]) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=NEVER,
        )
        self._store = store
        self._parse_state = parse_state

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        return await self._store.user_data()

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        await self._store.set_user_data(user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._store.drop_user_data(user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Only this process writes user data, so what it holds is already current."""

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        stored = await self._store.states(name)
        return {tuple(json.loads(key)): self._parse_state(state) for key, state in stored.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        state = None if new_state is None else str(new_state)
        await self._store.set_state(name, json.dumps(list(key)), state)

    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        """Chat data is not used: everything per person lives in user data."""

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        """Chat data is not used."""

    async def drop_chat_data(self, chat_id: int) -> None:
        """Chat data is not used."""

    async def get_bot_data(self) -> dict[str, Any]:
        return {}

    async def update_bot_data(self, data: dict[str, Any]) -> None:
        """Bot data holds live services, rebuilt at every start, never stored."""

    async def refresh_bot_data(self, bot_data: dict[str, Any]) -> None:
        """Bot data is not stored."""

    async def get_callback_data(self) -> None:
        return None

    async def update_callback_data(self, data: object) -> None:
        """Buttons carry their own payloads; there is no callback data cache."""

    async def flush(self) -> None:
        """Every write already went to SQLite."""


async def flush_now(update: Update, context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Write whatever this update changed, instead of waiting for the library's timer.

    The library marks a user's data as changed only after every handler group has run, so
    this handler, running in the last group, marks it itself first.
    """
    if update.effective_user is not None:
        context.application.mark_data_for_update_persistence(user_ids=update.effective_user.id)
    await context.application.update_persistence()
