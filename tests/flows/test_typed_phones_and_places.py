"""A customer types a phone number, a town or a street address instead of using a button."""

from __future__ import annotations

import pytest

from tests.support.bot_runner import BotRunner, Person


async def at_location_step(person: Person) -> None:
    await person.command("/repair")
    await person.taps("Washing machine")
    await person.taps("Won't drain")
    await person.taps("❌ Still broken")


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
    assert "+79161234567" in summary[-1]["text"]
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

    summary = await anna.shares_contact("79161234567")

    assert "+79161234567" in summary[-1]["text"]
