"""Several instances of the bot on one database behind one load balancer: whichever instance
an update reaches, it continues the conversation where the other left it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.balancer import Balancer, behind, serving
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
DESCRIPTION = "It stops halfway and the drum stays full of water"


@pytest.fixture
async def instances(
    api: FakeBotApi, settings: Settings, clock: FakeClock, balancer: Balancer
) -> AsyncIterator[dict[str, BotRunner]]:
    """Instances "a" and "b" on one database behind the balancer, as in production."""
    shared = behind(settings, balancer).model_copy(update={"workshops_file": ONE_WORKSHOP})
    async with serving(balancer, {name: BotRunner(api, shared, clock) for name in "ab"}) as runners:
        yield runners


class Alternating:
    """One customer whose every update the balancer sends to the other instance in turn."""

    def __init__(self, instances: dict[str, BotRunner], balancer: Balancer, user_id: int) -> None:
        self._as_seen_by = {name: runner.person(user_id) for name, runner in instances.items()}
        self._balancer = balancer
        self._order = list(instances)
        self._turn = 0

    def next(self) -> Person:
        """The customer as the next instance sees them; later requests are routed to it."""
        name = self._order[self._turn % len(self._order)]
        self._turn += 1
        self._balancer.route = name
        return self._as_seen_by[name]

    @property
    def anyone(self) -> Person:
        return self._as_seen_by[self._order[0]]


async def test_a_repair_booking_alternating_between_two_instances_keeps_its_whole_draft(
    instances: dict[str, BotRunner], balancer: Balancer
) -> None:
    anna = Alternating(instances, balancer, 3101)

    await anna.next().command("/repair")
    await anna.next().taps("Washing machine")
    await anna.next().taps("Won't drain")
    await anna.next().taps("❌ Still broken")
    await anna.next().says(DESCRIPTION)
    await anna.next().taps("➡️ Continue")
    await anna.next().taps("Less than 6 months")
    await anna.next().says("Testville")
    await anna.next().taps("One Bench")
    step = anna.next()
    await step.taps(step.buttons()[1])  # tomorrow
    await anna.next().taps("10:00")
    await anna.next().taps_reply("Skip")
    summary = anna.anyone.screen["text"]
    await anna.next().taps("Confirm")

    assert set(balancer.passed) == {"a", "b"}
    assert any("Booked!" in text for text in anna.anyone.texts())
    assert DESCRIPTION in summary
    assert "🧾 Bought: Less than 6 months" in anna.anyone.texts()
    db = instances["a"].app.bot_data["services"].db
    ticket = await db.fetch_one(
        "SELECT t.category, t.workshop_code, t.slot_start, t.description, w.purchase_age"
        " FROM tickets t JOIN ticket_warranty w ON w.ticket_id = t.id"
        " WHERE t.customer_id = ? AND t.status = 'booked'",
        (3101,),
    )
    assert ticket is not None
    assert dict(ticket) == {
        "category": "washer",
        "workshop_code": "TEST-ONE",
        "slot_start": "2026-11-27T07:00:00+00:00",
        "description": DESCRIPTION,
        "purchase_age": "lt6m",
    }


async def test_a_conversation_left_on_one_instance_is_over_on_the_other_too(
    instances: dict[str, BotRunner], balancer: Balancer
) -> None:
    boris = Alternating(instances, balancer, 3102)
    await boris.next().command("/repair")
    menu = boris.anyone.screen
    [washer] = [
        button["callback_data"]
        for row in menu["reply_markup"]["inline_keyboard"]
        for button in row
        if button["text"] == "Washing machine"
    ]

    await boris.next().taps("✖️ Exit")
    await boris.next().taps_data(menu["message_id"], washer)

    assert boris.anyone.toasts()[-1] == "This button is no longer active."
    assert not any("Won't drain" in text for text in boris.anyone.buttons())
