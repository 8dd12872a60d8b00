"""Reading the sender off a raw update, as the poller does before parsing it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.handlers.polling import sender_of

USER = {"id": 42, "is_bot": False, "first_name": "Anna"}
CHAT = {"id": 42, "type": "private"}


@pytest.mark.parametrize(
    ("update", "sender"),
    [
        ({"update_id": 1, "message": {"message_id": 5, "from": USER, "chat": CHAT}}, 42),
        ({"update_id": 2, "edited_message": {"message_id": 5, "from": USER, "chat": CHAT}}, 42),
        ({"update_id": 3, "callback_query": {"id": "q", "from": USER, "data": "x"}}, 42),
        ({"update_id": 4, "my_chat_member": {"chat": CHAT, "from": USER, "date": 0}}, 42),
        ({"update_id": 5, "channel_post": {"message_id": 5, "chat": {"id": -1}}}, None),
        ({"update_id": 6, "message": {"message_id": 5, "from": {"id": "42"}}}, None),
        ({"update_id": 7}, None),
    ],
)
def test_the_sender_is_the_from_of_the_one_payload(
    update: dict[str, Any], sender: int | None
) -> None:
    assert sender_of(update) == sender
