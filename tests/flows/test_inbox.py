"""The inbox: every update is stored before it is acknowledged, and handled once from there."""

from __future__ import annotations

import json

from bot.fake_telegram.server import FakeBotApi, JSONDict
from bot.fake_telegram.users import FakeUser
from bot.runtime.ordering import MAX_CONCURRENT
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock
from tests.support.database import inbox_of


async def inbox_rows(bot: BotRunner) -> list[tuple[int, str | None]]:
    async with inbox_of(bot.settings) as db:
        rows = await db.fetch_all("SELECT update_id, handled_at FROM inbox ORDER BY update_id")
    return [(row["update_id"], row["handled_at"]) for row in rows]


def command_update(api: FakeBotApi, user: FakeUser, update_id: int, command: str) -> JSONDict:
    """The JSON of an update as Telegram sends it: ``command`` typed by ``user``."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": api.next_message_id(user.chat_id),
            "from": user.user,
            "chat": api.chat_info(user.chat_id),
            "date": api.now(),
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def test_updates_stored_but_not_handled_before_a_crash_are_handled_once_at_start(
    bot: BotRunner, api: FakeBotApi
) -> None:
    await bot.stop()
    olga = FakeUser(api, 4242, "Olga")
    # What a process killed right after storing a batch (and acknowledging it) leaves behind.
    stored = [
        command_update(api, olga, 900_001, "/start"),
        command_update(api, olga, 900_002, "/help"),
    ]
    async with inbox_of(bot.settings) as db:
        for update in stored:
            await db.execute(
                "INSERT INTO inbox (update_id, raw, received_at) VALUES (?, ?, ?)",
                (update["update_id"], json.dumps(update), "2026-11-26T06:00:00+00:00"),
            )

    await bot.start()
    bot.last_update_id = 900_002
    await bot.restart()

    replies = api.sent_to(4242)
    assert len(replies) == 2, "each stored update was handled, and only once"
    assert "Olga" in replies[0]["text"]
    assert "/repair" in replies[1]["text"]
    assert all(handled_at is not None for _, handled_at in await inbox_rows(bot))


async def test_an_update_telegram_delivers_again_is_recognised_and_not_handled_twice(
    bot: BotRunner, api: FakeBotApi
) -> None:
    olga = bot.person(4343, "Olga")
    await olga.command("/start")
    first = bot.last_update_id
    await bot.stop()

    api.redeliver(first)
    await bot.start()
    await olga.command("/help")

    delivered_again = [
        update["update_id"] for call in api.calls_of("getUpdates") for update in call.result or []
    ]
    assert delivered_again.count(first) == 2
    assert sum("Olga" in text for text in olga.texts()) == 1
    assert [update_id for update_id, _ in await inbox_rows(bot)] == [first, first + 1]


async def test_a_chat_waiting_on_a_slow_reply_holds_back_no_other_chat_and_keeps_its_order(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(5001, "Anna")
    boris = bot.person(5002, "Boris")
    gate = api.hold(anna.id)
    # More updates of one chat than may run at once: those waiting their turn take no slot.
    sent = [
        anna.user.send_command("/start" if n % 2 == 0 else "/help")
        for n in range(MAX_CONCURRENT + 10)
    ]

    boris.user.send_command("/start")
    greeting = await api.wait_for(lambda: api.sent_to(boris.id), timeout=5)

    assert "Boris" in greeting[0]["text"]
    assert not api.sent_to(anna.id), "Anna's first reply is still on its way"
    gate.set()
    bot.last_update_id = max(sent) + 1
    await bot.settle()
    texts = anna.texts()
    assert len(texts) == len(sent)
    assert all(("Anna" in text) == (n % 2 == 0) for n, text in enumerate(texts)), texts


async def test_handled_updates_are_kept_a_day_to_recognise_re_deliveries_then_pruned(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    olga = bot.person(4444, "Olga")
    await olga.command("/start")
    first = bot.last_update_id

    clock.advance(hours=23)
    await olga.command("/help")
    kept = [update_id for update_id, _ in await inbox_rows(bot)]
    clock.advance(hours=2)
    await olga.command("/help")

    assert first in kept
    assert [update_id for update_id, _ in await inbox_rows(bot)] == [first + 1, first + 2]
