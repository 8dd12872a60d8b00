"""A customer reports a fault and books a drop-off, end to end through the fake Bot API."""

from __future__ import annotations

import re

from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner

RED_SQUARE = (55.7539, 37.6208)


async def test_customer_books_nearest_washer_workshop(bot: BotRunner, api: FakeBotApi) -> None:
    anna = bot.person(1001, "Anna")

    greeting = await anna.command("/start")
    assert "Anna" in greeting[0]["text"]
    assert "🔧 Report a fault" in anna.buttons()

    await anna.taps("🔧 Report a fault")
    assert "What needs repair?" in anna.screen["text"]
    assert len(anna.buttons()) == 7  # six categories and the way out
    assert {"Washing machine", "Footwear", "✖️ Exit"} <= set(anna.buttons())

    await anna.taps("Washing machine")
    assert "washing machine" in anna.screen["text"].lower()
    assert anna.buttons()[-2:] == ["⬅️ Back", "✖️ Exit"]

    await anna.taps("Won't drain")
    assert "drain pump filter" in anna.screen["text"]
    assert anna.buttons()[:2] == ["✅ That fixed it", "❌ Still broken"]

    asked = await anna.taps("❌ Still broken")
    assert "in your own words" in asked[-1]["text"]
    assert anna.buttons()[0] == "Skip"

    await anna.taps("Skip")
    assert "When was it bought?" in anna.screen["text"]
    assert anna.buttons() == [
        "Less than 6 months",
        "6-12 months",
        "1-2 years",
        "More than 2 years",
        "Don't know",
        "⬅️ Back",
        "✖️ Exit",
    ]

    prompt = await anna.taps("Less than 6 months")
    assert "Share your location" in prompt[-1]["text"]
    assert anna.user.reply_buttons()[0].get("request_location") is True

    found = await anna.taps_reply("📍 Send my location", location=RED_SQUARE)
    listing = found[-1]
    names = anna.buttons(listing["message_id"])[:-2]
    assert 1 <= len(names) <= 5
    assert names[0].startswith("Danilovsky Workshop")  # MSK-SOUTH, 4.6 km from Red Square
    distances = [float(re.search(r"([\d.]+) km", name).group(1)) for name in names]
    assert distances == sorted(distances)
    assert anna.user.reply_buttons() == []

    await anna.taps(names[0])
    days = anna.buttons()[:-2]
    assert days, "a workshop open every day has free days"
    assert days[:2] == ["Today", "Tomorrow"]
    later = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}"
    assert all(re.fullmatch(later, day) for day in days[2:])

    await anna.taps(days[0])
    times = anna.buttons()[:-2]
    assert times and all(re.fullmatch(r"\d\d:\d\d", t) for t in times)

    asked = await anna.taps(times[0])
    assert "phone" in asked[-1]["text"].lower()
    reply = anna.user.reply_buttons()
    assert reply[0].get("request_contact") is True
    assert "Skip" in [button["text"] for button in reply]

    summary = await anna.shares_contact("+79161234567")
    assert "Please check your booking" in summary[-1]["text"]
    assert "+7 916 123-45-67" in summary[-1]["text"]
    assert anna.buttons()[:2] == ["Confirm", "Cancel"]

    done = await anna.taps("Confirm")
    confirmation = next(m for m in anna.user.messages() if "Booked!" in m.get("text", ""))
    code = re.search(r"SR-[0-9A-Z]{6}", confirmation["text"])
    assert code is not None
    venue = done[-1]["venue"]
    assert venue["title"] == "Danilovsky Workshop"
    assert venue["location"]["latitude"] != 0

    bookings = await anna.command("/mybookings")
    assert code.group(0) in bookings[-1]["text"]
    assert "booked" in bookings[-1]["text"]
    assert f"Cancel {code.group(0)}" in anna.buttons()
    refused = [call.summary() for call in api.calls if not call.ok]
    assert refused == [], "the whole journey without a call Telegram would refuse"


async def test_customer_whose_fix_worked_closes_the_case_without_booking(bot: BotRunner) -> None:
    anna = bot.person(1002)
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("✅ That fixed it")

    assert "no visit needed" in anna.screen["text"]
    assert "✅ That fixed it" not in anna.buttons()
    row = await bot.app.bot_data["services"].db.fetch_one(
        "SELECT outcome, path FROM cases WHERE customer_id = ?", (anna.id,)
    )
    assert row["outcome"] == "self_resolved"
    assert "w_drain" in row["path"]
    listing = await anna.command("/mybookings")
    assert "no bookings" in listing[-1]["text"]


async def test_customer_who_types_a_city_with_a_typo_gets_workshops_there(bot: BotRunner) -> None:
    anna = bot.person(1003)
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("❌ Still broken")
    await anna.finishes_description()

    lost = await anna.says("Atlantis")
    assert "could not find" in lost[-1]["text"]
    assert "Atlantis" in lost[-1]["text"]

    found = await anna.says("st petersburg")
    workshops = anna.buttons(found[-1]["message_id"])[:-2]
    assert workshops[0].startswith("Ligovsky Workshop")  # the only washer workshop there
    assert all(name.endswith(" km") for name in workshops)


async def test_russian_customer_books_in_russian(bot: BotRunner) -> None:
    ivan = bot.person(1004, "Иван", language_code="ru")
    greeting = await ivan.command("/start")
    assert "Здравствуйте, Иван" in greeting[0]["text"]

    await ivan.taps("🔧 Сообщить о неисправности")
    assert "Что нужно отремонтировать?" in ivan.screen["text"]
    await ivan.taps("Стиральная машина")
    await ivan.taps("Не сливает воду")
    assert ivan.buttons()[:2] == ["✅ Помогло", "❌ Не помогло"]
    await ivan.taps("❌ Не помогло")
    await ivan.finishes_description()
    found = await ivan.says("Москва")
    nearest = ivan.buttons(found[-1]["message_id"])[0]
    assert nearest.endswith(" км")

    await ivan.taps(nearest)
    day = ivan.buttons()[0]
    assert ivan.buttons()[:3] == ["Сегодня", "Завтра", "Пн, 30 нояб."]
    await ivan.taps(day)
    await ivan.taps(ivan.buttons()[0])
    await ivan.taps_reply("Пропустить")
    assert ivan.buttons()[:2] == ["Подтвердить", "Отменить"]
    await ivan.taps("Подтвердить")
    assert any("Вы записаны" in text for text in ivan.texts())
    assert any(re.search(r"SR-[0-9A-Z]{6}", text) for text in ivan.texts())
