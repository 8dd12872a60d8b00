"""What real customers do besides the happy path: race, restart, go back, send odd things."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"


@pytest.fixture
async def small_bot(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    """The bot with one workshop whose slots take a single drop-off each."""
    runner = BotRunner(api, settings.model_copy(update={"workshops_file": ONE_WORKSHOP}), clock)
    await runner.start()
    yield runner
    await runner.stop()


async def to_description(person: Person) -> None:
    await person.command("/repair")
    await person.taps("Washing machine")
    await person.taps("Won't drain")
    await person.taps("❌ Still broken")


async def to_location(person: Person) -> None:
    await to_description(person)
    await person.finishes_description()


async def to_summary(person: Person, day: int = 1, time: int = 0) -> None:
    """Book up to the summary; by default tomorrow 09:00 (today only 10:00 is still ahead)."""
    await to_location(person)
    await person.says("Testville")
    await person.taps("One Bench")
    await person.taps(person.buttons()[day])
    await person.taps(person.buttons()[time])
    await person.taps_reply("Skip")


async def tickets_of(bot: BotRunner, person: Person) -> list[str]:
    rows = await bot.app.bot_data["services"].db.fetch_all(
        "SELECT code FROM tickets WHERE customer_id = ? AND status = 'booked'", (person.id,)
    )
    return [row["code"] for row in rows]


async def test_only_one_of_many_customers_racing_for_the_last_place_gets_it(
    small_bot: BotRunner, api: FakeBotApi
) -> None:
    racers = [small_bot.person(2000 + n, f"Racer{n}") for n in range(5)]
    for racer in racers:
        await to_summary(racer)
        assert racer.buttons()[:2] == ["Confirm", "Cancel"]

    last_update = 0
    for racer in racers:  # every Confirm is queued before the bot handles any of them
        last_update = racer.user.press("Confirm")
    small_bot.last_update_id = last_update
    await small_bot.settle()

    winners = [r for r in racers if any("Booked!" in text for text in r.texts())]
    losers = [r for r in racers if r not in winners]
    assert len(winners) == 1
    taken = [code for r in racers for code in await tickets_of(small_bot, r)]
    assert len(taken) == 1
    assert len(losers) == 4
    for loser in losers:
        assert "just been taken" in loser.screen["text"]
        assert loser.buttons()[:-2] == ["10:00"], "the other slot of the day is offered"


async def test_cancelling_a_booking_frees_its_slot_for_someone_else(small_bot: BotRunner) -> None:
    anna, boris = small_bot.person(2101, "Anna"), small_bot.person(2102, "Boris")
    await to_summary(anna)
    await anna.taps("Confirm")
    await to_location(boris)
    await boris.says("Testville")
    await boris.taps("One Bench")
    await boris.taps(boris.buttons()[1])
    assert boris.buttons()[:-2] == ["10:00"], "09:00 tomorrow is Anna's"
    await boris.command("/cancel")

    await anna.command("/mybookings")
    code = re.search(r"SR-[0-9A-Z]{6}", anna.screen["text"]).group(0)
    await anna.taps(f"Cancel {code}")
    question = anna.screen
    assert code in question["text"]
    yes = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await anna.taps("Yes, cancel it")
    assert "is cancelled" in anna.screen["text"]
    assert await tickets_of(small_bot, anna) == []

    await to_location(boris)
    await boris.says("Testville")
    await boris.taps("One Bench")
    await boris.taps(boris.buttons()[1])
    assert boris.buttons()[:-2] == ["09:00", "10:00"]

    await anna.taps_data(question["message_id"], yes)
    assert anna.toasts()[-1] == "This button is no longer active."


async def test_customer_continues_where_they_were_after_a_restart(small_bot: BotRunner) -> None:
    anna = small_bot.person(2201)
    await to_location(anna)
    await anna.says("Testville")
    await anna.taps("One Bench")

    await small_bot.restart()

    await anna.taps(anna.buttons()[1])
    assert anna.buttons()[:-2] == ["09:00", "10:00"]
    await anna.taps("10:00")
    await anna.taps_reply("Skip")
    await anna.taps("Confirm")
    assert any("Booked!" in text for text in anna.texts())


async def test_a_customer_has_at_most_three_active_bookings(small_bot: BotRunner) -> None:
    anna = small_bot.person(2301)
    for day in range(1, 4):
        await to_summary(anna, day=day)
        await anna.taps("Confirm")
    assert len(await tickets_of(small_bot, anna)) == 3

    await to_description(anna)  # told before describing a fault that cannot be booked
    assert "already have 3 active bookings" in anna.screen["text"]
    assert len(await tickets_of(small_bot, anna)) == 3


async def test_double_tap_on_confirm_books_once(small_bot: BotRunner) -> None:
    anna = small_bot.person(2401)
    await to_summary(anna)
    summary_id = anna.screen["message_id"]
    anna.user.press("Confirm", summary_id)
    await anna.taps("Confirm", summary_id)
    assert len(await tickets_of(small_bot, anna)) == 1


async def test_someone_elses_contact_is_not_taken_as_the_customers_phone(
    small_bot: BotRunner,
) -> None:
    anna = small_bot.person(2501)
    await to_location(anna)
    await anna.says("Testville")
    await anna.taps("One Bench")
    await anna.taps(anna.buttons()[1])
    await anna.taps("09:00")

    refused = await anna.shares_contact("+70000000000", user_id=999)
    assert "your own number" in refused[-1]["text"]
    summary = await anna.shares_contact("+79990001122")
    assert "+7 999 000-11-22" in summary[-1]["text"]


async def test_back_goes_one_step_back_and_exit_leaves(bot: BotRunner) -> None:
    anna = bot.person(2601)
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("⬅️ Back")
    assert "What is wrong with your washing machine?" in anna.screen["text"]
    await anna.taps("⬅️ Back")
    assert "What needs repair?" in anna.screen["text"]
    await anna.taps("✖️ Exit")
    assert "stopped" in anna.screen["text"]
    row = await bot.app.bot_data["services"].db.fetch_one(
        "SELECT outcome FROM cases WHERE customer_id = ?", (anna.id,)
    )
    assert row["outcome"] == "abandoned"


async def test_cancel_command_leaves_the_report_and_says_so_outside_one(bot: BotRunner) -> None:
    anna = bot.person(2701)
    await to_location(anna)
    left = await anna.command("/cancel")
    assert "stopped" in left[-1]["text"]
    assert anna.user.reply_buttons() == []
    nothing = await anna.command("/cancel")
    assert "nothing to cancel" in nothing[-1]["text"]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document"])
async def test_media_at_every_step_gets_a_short_useful_answer(bot: BotRunner, kind: str) -> None:
    anna = bot.person(2801)
    outside = await anna.sends(kind)
    assert "/repair" in outside[-1]["text"]

    await anna.command("/repair")
    at_category = await anna.sends(kind)
    assert "buttons" in at_category[-1]["text"]

    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("❌ Still broken")
    await anna.finishes_description()
    at_location = await anna.sends(kind)
    assert "share your location" in at_location[-1]["text"]

    await anna.says("Moscow")
    await anna.taps("Danilovsky Workshop")
    await anna.taps(anna.buttons()[0])
    await anna.taps(anna.buttons()[0])
    at_phone = await anna.sends(kind)
    assert "share your number" in at_phone[-1]["text"]
    summary = await anna.taps_reply("Skip")
    assert "Please check your booking" in summary[-1]["text"]


async def test_huge_text_and_unknown_commands_get_an_answer(bot: BotRunner) -> None:
    anna = bot.person(2901)
    await to_location(anna)
    huge = await anna.says("x" * 10_000)
    assert "could not find" in huge[-1]["text"]
    assert len(huge[-1]["text"]) < 400

    unknown = await anna.command("/frobnicate")
    assert "/frobnicate" in unknown[-1]["text"]
    still_here = await anna.says("Moscow")
    assert "nearest first" in still_here[-1]["text"]

    await anna.command("/cancel")
    outside = await anna.command("/frobnicate")
    assert "/frobnicate" in outside[-1]["text"]


@pytest.mark.parametrize(
    "forged",
    ["cat:nosuchthing", "garbage", "ans:w_start:7", "slot:12", "ws:../../etc", "cxy:SR-AAAAAA", ""],
)
async def test_forged_buttons_get_a_polite_answer_and_change_nothing(
    bot: BotRunner, forged: str
) -> None:
    anna = bot.person(3001)
    await anna.command("/repair")
    await anna.taps("Washing machine")
    question = anna.screen

    await anna.taps_data(question["message_id"], forged)

    assert anna.toasts()[-1] == "This button is no longer active."
    assert anna.screen["text"] == question["text"], "the current step is unchanged"
    await anna.taps("Won't drain")
    assert "drain pump filter" in anna.screen["text"]


async def test_a_button_from_an_earlier_step_is_refused(bot: BotRunner) -> None:
    anna = bot.person(3101)
    await anna.command("/repair")
    first = anna.screen["message_id"]
    await anna.taps("Washing machine")
    await anna.command("/repair")
    await anna.taps("Fridge")  # a new report, in a new message

    await anna.taps("Won't drain", first)

    assert anna.toasts()[-1] == "This button is no longer active."


async def test_language_can_be_switched_to_russian(bot: BotRunner, api: FakeBotApi) -> None:
    anna = bot.person(3201)
    await anna.command("/language")
    await anna.taps("Русский")
    assert "по-русски" in anna.texts()[-2]
    await anna.command("/repair")
    assert "Что нужно отремонтировать?" in anna.screen["text"]


async def test_command_menu_is_published_in_both_languages(bot: BotRunner, api: FakeBotApi) -> None:
    english = [c["command"] for c in api.commands()]
    russian = api.commands(language_code="ru")
    assert english == [
        "start",
        "repair",
        "mybookings",
        "status",
        "ask",
        "language",
        "help",
        "cancel",
    ]
    assert russian[1]["description"] == "Сообщить о неисправности"


async def test_conversation_state_is_stored_as_soon_as_it_changes(bot: BotRunner) -> None:
    anna = bot.person(3301)
    db = bot.app.bot_data["services"].db
    key = f"[{anna.id}, {anna.id}]"

    await anna.command("/repair")
    state = await db.fetch_one("SELECT state FROM conversations WHERE key = ?", (key,))
    draft = await db.fetch_one("SELECT data FROM user_data WHERE user_id = ?", (anna.id,))
    assert state["state"] == "category"
    assert '"category": null' in draft["data"]

    await anna.taps("Washing machine")
    state = await db.fetch_one("SELECT state FROM conversations WHERE key = ?", (key,))
    draft = await db.fetch_one("SELECT data FROM user_data WHERE user_id = ?", (anna.id,))
    assert state["state"] == "tree_answer"
    assert '"category": "washer"' in draft["data"]


async def test_a_failure_while_answering_is_reported_and_the_bot_carries_on(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(3401)
    await anna.command("/repair")
    api.fail_next("editMessageText", 500, "Internal Server Error")
    await anna.taps("Washing machine")

    assert (
        anna.texts()[-1] == "Sorry, something went wrong on our side. Please try again in a moment."
    )
    await anna.command("/repair")
    await anna.taps("Washing machine")
    assert "washing machine" in anna.screen["text"].lower()


async def test_a_slot_that_passed_while_the_customer_hesitated_is_not_booked(
    small_bot: BotRunner, clock: FakeClock
) -> None:
    anna = small_bot.person(3501)
    await to_summary(anna, day=0)  # today 10:00, the only slot still ahead
    clock.advance(hours=2)

    await anna.taps("Confirm")

    assert "already passed" in anna.screen["text"]
    assert await tickets_of(small_bot, anna) == []
