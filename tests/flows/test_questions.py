"""Customers reach a person through the bot: questions, answers both ways, escalation."""

from __future__ import annotations

import re
from datetime import datetime

from bot.fake_telegram.server import FakeBotApi, JSONDict
from tests.flows.test_notifications import book, local
from tests.flows.test_replayed_updates import crash_and_replay, snapshot
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.day_shop import HEAD_OFFICE, MECHANIC

ANNA = 1001
BORIS = 1002


async def at(runner: BotRunner, clock: FakeClock, moment: datetime) -> None:
    clock.set(moment)
    await runner.tick()


def with_text(messages: list[JSONDict], fragment: str) -> list[JSONDict]:
    return [m for m in messages if fragment in m.get("text", "")]


def everything_seen_by(person: Person) -> str:
    """Every text, caption and button label the bot ever showed this person."""
    parts: list[str] = []
    for message in person.user.messages():
        parts += [message.get("text", ""), message.get("caption", "")]
        parts += person.buttons(message["message_id"])
    return "\n".join(parts)


async def test_customer_asks_about_a_booking_and_staff_answer_with_the_reply_button(
    shop: BotRunner,
) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    mechanic.new_messages()

    await anna.command("/mybookings")
    await anna.taps(f"💬 Ask about {code}")
    assert "Day Bench will answer" in anna.screen["text"]
    sent = await anna.says("Can I bring the charger too?")
    assert "Passed on to Day Bench" in sent[-1]["text"]

    [question] = mechanic.new_messages()
    assert question["text"] == (
        f"❓ Question from Anna about {code} (Day Bench):\nCan I bring the charger too?"
    )
    assert mechanic.buttons(question["message_id"]) == ["↩️ Reply"]

    await mechanic.taps("↩️ Reply", question["message_id"])
    confirmed = await mechanic.says("Yes, bring it along.")
    assert "Sent to Anna" in confirmed[-1]["text"]
    [answer] = anna.new_messages()
    assert answer["text"] == "💬 Day Bench: Yes, bring it along."
    assert anna.buttons(answer["message_id"]) == ["↩️ Reply"]

    # The thread goes on: the customer answers back with her own button.
    await anna.taps("↩️ Reply", answer["message_id"])
    await anna.says("Thank you!")
    [follow_up] = mechanic.new_messages()
    assert follow_up["text"].endswith("Thank you!")

    # The bot is the channel: neither side sees the other's Telegram id.
    assert str(ANNA) not in everything_seen_by(mechanic)
    assert str(MECHANIC) not in everything_seen_by(anna)

    await mechanic.command("/job", code)
    thread = mechanic.screen["text"].split("Questions and answers")[1]
    assert "Anna: Can I bring the charger too?" in thread
    assert "Day Bench: Yes, bring it along." in thread
    assert "Anna: Thank you!" in thread


