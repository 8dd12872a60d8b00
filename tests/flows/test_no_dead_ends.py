"""No dead ends: a left-over reply keyboard, a comment written without Telegram's reply
gesture, and an old /mybookings card each lead somewhere sensible."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from telegram import ReplyKeyboardMarkup

from bot.fake_telegram.server import FakeBotApi
from bot.handlers import keyboards
from bot.i18n import Lang
from bot.messages import label, text
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.day_shop import HEAD_OFFICE, MECHANIC

MOSCOW = ZoneInfo("Europe/Moscow")
RED_SQUARE = (55.7539, 37.6208)


def plain(key: str, lang: Lang = Lang.EN) -> str:
    """A catalogue text as Telegram shows it: HTML tags gone."""
    return re.sub(r"<[^>]+>", "", text(lang, key))


async def left_over(bot: BotRunner, person: Person, keyboard: ReplyKeyboardMarkup) -> None:
    """A reply keyboard still on the customer's screen from a step the bot no longer waits
    for, as an earlier version of the bot left them on real customers' screens."""
    assert bot.app is not None
    await bot.app.bot.send_message(person.id, "…", reply_markup=keyboard)
    person.new_messages()


def location_keyboard(lang: Lang) -> ReplyKeyboardMarkup:
    cities = ["Moscow", "Tula"] if lang is Lang.EN else ["Москва", "Тула"]
    return keyboards.location_request(lang, cities)


async def at_location_step(person: Person, category: str, problem: str, broken: str) -> None:
    await person.command("/repair")
    await person.taps(category)
    await person.taps(problem)
    await person.taps(broken)
    await person.finishes_description()
    assert person.reply_buttons(), "the location step shows its reply keyboard"


# A reply keyboard left from an abandoned step


async def test_start_at_the_location_step_greets_and_takes_the_keyboard_away_in_one_message(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1101, "Anna")
    await at_location_step(anna, "Washing machine", "Won't drain", "❌ Still broken")

    greeting = await anna.command("/start")

    assert len(greeting) == 1
    assert "Hello, Anna" in greeting[0]["text"]
    assert api.reply_keyboard(anna.id) is None
    assert "🔧 Report a fault" in anna.buttons(greeting[0]["message_id"])


async def test_the_menu_still_comes_when_telegram_refuses_to_add_it_to_the_greeting(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1112, "Anna")
    await at_location_step(anna, "Washing machine", "Won't drain", "❌ Still broken")
    api.fail_next("editMessageReplyMarkup", 400, "Bad Request: message can't be edited")

    greeting = await anna.command("/start")

    assert [m["text"] for m in greeting] == [greeting[0]["text"]] * 2
    assert "Hello, Anna" in greeting[0]["text"]
    assert "🔧 Report a fault" in anna.buttons(greeting[-1]["message_id"])
    assert api.reply_keyboard(anna.id) is None


async def test_repair_at_the_location_step_starts_afresh_without_the_old_keyboard_in_russian(
    bot: BotRunner, api: FakeBotApi
) -> None:
    ivan = bot.person(1102, "Иван", language_code="ru")
    await at_location_step(ivan, "Стиральная машина", "Не сливает воду", "❌ Не помогло")

    fresh = await ivan.command("/repair")

    assert len(fresh) == 1
    assert fresh[0]["text"] == plain("choose_category", Lang.RU)
    assert "Стиральная машина" in ivan.buttons(fresh[0]["message_id"])
    assert api.reply_keyboard(ivan.id) is None


async def test_report_a_fault_on_an_old_menu_takes_the_location_keyboard_away(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1103, "Anna")
    menu = (await anna.command("/start"))[0]
    await at_location_step(anna, "Washing machine", "Won't drain", "❌ Still broken")

    fresh = await anna.taps("🔧 Report a fault", menu["message_id"])

    assert [m["text"] for m in fresh] == [plain("choose_category")]
    assert "Washing machine" in anna.buttons(fresh[0]["message_id"])
    assert api.reply_keyboard(anna.id) is None
    await anna.taps("Washing machine")
    assert "washing machine" in anna.screen["text"].lower()


