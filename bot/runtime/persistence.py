"""Conversation states and drafts kept in the database, never trusted from memory.

Several instances may serve one bot, and the next update of a conversation may reach any of
them. So before an update's handlers run, `UpdateState.load` reads the states of that
update's conversations and the person's data (one indexed read) and puts them where the
library looks; after the handlers, `UpdateState.save` writes what changed, before the update
counts as handled. The library's own load at start-up and its flush timer are left idle.

The library hands over each changed state and person's data separately (and at once, for
every chat with changes, not only the update's); written so, an instance killed between two
of those writes, or a database refusing one, would leave a conversation at its next step
with the draft of the step before. So what it hands over is held, and each update's save
writes its own conversations and person together, in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, BasePersistence, ConversationHandler, PersistenceInput

from bot.storage.conversations import ConversationStore

ConversationKey = tuple[int | str, ...]

NEVER = 10**9
"""Timer interval for the library's own flush: effectively off, `UpdateState.save` does it."""


class DatabasePersistence(BasePersistence[dict[str, Any], dict[Any, Any], dict[str, Any]]):
    """The library's persistence, writing through the storage layer (either engine)."""

    def __init__(self, store: ConversationStore, parse_state: Callable[[str], object]) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=NEVER,
        )
        self.store = store
        self.parse_state = parse_state
        self._states: dict[tuple[str, str], str | None] = {}
        self._data: dict[int, dict[str, Any] | None] = {}

    async def write(self, conversations: Sequence[tuple[str, str]], user_id: int | None) -> None:
        """Write what was handed over for these (name, key) conversations and this person,
        together; the rest waits for its own update's save (or `flush`)."""
        states = {
            place: self._states.pop(place) for place in conversations if place in self._states
        }
        data = {user_id: self._data.pop(user_id)} if user_id in self._data else {}
        await self.store.save(states, data)

    async def get_user_data(self) -> dict[int, dict[str, Any]]:
        """Nothing at start-up: each update loads its person's data (`UpdateState.load`)."""
        return {}

    async def update_user_data(self, user_id: int, data: dict[str, Any]) -> None:
        """Held for `write`."""
        self._data[user_id] = data

    async def drop_user_data(self, user_id: int) -> None:
        """Held for `write`."""
        self._data[user_id] = None

    async def refresh_user_data(self, user_id: int, user_data: dict[str, Any]) -> None:
        """Already loaded, before the first handler looked at the update."""

    async def get_conversations(self, name: str) -> dict[ConversationKey, object]:
        """Nothing at start-up: each update loads its conversations' states."""
        return {}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Held for `write`."""
        self._states[name, encode_key(key)] = None if new_state is None else str(new_state)

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
        """Write whatever is still held, at stop."""
        states, self._states = self._states, {}
        data, self._data = self._data, {}
        await self.store.save(states, data)


def encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key))


class UpdateState:
    """Loads an update's conversation states and person's data before its handlers run, and
    writes them after; the update processor calls both within the chat's turn."""

    def __init__(self, application: Application, persistence: DatabasePersistence) -> None:
        self._application = application
        self._persistence = persistence
        self._conversations = [
            handler
            for group in application.handlers.values()
            for handler in group
            if isinstance(handler, ConversationHandler) and handler.persistent and handler.name
        ]
        if any(handler.per_message for handler in self._conversations):
            raise ValueError("a per-message conversation cannot be loaded per update")

    async def load(self, update: object) -> None:
        """Replace what this process remembers of the update's people with what is stored."""
        if not isinstance(update, Update):
            return
        keys = self._keys(update)
        user = update.effective_user
        stored = await self._persistence.store.load(
            [(str(handler.name), encode_key(key)) for handler, key in keys.items()],
            user.id if user is not None else None,
        )
        for handler, key in keys.items():
            state = stored.states.get(str(handler.name))
            remember_state(
                handler, key, None if state is None else self._persistence.parse_state(state)
            )
        if user is not None:
            data = self._application.user_data[user.id]  # created if new, like the library does
            data.clear()
            data.update(stored.data)

    async def save(self, update: object) -> None:
        """Write what the update changed, in one transaction.

        The library marks a person's data as changed only when a handler group ran to its
        end, not when a handler stopped the update early, so it is marked here in any case.
        """
        if not isinstance(update, Update):
            return
        user = update.effective_user
        if user is not None:
            self._application.mark_data_for_update_persistence(user_ids=user.id)
        await self._application.update_persistence()
        await self._persistence.write(
            [(str(handler.name), encode_key(key)) for handler, key in self._keys(update).items()],
            user.id if user is not None else None,
        )

    def _keys(self, update: Update) -> dict[ConversationHandler, ConversationKey]:
        """The update's conversations, each with the key it is filed under."""
        return {
            handler: key
            for handler in self._conversations
            if (key := conversation_key(handler, update)) is not None
        }


def conversation_key(handler: ConversationHandler, update: Update) -> ConversationKey | None:
    """The key the library files this update's conversation under (chat id, then user id, as
    the handler is set up), or None when the update has no such key."""
    key: list[int | str] = []
    if handler.per_chat:
        if update.effective_chat is None:
            return None
        key.append(update.effective_chat.id)
    if handler.per_user:
        if update.effective_user is None:
            return None
        key.append(update.effective_user.id)
    return tuple(key)


def remember_state(handler: ConversationHandler, key: ConversationKey, state: object) -> None:
    """Make the library hold ``state`` for ``key`` (None: no conversation), as if it had
    just read it.

    python-telegram-bot 22 reads stored states once, at initialize, into the handler's
    private ``_conversations`` mapping, which `check_update` consults and the Application
    keeps to write changes back; there is no public way to set one key's state. This is the
    one place that reaches in; tests/unit/test_update_state.py breaks if the library
    changes it. The write counts as a change to the library, which hands it back at the next
    save, where the store sees that it is what was read and skips it.
    """
    conversations = handler._conversations
    if state is None:
        conversations.pop(key, None)
    else:
        conversations[key] = state