async def test_telegram_reply_gesture_carries_the_thread_both_ways(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    mechanic.new_messages()
    await anna.command("/ask", code)
    await anna.says("How long does a pump take?")
    [question] = mechanic.new_messages()

    await mechanic.user_reply(question["message_id"], "About two days.")
    [answer] = anna.new_messages()
    assert answer["text"] == "💬 Day Bench: About two days."

    await anna.user_reply(answer["message_id"], "Great, see you tomorrow.")
    [again] = mechanic.new_messages()
    assert again["text"].endswith("Great, see you tomorrow.")

    await anna.command("/status", code)
    thread = anna.screen["text"].split("Questions and answers")[1]
    assert "Anna: How long does a pump take?" in thread
    assert "Day Bench: About two days." in thread


async def test_general_question_goes_to_head_office_and_waits_in_questions(
    shop: BotRunner,
) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    mechanic = shop.person(MECHANIC, "Mike")
    await anna.command("/start")
    olga.new_messages()
    mechanic.new_messages()

    await anna.taps("💬 Ask a question")
    assert "head office will answer" in anna.screen["text"]
    sent = await anna.says("Do you repair coffee machines?")
    assert "Passed on to Head office" in sent[-1]["text"]
    [question] = olga.new_messages()
    assert question["text"] == "❓ Question from Anna:\nDo you repair coffee machines?"
    assert mechanic.new_messages() == []

    listing = await olga.command("/questions")
    assert "1. —" in listing[-1]["text"]
    assert "Head office · waiting 0 min" in listing[-1]["text"]
    assert "Anna: Do you repair coffee machines?" in listing[-1]["text"]
    await olga.taps("↩️ Answer 1")
    await olga.says("Not yet, but soon.")
    [answer] = anna.new_messages()
    assert answer["text"] == "💬 Head office: Not yet, but soon."

    listing = await olga.command("/questions")
    assert "No question is waiting" in listing[-1]["text"]


async def test_unanswered_question_is_escalated_after_the_sla_of_opening_hours(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    code = await book(anna)
    await at(shop, clock, local(26, 17, 30))
    await anna.command("/ask", code)
    await anna.says("Is the slot tomorrow still fine?")
    olga.new_messages()

    # Thirty minutes count today until 18:00, the other thirty from 09:00 tomorrow.
    await at(shop, clock, local(26, 23, 0))
    await at(shop, clock, local(27, 9, 29))
    assert not with_text(olga.new_messages(), "Not answered")

    await at(shop, clock, local(27, 9, 30))
    [late] = with_text(olga.new_messages(), "Not answered")
    assert "Day Bench" in late["text"]
    assert "60 minutes" in late["text"]
    assert late["text"].endswith("Is the slot tomorrow still fine?")
    assert olga.buttons(late["message_id"]) == ["↩️ Reply", "🔧 To the workshop"]

    listing = await olga.command("/questions")
    assert f"1. {code} · Day Bench · waiting 16 h 0 min" in listing[-1]["text"]


async def test_an_answer_in_time_stops_the_escalation(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await anna.command("/ask", code)
    await anna.says("Can I come earlier?")
    [question] = with_text(mechanic.new_messages(), "Can I come earlier?")
    await mechanic.user_reply(question["message_id"], "Sure.")

    await at(shop, clock, local(26, 12, 0))
    assert not with_text(olga.new_messages(), "Not answered")


async def test_an_answer_at_night_reaches_the_customer_at_once(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await at(shop, clock, local(26, 22, 30))
    await anna.command("/ask", code)
    await anna.says("Still open?")
    [question] = with_text(mechanic.new_messages(), "Still open?")

    await mechanic.user_reply(question["message_id"], "No, we open at nine.")
    assert with_text(anna.new_messages(), "💬 Day Bench: No, we open at nine.")


async def test_morning_digest_lists_unanswered_questions(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await at(shop, clock, local(26, 10, 0))
    await anna.command("/ask", code)
    await anna.says("Hello?")
    olga.new_messages()
    mechanic.new_messages()

    await at(shop, clock, local(27, 9, 0))
    [digest] = with_text(olga.new_messages(), "Good morning")
    assert "Customers' questions without an answer: 1, the oldest waiting 23 h 0 min" in (
        digest["text"]
    )
    [own] = with_text(mechanic.new_messages(), "Good morning")
    assert "Customers' questions waiting for your answer: 1" in own["text"]


async def test_forged_reply_button_of_another_customers_thread_is_refused(
    shop: BotRunner,
) -> None:
    anna = shop.person(ANNA, "Anna")
    boris = shop.person(BORIS, "Boris")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await anna.command("/ask", code)
    await anna.says("My secret question")
    [answer_to_anna] = with_text(mechanic.new_messages(), "My secret question")
    await mechanic.user_reply(answer_to_anna["message_id"], "My secret answer")
    thread = re.search(r"qr:(\d+)", str(anna.screen["reply_markup"]))
    assert thread is not None

    await boris.command("/start")
    menu = boris.screen["message_id"]
    await boris.taps_data(menu, f"qr:{thread.group(1)}")
    assert boris.toasts()[-1] == "This button is no longer active."
    await boris.taps_data(menu, f"ask:{code}")
    assert boris.toasts()[-1] == "This button is no longer active."
    replies = await boris.says("Tell me everything")
    assert "did not get that" in replies[-1]["text"]
    assert mechanic.new_messages() == []
    assert "secret" not in everything_seen_by(boris)


async def test_photos_travel_both_ways_by_file_id(shop: BotRunner, api: FakeBotApi) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    mechanic.new_messages()
    await anna.command("/ask", code)
    await anna._after(anna.user.send_photo(caption="This leak"))
    anna_photo = api.history(ANNA)[-2]["photo"][-1]["file_id"]

    [question] = mechanic.new_messages()
    assert question["photo"][-1]["file_id"] == anna_photo
    assert question["caption"].endswith("This leak")
    assert mechanic.buttons(question["message_id"]) == ["↩️ Reply"]

    await mechanic.taps("↩️ Reply", question["message_id"])
    await mechanic._after(mechanic.user.send_photo(caption="The part you need"))
    [answer] = anna.new_messages()
    assert answer["caption"] == "💬 Day Bench: The part you need"
    mechanic_photo = api.history(MECHANIC)[-2]["photo"][-1]["file_id"]
    assert answer["photo"][-1]["file_id"] == mechanic_photo
    # Telegram's reply to the photo continues the thread too.
    await anna.user_reply(answer["message_id"], "Thanks")
    assert mechanic.new_messages()[-1]["text"].endswith("Thanks")


async def test_an_album_is_one_question_with_one_confirmation(
    shop: BotRunner, api: FakeBotApi
) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    mechanic.new_messages()
    await anna.command("/ask", code)
    anna.new_messages()

    for number in range(3):
        caption = {"caption": "Three sides of the leak"} if number == 0 else {}
        update = anna.user._push_message(
            photo=api.make_photo(), media_group_id="album-1", **caption
        )
        shop.last_update_id = max(shop.last_update_id, update)
    await shop.settle()

    [confirmation] = anna.new_messages()
    assert "Passed on to Day Bench" in confirmation["text"]
    photos = mechanic.new_messages()
    assert [("photo" in m) for m in photos] == [True, True, True]
    assert photos[0]["caption"].endswith("Three sides of the leak")
    await mechanic.command("/job", code)
    assert mechanic.screen["text"].count("📷") == 3


async def test_sticker_and_overlong_question_are_answered_kindly_and_nothing_is_sent(
    shop: BotRunner,
) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    await anna.command("/ask")
    olga.new_messages()

    sticker = await anna.sends("sticker")
    assert "I can pass on words and photos" in sticker[-1]["text"]
    too_long = await anna.says("x" * 5000)
    assert "That is 5000 characters; please shorten it to 1000" in too_long[-1]["text"]
    assert olga.new_messages() == []

    await anna.says("Short now.")
    assert olga.new_messages()[-1]["text"].endswith("Short now.")


async def test_question_about_a_cancelled_booking_goes_to_head_office(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await anna.command("/mybookings")
    await anna.taps(f"Cancel {code}")
    await anna.taps("Yes, cancel")
    olga.new_messages()
    mechanic.new_messages()

    prompt = await anna.command("/ask", code)
    assert f"Booking {code} is closed" in prompt[-1]["text"]
    await anna.says("Where is my deposit?")
    [question] = olga.new_messages()
    assert question["text"].endswith("Where is my deposit?")
    assert code in question["text"]
    assert mechanic.new_messages() == []


async def test_head_office_hands_a_question_to_the_workshop(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await anna.command("/ask", code)
    await anna.says("Any news?")
    await at(shop, clock, local(26, 10, 0))
    mechanic.new_messages()

    await olga.command("/questions")
    await olga.taps("🔧 1 to the workshop")
    assert olga.toasts()[-1].startswith("Handed over to Day Bench")
    [again] = mechanic.new_messages()
    assert again["text"].endswith("Any news?")
    # The clock starts again: no escalation until an hour after the hand-over.
    await at(shop, clock, local(26, 10, 59))
    assert not with_text(olga.new_messages(), "Not answered")
    await at(shop, clock, local(26, 11, 0))
    assert with_text(olga.new_messages(), "Not answered")


async def test_starting_something_else_stops_the_wait_for_a_question(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    await anna.command("/start")
    await anna.taps("💬 Ask a question")
    olga.new_messages()

    await anna.taps("🔧 Report a fault")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("❌ Still broken")
    await anna.finishes_description()
    found = await anna.says("Testville")
    assert any("Day Bench" in button for button in anna.buttons(found[-1]["message_id"]))
    assert olga.new_messages() == []


async def test_cancel_stops_the_wait_and_sends_nothing(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    await anna.command("/ask")
    olga.new_messages()
    cancelled = await anna.command("/cancel")
    assert cancelled[-1]["text"] == "OK, nothing was sent."
    replies = await anna.says("Hello?")
    assert "did not get that" in replies[-1]["text"]
    assert olga.new_messages() == []


async def test_waiting_for_the_question_survives_a_restart(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    olga = shop.person(HEAD_OFFICE, "Olga")
    await anna.command("/ask")
    olga.new_messages()

    await shop.restart()
    sent = await anna.says("Are you there?")
    assert "Passed on to Head office" in sent[-1]["text"]
    assert olga.new_messages()[-1]["text"].endswith("Are you there?")


async def test_a_replayed_question_and_answer_are_passed_on_once(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    mechanic.new_messages()
    await anna.command("/ask", code)
    before = await snapshot(shop)
    first = await anna.says("Is it the pump?")
    await crash_and_replay(shop, before)
    assert [m["text"] for m in anna.new_messages()] == [m["text"] for m in first]
    [question] = mechanic.new_messages()

    before = await snapshot(shop)
    sent = await mechanic.user_reply(question["message_id"], "Probably.")
    await crash_and_replay(shop, before)
    assert [m["text"] for m in anna.new_messages()] == ["💬 Day Bench: Probably."]
    assert [m["text"] for m in mechanic.new_messages()] == [m["text"] for m in sent]


async def test_status_notices_and_the_status_card_offer_a_question(shop: BotRunner) -> None:
    anna = shop.person(ANNA, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/setstatus", f"{code} received")
    notice = anna.screen
    assert anna.buttons(notice["message_id"]) == ["💬 Ask a question"]
    await anna.command("/status", code)
    assert anna.buttons(anna.screen["message_id"]) == ["💬 Ask a question"]
    await anna.taps("💬 Ask a question")
    assert f"about {code}" in anna.screen["text"]


async def test_russian_customer_asks_and_is_answered_in_russian(shop: BotRunner) -> None:
    ivan = shop.person(1003, "Иван", language_code="ru")
    olga = shop.person(HEAD_OFFICE, "Olga")
    await ivan.command("/start")
    await ivan.taps("💬 Задать вопрос")
    assert "Головной офис ответит" in ivan.screen["text"]
    sent = await ivan.says("Вы чините кофемашины?")
    assert sent[-1]["text"] == "✅ Передано: Головной офис. Ответ придёт сюда, в этот чат."
    [question] = with_text(olga.new_messages(), "кофемашины")
    assert question["text"] == "❓ Question from Иван:\nВы чините кофемашины?"

    await olga.user_reply(question["message_id"], "Да, с понедельника.")
    [answer] = ivan.new_messages()
    assert answer["text"] == "💬 Головной офис: Да, с понедельника."
    assert ivan.buttons(answer["message_id"]) == ["↩️ Ответить"]