@pytest.mark.parametrize("lang", [Lang.EN, Lang.RU])
async def test_exit_on_a_left_over_keyboard_exits_and_shows_the_menu(
    bot: BotRunner, api: FakeBotApi, lang: Lang
) -> None:
    anna = bot.person(1104, "Anna", language_code=lang.value)
    await left_over(bot, anna, location_keyboard(lang))

    answer = await anna.says(label(lang, "btn_exit"))

    assert [m["text"] for m in answer] == [plain("left", lang)]
    assert api.reply_keyboard(anna.id) is None
    assert label(lang, "menu_repair") in anna.buttons(answer[0]["message_id"])


@pytest.mark.parametrize(("lang", "city"), [(Lang.EN, "Moscow"), (Lang.RU, "Москва")])
async def test_an_old_city_button_starts_nothing_and_explains_with_the_menu(
    bot: BotRunner, api: FakeBotApi, lang: Lang, city: str
) -> None:
    anna = bot.person(1105, "Anna", language_code=lang.value)
    await left_over(bot, anna, location_keyboard(lang))

    answer = await anna.says(city)

    assert [m["text"] for m in answer] == [plain("keyboard_left_over", lang)]
    assert api.reply_keyboard(anna.id) is None
    assert label(lang, "menu_repair") in anna.buttons(answer[0]["message_id"])


async def test_an_old_contact_button_explains_with_the_menu_and_stores_no_phone(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1106, "Anna")
    await left_over(bot, anna, keyboards.phone_request(Lang.EN))

    answer = await anna.taps_reply("📱 Share my phone number", phone_number="+79161234567")

    assert [m["text"] for m in answer] == [plain("keyboard_left_over")]
    assert api.reply_keyboard(anna.id) is None
    assert bot.app is not None
    row = await bot.app.bot_data["services"].db.fetch_one(
        "SELECT phone FROM customers WHERE user_id = ?", (anna.id,)
    )
    assert row is None or row["phone"] is None


async def test_an_old_city_button_in_the_middle_of_a_report_resumes_the_question(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1107, "Anna")
    await anna.command("/repair")
    await anna.taps("Washing machine")
    question = anna.screen["text"]
    await left_over(bot, anna, location_keyboard(Lang.EN))

    answer = await anna.says("Moscow")

    assert [m["text"] for m in answer] == [plain("step_resumed"), question]
    assert api.reply_keyboard(anna.id) is None
    await anna.taps("Won't drain")
    assert "drain pump filter" in anna.screen["text"]


async def test_an_old_location_button_while_choosing_a_workshop_shows_the_workshops_again(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1108, "Anna")
    await at_location_step(anna, "Washing machine", "Won't drain", "❌ Still broken")
    listing = (await anna.says("Moscow"))[-1]
    await left_over(bot, anna, location_keyboard(Lang.EN))

    answer = await anna.taps_reply("📍 Send my location", location=RED_SQUARE)

    assert answer[0]["text"] == plain("step_resumed")
    assert answer[-1]["text"] == listing["text"]
    assert anna.buttons(answer[-1]["message_id"]) == anna.buttons(listing["message_id"])
    assert api.reply_keyboard(anna.id) is None


async def test_an_old_skip_button_at_the_location_step_asks_for_the_location_again(
    bot: BotRunner,
) -> None:
    anna = bot.person(1110, "Anna")
    await at_location_step(anna, "Washing machine", "Won't drain", "❌ Still broken")
    await left_over(bot, anna, keyboards.phone_request(Lang.EN))

    answer = await anna.taps_reply("Skip")

    assert [m["text"] for m in answer] == [plain("step_resumed"), plain("ask_location")]
    assert anna.user.reply_buttons()[0].get("request_location") is True
    found = await anna.says("Moscow")
    assert anna.buttons(found[-1]["message_id"])[0].startswith("Danilovsky Workshop")


