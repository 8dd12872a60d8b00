"""The benchmark's bot process tells its parent of every update it handled, on both engines.

The parent's simulated customers wait for that line before their next tap; on PostgreSQL the
processor hands updates to its chat's lease (``shared``), which never tells ``on_done``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import pytest
from telegram import Update

from bench.bot_process import report_handled
from bot.runtime.ordering import ChatOrderedProcessor, Handle

UPDATE = Update.de_json(
    {
        "update_id": 7,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "A"},
            "text": "hi",
        },
    },
    None,
)


class LeaseStandIn:
    """Runs the update as `SharedChats.take_turn` does: through ``handle``, never ``on_done``."""

    async def take_turn(
        self, lane: int, update: Update, coroutine: Awaitable[Any], handle: Handle
    ) -> None:
        await handle(update, coroutine)


async def handlers() -> None:
    pass


@pytest.mark.parametrize("shared", [False, True], ids=["sqlite", "postgresql"])
async def test_a_handled_update_is_told(shared: bool, capsys: pytest.CaptureFixture[str]) -> None:
    processor = ChatOrderedProcessor()
    if shared:
        processor.shared = LeaseStandIn()
    report_handled(processor)
    await processor.process_update(UPDATE, handlers())
    assert capsys.readouterr().out.splitlines() == ["handled 42 7"]
