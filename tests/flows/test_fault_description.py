"""The fault in the customer's own words and pictures reaches the workshop and head office."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001
ASKED = "in your own words"
SLOW_DOWN = "faster than I can read them"


@pytest.fixture
async def network(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": ONE_WORKSHOP}
        ),
        clock,
    )
    await runner.start()
    yield runner
    await runner.stop()


@pytest.fixture
async def paced(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    """The same network with the default flood limits."""
    defaults = Settings.model_fields
    runner = BotRunner(
        api,
        settings.model_copy(
            update={
                "head_office_ids": frozenset({HEAD_OFFICE}),
                "workshops_file": ONE_WORKSHOP,
                "flood_burst": defaults["flood_burst"].default,
                "flood_rate": defaults["flood_rate"].default,
            }
        ),
        clock,
    )
    await runner.start()
    yield runner
    await runner.stop()


async def hire_mechanic(network: BotRunner) -> Person:
    mechanic = network.person(MECHANIC, "Mike")
    await mechanic.command("/start")
    await network.person(HEAD_OFFICE, "Olga").command("/addstaff", f"{MECHANIC} TEST-ONE")
    return mechanic


WASHER_WONT_DRAIN = {
    "en": ("Washing machine", "Won't drain", "❌ Still broken"),
    "ru": ("Стиральная машина", "Не сливает воду", "❌ Не помогло"),
}


async def to_description(customer: Person, lang: str = "en") -> list[JSONDict]:
    """A washer that won't drain, the fix did not help: the description is asked for."""
    category, fault, still_broken = WASHER_WONT_DRAIN[lang]
    await customer.command("/repair")
    await customer.taps(category)
    await customer.taps(fault)
    return await customer.taps(still_broken)


async def book_from_here(customer: Person) -> tuple[str, str]:
    """From the location step on, the second day at 09:00: the code, and the summary shown
    before Confirm (which replaces it)."""
    await customer.says("Testville")
    await customer.taps("One Bench")
    await customer.taps(customer.buttons()[1])
    await customer.taps("09:00")
    summary = (await customer.shares_contact("+79001112233"))[-1]["text"]
    await customer.taps("Confirm")
    booked = next(t for t in customer.texts() if "Booked!" in t)
    found = re.search(r"SR-[0-9A-Z]{6}", booked)
    assert found is not None
    return found.group(0), summary


def sent_media(api: FakeBotApi, chat_id: int) -> list[str]:
    """The file ids of the photos (largest size) and videos a person sent, in order."""
    ids = []
    for message in api.history(chat_id):
        if message.get("from", {}).get("id") != chat_id:
            continue
        if message.get("photo"):
            ids.append(message["photo"][-1]["file_id"])
        elif message.get("video"):
            ids.append(message["video"]["file_id"])
    return ids


def albums_to(api: FakeBotApi, chat_id: int) -> list[list[JSONDict]]:
    """What the bot sent a chat as albums, each as its list of InputMedia."""
    return [
        call.params["media"]
        for call in api.calls_of("sendMediaGroup")
        if call.ok and int(call.params["chat_id"]) == chat_id
    ]


def answers_to(messages: list[JSONDict]) -> list[str]:
    return [m.get("text", "") for m in messages]


async def test_an_album_of_three_photos_and_a_description_reach_the_workshop_as_one_album(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire_mechanic(network)
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await to_description(anna)

    noted = await anna.says("Bosch WAT28, the pump hums but no water goes out")
    assert answers_to(noted) == ["✍️ Noted. Add photos or a video if you like, or tap ➡️ Continue."]
    album = await anna.sends_album(photos=3)
    assert answers_to(album) == ["📷 Got it. Send more, or tap ➡️ Continue."]
    where = await anna.taps("➡️ Continue")
    assert "Share your location" in where[-1]["text"]
    code, summary = await book_from_here(anna)
    assert "📝 Bosch WAT28, the pump hums" in summary and "Photos and videos: 3" in summary

    alert = next(t for t in mechanic.texts() if "New booking" in t)
    assert "📝 Bosch WAT28, the pump hums but no water goes out" in alert
    assert "📎 Photos and videos: 3" in alert

    photos = sent_media(api, anna.id)
    assert len(photos) == 3
    for reader in (mechanic, office):
        reader.new_messages()
        card = await reader.command("/job", code)
        assert "Bosch WAT28, the pump hums but no water goes out" in card[0]["text"]
        [shown] = albums_to(api, reader.id)
        assert [item["media"] for item in shown] == photos
        assert {item["type"] for item in shown} == {"photo"}
        assert shown[0]["caption"] == f"{code}: the customer's photos and video"
        assert sum(1 for m in card if m.get("media_group_id")) == 3, "one album in the chat"
