"""Someone sending far too fast is slowed down, told once, and nobody else notices."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock

SLOW_DOWN = "You are sending messages faster than I can read them"


@pytest.fixture
async def bot(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    """The bot with the default flood limits."""
    defaults = Settings.model_fields
    limits = {
        "flood_burst": defaults["flood_burst"].default,
        "flood_rate": defaults["flood_rate"].default,
    }
    runner = BotRunner(api, settings.model_copy(update=limits), clock)
    await runner.start()
    yield runner
    await runner.stop()


def replies_to(api: FakeBotApi, chat_id: int) -> list[str]:
    return [m.get("text", "") for m in api.sent_to(chat_id)]


async def test_a_flood_is_cut_off_with_one_notice_and_others_are_answered(
    bot: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    flooder = bot.person(501, "Script")
    customer = bot.person(502, "Anna")
    burst = bot.settings.flood_burst

    last = 0
    for number in range(burst + 30):
        last = flooder.user.send_text(f"spam {number}")
    last = max(last, customer.user.send_command("/start"))
    bot.last_update_id = last
    await bot.settle()

    flooded = replies_to(api, flooder.id)
    assert len(flooded) == burst + 1, "the burst is answered, then one notice, then nothing"
    assert sum(SLOW_DOWN in reply for reply in flooded) == 1
    assert SLOW_DOWN in flooded[-1]
    assert any("Hello, Anna" in reply for reply in replies_to(api, customer.id))
    await bot.acknowledged()  # refused updates are acknowledged like any other

    # A few quiet seconds later the same person is welcome again.
    clock.advance(seconds=burst / bot.settings.flood_rate)
    answered = await flooder.command("/start")
    assert any("Hello, Script" in message.get("text", "") for message in answered)


async def test_a_flood_of_button_presses_gets_one_toast_and_no_other_answer(
    bot: BotRunner,
) -> None:
    presser = bot.person(503, "Presser")
    await presser.command("/start")
    menu = presser.screen
    burst = bot.settings.flood_burst

    last = 0
    for _ in range(burst + 10):
        last = presser.user.press("🌐 Language", menu["message_id"])
    bot.last_update_id = last
    await bot.settle()

    answers = presser.toasts()
    assert len(answers) == burst, "the burst less the /start, then the notice, then nothing"
    assert sum(SLOW_DOWN in answer for answer in answers) == 1
    await bot.acknowledged()
