"""A customer types a phone number, a town or a street address instead of using a button."""

from __future__ import annotations

import re

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock


async def at_location_step(person: Person) -> None:
    await person.command("/repair")
    await person.taps("Washing machine")
    await person.taps("Won't drain")
    await person.taps("❌ Still broken")
    await person.finishes_description()


async def at_phone_step(person: Person) -> None:
    await at_location_step(person)
    await person.says("Moscow")
    await person.taps(person.buttons()[0])
    await person.taps(person.buttons()[0])
    await person.taps(person.buttons()[0])


@pytest.mark.parametrize("typed", ["+7 916 123-45-67", "8 (916) 1234567", "89161234567"])
async def test_customer_who_types_a_phone_number_gets_it_stored_in_international_form(
    bot: BotRunner, typed: str
) -> None:
    anna = bot.person(1101)
    await at_phone_step(anna)

    summary = await anna.says(typed)

    assert "Please check your booking" in summary[-1]["text"]
    assert "+7 916 123-45-67" in summary[-1]["text"]
    assert anna.reply_buttons() == []
    await anna.taps("Confirm")
    row = await bot.app.bot_data["services"].db.fetch_one(
        "SELECT phone FROM customers WHERE user_id = ?", (anna.id,)
    )
    assert row["phone"] == "+79161234567"


async def test_customer_who_types_an_impossible_number_is_told_and_may_still_skip(
    bot: BotRunner,
) -> None:
    anna = bot.person(1102)
    await at_phone_step(anna)

    refused = await anna.says("8 916 123")

    assert "not a phone number" in refused[-1]["text"]
    assert "8 916 123" in refused[-1]["text"]
    assert "📱 Share my phone number" in anna.reply_buttons()
    assert "Skip" in anna.reply_buttons()
    summary = await anna.taps_reply("Skip")
    assert "no phone number" in summary[-1]["text"]


async def test_russian_customer_who_types_a_wrong_number_is_told_in_russian(
    bot: BotRunner,
) -> None:
    ivan = bot.person(1103, "Иван", language_code="ru")
    await ivan.command("/repair")
    await ivan.taps("Стиральная машина")
    await ivan.taps("Не сливает воду")
    await ivan.taps("❌ Не помогло")
    await ivan.finishes_description()
    await ivan.says("Москва")
    for _ in range(3):
        await ivan.taps(ivan.buttons()[0])

    refused = await ivan.says("12345")

    assert "не похоже на номер телефона" in refused[-1]["text"]


async def test_a_contact_telegram_sends_without_a_plus_is_stored_in_international_form(
    bot: BotRunner,
) -> None:
    anna = bot.person(1104)
    await at_phone_step(anna)

    await anna.shares_contact("79161234567")
    await anna.taps("Confirm")

    row = await bot.app.bot_data["services"].db.fetch_one(
        "SELECT phone FROM tickets WHERE customer_id = ?", (anna.id,)
    )
    assert row["phone"] == "+79161234567"


def workshop_buttons(person: Person, message: dict[str, object]) -> list[str]:
    return person.buttons(message["message_id"])[:-2]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed", ["Тверская 1, Москва", "Moscow, Arbat 10", "г. Москва, ул. Арбат, д. 10, кв. 5"]
)
async def test_customer_who_types_a_street_address_gets_the_workshops_of_its_city(
    bot: BotRunner, typed: str
) -> None:
    anna = bot.person(1111)
    await at_location_step(anna)

    found = await anna.says(typed)

    names = workshop_buttons(anna, found[-1])
    assert {name.split(" · ")[0] for name in names} == {
        "Aviapark Workshop",
        "Danilovsky Workshop",
    }  # Moscow's washer workshops; none elsewhere is within 150 km


@pytest.mark.parametrize("typed", ["Подольск", "Podolsk", "Подольк", "podolks"])
async def test_customer_in_a_town_without_a_workshop_gets_the_nearest_within_reach(
    bot: BotRunner, typed: str
) -> None:
    anna = bot.person(1112)
    await at_location_step(anna)

    found = await anna.says(typed)

    assert any("Podolsk" in message["text"] for message in found)
    names = workshop_buttons(anna, found[-1])
    assert names[0].startswith("Danilovsky Workshop")
    assert 25 < float(names[0].split("·")[1].split()[0]) < 40  # Podolsk is south of Moscow