async def test_an_old_city_button_at_the_phone_step_asks_for_the_phone_again_in_russian(
    bot: BotRunner,
) -> None:
    ivan = bot.person(1111, "Иван", language_code="ru")
    await at_location_step(ivan, "Стиральная машина", "Не сливает воду", "❌ Не помогло")
    await ivan.says("Москва")
    await ivan.taps(ivan.buttons()[0])
    await ivan.taps(ivan.buttons()[0])
    await ivan.taps(ivan.buttons()[0])
    await left_over(bot, ivan, location_keyboard(Lang.RU))

    answer = await ivan.says("Москва")

    assert [m["text"] for m in answer] == [
        plain("step_resumed", Lang.RU),
        plain("ask_phone", Lang.RU),
    ]
    assert ivan.user.reply_buttons()[0].get("request_contact") is True
    await ivan.taps_reply("Пропустить")
    assert ivan.buttons()[:2] == ["Подтвердить", "Отменить"]


async def test_exit_on_a_left_over_keyboard_in_the_middle_of_a_report_leaves_it(
    bot: BotRunner, api: FakeBotApi
) -> None:
    anna = bot.person(1109, "Anna")
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await left_over(bot, anna, keyboards.phone_request(Lang.EN))

    answer = await anna.taps_reply("✖️ Exit")

    assert [m["text"] for m in answer] == [plain("left")]
    assert api.reply_keyboard(anna.id) is None
    after = await anna.says("hello")
    assert after[-1]["text"] == plain("unknown_input")


# A comment after a rating, without the reply gesture



async def book(customer: Person, lang: Lang = Lang.EN, day_index: int = 0) -> str:
    """Book a drop-off at Day Bench, by default today (Thursday 26.11) at 15:00."""
    await customer.command("/repair")
    await customer.taps("Washing machine" if lang is Lang.EN else "Стиральная машина")
    await customer.taps("Won't drain" if lang is Lang.EN else "Не сливает воду")
    await customer.taps(label(lang, "btn_still_broken"))
    await customer.finishes_description()
    await customer.says("Testville")
    await customer.taps(customer.buttons()[0])
    await customer.taps(customer.buttons()[day_index])
    await customer.taps("15:00")
    await customer.taps_reply(label(lang, "btn_skip"))
    await customer.taps(label(lang, "btn_confirm"))
    booked = next(t for t in reversed(customer.texts()) if re.search(r"SR-[0-9A-Z]{6}", t))
    return re.search(r"SR-[0-9A-Z]{6}", booked).group(0)


async def picked_up_and_rated(
    shop: BotRunner, clock: FakeClock, customer: Person, stars: str, lang: Lang = Lang.EN
) -> str:
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(customer, lang)
    clock.set(datetime(2026, 11, 26, 15, 5, tzinfo=MOSCOW))
    for status in ("received", "diagnosing", "ready", "picked_up"):
        await mechanic.command("/setstatus", f"{code} {status}")
    clock.set(datetime(2026, 11, 26, 16, 5, tzinfo=MOSCOW))
    await shop.tick()
    await customer.taps(stars)
    customer.new_messages()
    return code


@pytest.mark.parametrize("lang", [Lang.EN, Lang.RU])
async def test_a_plain_message_after_a_low_rating_is_the_comment_and_reaches_head_office(
    shop: BotRunner, clock: FakeClock, lang: Lang
) -> None:
    anna = shop.person(1201, "Anna", language_code=lang.value)
    office = shop.person(HEAD_OFFICE, "Olga")
    code = await picked_up_and_rated(shop, clock, anna, "2", lang)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=MOSCOW))

    answer = await anna.says("The drum still squeaks")

    assert [m["text"] for m in answer] == [plain("feedback_comment_thanks", lang)]
    alert = office.texts()[-1]
    assert code in alert and "Customer's comment: The drum still squeaks" in alert
    later = await anna.says("and one more thing")
    assert later[-1]["text"] == plain("unknown_input", lang)


