"""How each update's conversation state reaches the library: set for its one key, read in
the chat's turn before any handler runs, written after them.

The first tests guard the one place that reaches into python-telegram-bot's private memory
of conversations (`remember_state`): they fail if a new version of the library keeps it
elsewhere or files keys differently.
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.runtime.ordering import ChatOrderedProcessor
from bot.runtime.persistence import conversation_key, remember_state

CHAT = 5
USER = 7


async def nothing(update: Update, context: Any) -> None:
    """A callback that is never run here."""


def talk(*, per_chat: bool = True, per_user: bool = True) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("go", nothing)],
        states={"TYPING": [MessageHandler(filters.TEXT, nothing)]},
        fallbacks=[],
        name="talk",
        persistent=True,
        per_chat=per_chat,
        per_user=per_user,
    )


def text_message(text: str = "hello") -> Update:
    return Update.de_json(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": CHAT, "type": "group", "title": "G"},
                "from": {"id": USER, "is_bot": False, "first_name": "Anna"},
                "text": text,
            },
        },
        None,
    )


@pytest.mark.parametrize(
    ("per_chat", "per_user", "key"),
    [(True, True, (CHAT, USER)), (True, False, (CHAT,)), (False, True, (USER,))],
)
def test_a_state_set_for_an_updates_key_is_the_state_the_library_then_finds(
    per_chat: bool, per_user: bool, key: tuple[int, ...]
) -> None:
    handler = talk(per_chat=per_chat, per_user=per_user)
    update = text_message()
    assert handler.check_update(update) is None, "plain text outside the conversation"

    assert conversation_key(handler, update) == key
    remember_state(handler, key, "TYPING")

    found = handler.check_update(update)
    assert found is not None
    assert found[:2] == ("TYPING", key)


def test_no_state_set_for_a_key_ends_the_conversation_the_library_remembered() -> None:
    handler = talk()
    update = text_message()
    remember_state(handler, (CHAT, USER), "TYPING")

    remember_state(handler, (CHAT, USER), None)

    assert handler.check_update(update) is None


class BrokenMemory:
    """Stored state that cannot be read, as when the database is unreachable."""

    def __init__(self) -> None:
        self.saved: list[object] = []

    async def load(self, update: object) -> None:
        raise ConnectionError("database unreachable")

    async def save(self, update: object) -> None:
        self.saved.append(update)


async def test_an_update_whose_stored_state_cannot_be_read_is_not_handled_from_memory() -> None:
    done: list[BaseException | None] = []
    ran: list[bool] = []

    async def note(update: object, error: BaseException | None) -> None:
        done.append(error)

    async def handlers() -> None:
        ran.append(True)

    processor = ChatOrderedProcessor(on_done=note)
    memory = BrokenMemory()
    processor.memory = memory
    await processor.process_update(text_message(), handlers())

    assert ran == []
    assert memory.saved == []
    assert len(done) == 1 and isinstance(done[0], ConnectionError)