async def test_russian_customer_who_types_a_town_sees_it_named_in_russian(
    bot: BotRunner,
) -> None:
    ivan = bot.person(1113, "Иван", language_code="ru")
    await ivan.command("/repair")
    await ivan.taps("Стиральная машина")
    await ivan.taps("Не сливает воду")
    await ivan.taps("❌ Не помогло")
    await ivan.finishes_description()

    found = await ivan.says("Serpukhov")

    assert any("Серпухов" in message["text"] for message in found)
    assert workshop_buttons(ivan, found[-1])[0].endswith(" км")


@pytest.mark.parametrize("typed", ["Vladivostok", "Владивосток"])
async def test_customer_far_from_every_workshop_is_told_plainly_with_the_nearest(
    bot: BotRunner, typed: str
) -> None:
    anna = bot.person(1114)
    await at_location_step(anna)

    answer = (await anna.says(typed))[-1]

    assert "within 150 km" in answer["text"]
    assert "Krasny Prospekt Workshop" in answer["text"]  # the nearest, in Novosibirsk
    assert "Novosibirsk" in answer["text"]
    assert re.search(r"\b3\d{3} km away", answer["text"])
    buttons = anna.buttons(answer["message_id"])
    assert not any(button.startswith("Aviapark") for button in buttons)
    assert buttons[-3:] == ["💬 Ask a question", "⬅️ Back", "✖️ Exit"]

    prompt = await anna.taps("💬 Ask a question", answer["message_id"])

    assert "Our head office will answer here" in prompt[-1]["text"]


async def test_a_shared_location_far_from_every_workshop_gets_the_same_plain_answer(
    bot: BotRunner,
) -> None:
    anna = bot.person(1115)
    await at_location_step(anna)

    answer = (await anna.taps_reply("📍 Send my location", location=(43.1056, 131.8735)))[-1]

    assert "within 150 km" in answer["text"]


async def test_only_workshops_within_the_distance_limit_are_offered(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> None:
    runner = BotRunner(api, settings.model_copy(update={"max_distance_km": 10}), clock)
    await runner.start()
    try:
        anna = runner.person(1116)
        await at_location_step(anna)
        found = await anna.taps_reply("📍 Send my location", location=(55.7539, 37.6208))
    finally:
        await runner.stop()

    names = workshop_buttons(anna, found[-1])
    assert names, "Danilovsky Workshop is 4.6 km from Red Square"
    assert all(float(name.split("·")[1].split()[0]) <= 10 for name in names)


async def test_customer_who_types_a_place_that_does_not_exist_is_offered_the_location_button(
    bot: BotRunner,
) -> None:
    anna = bot.person(1117)
    await at_location_step(anna)

    lost = await anna.says("Qwertyuiop street 5")

    assert "could not find" in lost[-1]["text"]
    assert "share your location" in lost[-1]["text"]
    assert anna.user.reply_buttons()[0].get("request_location") is True


async def test_customer_far_away_may_still_book_the_nearest_knowing_the_distance(
    bot: BotRunner,
) -> None:
    ivan = bot.person(1118, "Иван", language_code="ru")
    await ivan.command("/repair")
    await ivan.taps("Стиральная машина")
    await ivan.taps("Не сливает воду")
    await ivan.taps("❌ Не помогло")
    await ivan.finishes_description()

    answer = (await ivan.says("Тула"))[-1]

    assert "В пределах 150 км от вас нет наших мастерских" in answer["text"]
    far = ivan.buttons(answer["message_id"])[0]
    assert far.startswith("Мастерская на Даниловском рынке · 16")
    assert far.endswith("км, всё равно записаться")
    await ivan.taps(far)
    assert "Выберите день" in ivan.screen["text"]


async def test_a_place_typed_while_choosing_a_workshop_searches_again_from_there(
    bot: BotRunner,
) -> None:
    anna = bot.person(1120)
    await at_location_step(anna)
    await anna.says("Moscow")

    answer = (await anna.says("Vladivostok"))[-1]

    assert "within 150 km" in answer["text"]
    assert "Krasny Prospekt Workshop" in answer["text"]