async def test_a_plain_message_more_than_a_day_after_the_rating_is_not_a_comment(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1202, "Anna")
    office = shop.person(HEAD_OFFICE, "Olga")
    await picked_up_and_rated(shop, clock, anna, "1")
    clock.set(datetime(2026, 11, 27, 16, 6, tzinfo=MOSCOW))

    answer = await anna.says("The drum still squeaks")

    assert answer[-1]["text"] == plain("unknown_input")
    assert not any("The drum still squeaks" in t for t in office.texts())


async def test_a_message_typed_in_the_middle_of_a_new_report_is_not_taken_as_the_comment(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1203, "Anna")
    office = shop.person(HEAD_OFFICE, "Olga")
    await picked_up_and_rated(shop, clock, anna, "1")
    await anna.command("/repair")

    answer = await anna.says("The drum still squeaks")

    assert answer[-1]["text"] == plain("use_buttons")
    assert not any("The drum still squeaks" in t for t in office.texts())


# An old /mybookings card


@pytest.mark.parametrize("lang", [Lang.EN, Lang.RU])
async def test_cancel_on_an_old_bookings_card_shows_the_ticket_as_it_is_now(
    shop: BotRunner, clock: FakeClock, lang: Lang
) -> None:
    anna = shop.person(1301, "Anna", language_code=lang.value)
    code = await book(anna, lang)
    card = (await anna.command("/mybookings"))[-1]
    assert label(lang, "btn_cancel_booking", code=code) in anna.buttons(card["message_id"])
    clock.set(datetime(2026, 11, 26, 15, 5, tzinfo=MOSCOW))
    await shop.person(MECHANIC, "Mike").command("/setstatus", f"{code} received")
    anna.new_messages()

    answer = await anna.taps(label(lang, "btn_cancel_booking", code=code), card["message_id"])

    assert answer == [], "no cancel question"
    now = anna.user.api.message(anna.user.chat_id, card["message_id"])
    assert now is not None
    assert text(lang, "status_received") in now["text"]
    assert anna.buttons(card["message_id"]) == [label(lang, "btn_ask_about", code=code)]
    assert anna.toasts()[-1] == text(lang, "card_refreshed")


async def test_cancel_on_an_old_card_updates_it_and_then_asks_about_the_ticket_still_booked(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1302, "Anna")
    today = await book(anna, day_index=0)
    tomorrow = await book(anna, day_index=1)
    card = (await anna.command("/mybookings"))[-1]
    clock.set(datetime(2026, 11, 26, 15, 5, tzinfo=MOSCOW))
    await shop.person(MECHANIC, "Mike").command("/setstatus", f"{today} received")
    anna.new_messages()

    answer = await anna.taps(f"Cancel {tomorrow}", card["message_id"])

    assert [b for b in anna.buttons(card["message_id"]) if b.startswith("Cancel")] == [
        f"Cancel {tomorrow}"
    ]
    now = anna.user.api.message(anna.user.chat_id, card["message_id"])
    assert now is not None and text(Lang.EN, "status_received") in now["text"]
    assert f"Cancel booking {tomorrow}" in answer[-1]["text"]
    await anna.taps("Yes, cancel it")
    assert f"Booking {tomorrow} is cancelled." in anna.screen["text"]


async def test_a_card_button_for_another_customers_ticket_is_refused_like_a_missing_one(
    shop: BotRunner,
) -> None:
    anna = shop.person(1303, "Anna")
    boris = shop.person(1304, "Boris")
    code = await book(anna)
    await book(boris, day_index=1)
    card = (await boris.command("/mybookings"))[-1]
    before = boris.user.api.message(boris.user.chat_id, card["message_id"])

    await boris.taps_data(card["message_id"], f"cxc:{code}")

    assert boris.toasts()[-1] == text(Lang.EN, "stale_button")
    assert boris.user.api.message(boris.user.chat_id, card["message_id"]) == before
    assert boris.new_messages() == []
