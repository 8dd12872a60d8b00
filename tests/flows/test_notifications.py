"""Messages the bot sends on its own: reminders, follow-ups and digests, at the right time,
once, and never at night."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.database import DISK_FULL, full_disk
from tests.support.day_shop import HEAD_OFFICE, MECHANIC

MOSCOW = ZoneInfo("Europe/Moscow")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Moscow in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=MOSCOW)



async def book(customer: Person, day_index: int = 1, time: str = "14:00") -> str:
    """Book a drop-off; by default tomorrow (Friday 27.11) at 14:00."""
    await customer.reaches_workshops()
    await customer.taps("Day Bench")
    await customer.taps(customer.buttons()[day_index])
    await customer.taps(time)
    await customer.taps_reply("Skip")
    await customer.taps("Confirm")
    booked = next(t for t in customer.texts() if "Booked!" in t)
    return re.search(r"SR-[0-9A-Z]{6}", booked).group(0)


def count(person: Person, fragment: str) -> int:
    return sum(fragment in text for text in person.texts())


async def at(runner: BotRunner, clock: FakeClock, moment: datetime) -> None:
    clock.set(moment)
    await runner.tick()


async def test_drop_off_reminders_arrive_the_evening_before_and_two_hours_before(
    shop: BotRunner, clock: FakeClock, api: FakeBotApi
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)

    await at(shop, clock, local(26, 17, 59))
    assert count(anna, "Reminder: tomorrow") == 0
    await at(shop, clock, local(26, 18, 0))
    assert count(anna, "Reminder: tomorrow at 14:00") == 1
    reminder = next(m for m in anna.user.messages() if "Reminder" in m.get("text", ""))
    assert anna.buttons(reminder["message_id"]) == [
        "✅ I'll be there",
        "🔁 Reschedule",
        "✖️ Cancel booking",
    ]
    venue = anna.user.messages()[-1]["venue"]
    assert venue["title"] == "Day Bench"

    await at(shop, clock, local(27, 11, 59))
    assert count(anna, "In two hours") == 0
    await at(shop, clock, local(27, 12, 0))
    assert count(anna, "In two hours, at 14:00") == 1

    await anna.taps("✅ I'll be there")
    assert anna.toasts()[-1] == "Thank you, see you at 14:00!"

    await at(shop, clock, local(27, 16, 0))
    check = [t for t in mechanic.texts() if "Did the device arrive?" in t]
    assert len(check) == 1 and code in check[0]
    await mechanic.taps("→ missed drop-off")
    await mechanic.taps("Yes, it was missed")
    await at(shop, clock, local(27, 18, 0))
    assert count(anna, "Reminder") == 1, "each reminder exactly once"


async def test_customer_messages_wait_for_the_morning_but_staff_hear_at_once(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna, day_index=0, time="17:00")
    clock.set(local(26, 17, 10))
    await mechanic.command("/setstatus", f"{code} received")
    await mechanic.command("/setstatus", f"{code} diagnosing")
    assert count(anna, "being diagnosed") == 1

    clock.set(local(26, 22, 30))
    await mechanic.command("/quote", f"{code} 2000")
    await mechanic.taps("Send")
    assert count(anna, "Repair estimate") == 0, "not at 22:30"
    await at(shop, clock, local(27, 8, 59))
    assert count(anna, "Repair estimate") == 0
    await at(shop, clock, local(27, 9, 0))
    assert count(anna, "Repair estimate") == 1

    clock.set(local(27, 23, 0))
    await anna.taps("Approve")
    assert count(mechanic, "approved") == 1, "staff are told at once, night or not"


async def test_cancelling_a_booking_removes_its_reminders(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    code = await book(anna)
    await anna.command("/mybookings")
    await anna.taps(f"Cancel {code}")
    await anna.taps("Yes, cancel it")

    for moment in (local(26, 18), local(27, 12), local(27, 16)):
        await at(shop, clock, moment)
    assert count(anna, "Reminder") == 0 and count(anna, "In two hours") == 0
    assert count(shop.person(MECHANIC), "Did the device arrive?") == 0


async def test_rescheduling_from_a_reminder_moves_the_reminders_too(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    await book(anna)
    await at(shop, clock, local(26, 18, 0))

    await anna.taps("🔁 Reschedule")
    await anna.taps("Sat 28 Nov")
    await anna.taps("10:00")
    assert "moved to <b>" not in anna.screen["text"]
    assert "moved to Sat 28 Nov, 10:00" in anna.screen["text"]
    assert count(shop.person(MECHANIC), "moved by the customer") == 1

    await at(shop, clock, local(27, 12, 0))
    assert count(anna, "In two hours") == 0, "the old slot's reminder is gone"
    await at(shop, clock, local(27, 18, 0))
    assert count(anna, "Reminder: tomorrow at 10:00") == 1


async def test_a_restart_sends_overdue_messages_once_and_drops_expired_ones(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    await book(anna)
    await shop.stop()

    clock.set(local(26, 20, 0))  # the 18:00 reminder fell due while the bot was down
    await shop.start()
    await shop.settle()
    assert count(anna, "Reminder: tomorrow") == 1
    await shop.restart()
    await shop.tick()
    assert count(anna, "Reminder: tomorrow") == 1, "not again after another restart"

    await shop.stop()
    clock.set(local(27, 15, 0))  # the slot has passed: its 12:00 reminder means nothing now
    await shop.start()
    await shop.tick()
    assert count(anna, "In two hours") == 0


async def test_ready_devices_are_reminded_two_and_five_days_later_until_picked_up(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna, day_index=0, time="15:00")
    clock.set(local(26, 15, 5))
    for status in ("received", "diagnosing", "ready"):
        await mechanic.command("/setstatus", f"{code} {status}")
    ready = anna.texts()[-1]
    assert "Your device is ready!" in ready and "Bench Street 9" in ready
    assert "open today 09:00-18:00" in ready

    await at(shop, clock, local(28, 15, 4))
    assert count(anna, "is ready and waiting") == 0
    await at(shop, clock, local(28, 15, 5))
    assert count(anna, "is ready and waiting") == 1
    await at(shop, clock, local(30, 15, 4))
    assert count(anna, "is ready and waiting") == 1, "the five-day one is not due yet"

    await mechanic.command("/setstatus", f"{code} picked_up")
    clock.set(local(30, 12, 0))
    await shop.tick()
    assert count(anna, "is ready and waiting") == 1


async def test_an_unanswered_estimate_is_reminded_once_after_two_days(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna, day_index=0, time="15:00")
    clock.set(local(26, 15, 5))
    await mechanic.command("/setstatus", f"{code} received")
    await mechanic.command("/quote", f"{code} 990.90")
    await mechanic.taps("Send")

    await at(shop, clock, local(28, 15, 6))
    assert count(anna, "is waiting for your answer") == 1
    await at(shop, clock, local(29, 15, 6))
    assert count(anna, "is waiting for your answer") == 1

    await anna.taps("Approve")
    assert count(mechanic, "approved") == 1


async def test_feedback_is_asked_an_hour_after_pickup_and_a_low_rating_alerts_head_office(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    office = shop.person(HEAD_OFFICE, "Olga")
    code = await book(anna, day_index=0, time="15:00")
    clock.set(local(26, 15, 5))
    for status in ("received", "diagnosing", "ready", "picked_up"):
        await mechanic.command("/setstatus", f"{code} {status}")

    await at(shop, clock, local(26, 16, 4))
    assert count(anna, "How was the repair") == 0
    await at(shop, clock, local(26, 16, 5))
    assert count(anna, "How was the repair") == 1
    assert anna.buttons() == ["1", "2", "3", "4", "5"]
    ask = anna.screen

    await anna.taps("2")
    assert "Thank you for rating 2" in anna.screen["text"]
    alerts = [t for t in office.texts() if "Low rating 2" in t]
    assert len(alerts) == 1 and code in alerts[0]

    await anna.taps_data(ask["message_id"], f"fb:{code}:5")
    assert anna.toasts()[-1] == "This button is no longer active."

    thanks = anna.screen
    reply = await anna.user_reply(thanks["message_id"], "The drum still squeaks")
    assert reply[-1]["text"] == "Thank you, we passed your comment on."
    assert any("The drum still squeaks" in t for t in office.texts())


async def test_the_morning_digest_lists_overdue_tickets_once_a_day(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    office = shop.person(HEAD_OFFICE, "Olga")
    await at(shop, clock, local(27, 9, 0))
    assert count(office, "Overdue tickets") == 0, "nothing to report, nothing sent"

    code = await book(anna, day_index=0, time="15:00")
    clock.set(local(27, 15, 5))
    await mechanic.command("/setstatus", f"{code} received")

    await at(shop, clock, local(28, 8, 59))
    assert count(office, "Overdue tickets") == 0
    await at(shop, clock, local(29, 9, 0))
    await at(shop, clock, local(29, 9, 30))
    assert count(office, "Overdue tickets") == 1
    assert count(mechanic, "Overdue tickets") == 1
    assert code in next(t for t in office.texts() if "Overdue tickets" in t)


async def test_the_workshop_is_not_asked_about_a_device_that_arrived(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna, day_index=0, time="15:00")
    clock.set(local(26, 15, 2))
    await mechanic.command("/setstatus", f"{code} received")

    await at(shop, clock, local(26, 17, 0))
    assert count(mechanic, "Did the device arrive?") == 0


async def test_a_server_error_is_retried_with_backoff_and_the_message_sent_once(
    shop: BotRunner, clock: FakeClock, api: FakeBotApi
) -> None:
    anna = shop.person(1001, "Anna")
    await book(anna)
    api.fail_next("sendMessage", 500, "Internal Server Error")
    api.drop_next("sendMessage")

    await at(shop, clock, local(26, 18, 0))  # 500: try again in 10 s
    await at(shop, clock, datetime(2026, 11, 26, 18, 0, 10, tzinfo=MOSCOW))
    assert count(anna, "Reminder: tomorrow") == 0, "the connection dropped: again in 20 s"
    await at(shop, clock, datetime(2026, 11, 26, 18, 0, 29, tzinfo=MOSCOW))
    assert count(anna, "Reminder: tomorrow") == 0
    await at(shop, clock, datetime(2026, 11, 26, 18, 0, 30, tzinfo=MOSCOW))
    assert count(anna, "Reminder: tomorrow") == 1
    await at(shop, clock, local(26, 19, 0))
    assert count(anna, "Reminder: tomorrow") == 1


async def test_a_reminder_sent_while_the_disk_is_full_goes_out_once_and_is_recorded_later(
    shop: BotRunner, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    anna = shop.person(1001, "Anna")
    await book(anna)
    db = shop.app.bot_data["services"].db

    # The disk fills up between the claim on a message and the record that it went out.
    async with full_disk(db, "outbox", "UPDATE OF status"):
        for minute in range(6):
            await at(shop, clock, local(26, 18, minute))
        assert count(anna, "Reminder: tomorrow") == 1, "sent once, though never recorded"
        alerts = [r for r in caplog.records if r.levelname == "ERROR" and "ALERT" in r.message]
        assert len(alerts) == 1, "one alert for the one message"

    for minute in range(6, 9):
        await at(shop, clock, local(26, 18, minute))
    assert count(anna, "Reminder: tomorrow") == 1, "not again once the disk has room"
    row = await db.fetch_one("SELECT status, done_at FROM outbox WHERE kind = 'dropoff_evening'")
    assert row["status"] == "sent"
    assert row["done_at"].startswith("2026-11-26T15:00"), "recorded with the time it went out"
    assert any("recorded as sent at last" in r.message for r in caplog.records)


async def test_nothing_goes_out_while_no_claim_can_be_written_and_everything_once_it_can(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    await book(anna)
    db = shop.app.bot_data["services"].db

    async with full_disk(db, "outbox"):
        with pytest.raises(DISK_FULL, match="disk is full"):
            await at(shop, clock, local(26, 18, 0))
        assert count(anna, "Reminder: tomorrow") == 0, "not sent unclaimed: it could go twice"

    await at(shop, clock, local(26, 18, 1))
    await at(shop, clock, local(26, 18, 2))
    assert count(anna, "Reminder: tomorrow") == 1


async def test_a_message_that_cannot_be_delivered_is_logged_with_id_kind_chat_and_reason(
    shop: BotRunner, clock: FakeClock, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    anna = shop.person(1001, "Anna")
    await book(anna)
    api.block(anna.id)

    await at(shop, clock, local(26, 18, 0))

    row = await shop.app.bot_data["services"].db.fetch_one(
        "SELECT id FROM outbox WHERE kind = 'dropoff_evening'"
    )
    lines = [r.getMessage() for r in caplog.records if r.levelname == "INFO"]
    assert any(
        line.startswith(f"Outbox message {row['id']} (dropoff_evening) to chat {anna.id}")
        and "not delivered: blocked" in line
        for line in lines
    ), lines


async def test_a_message_that_fails_for_good_is_one_warning_line(
    shop: BotRunner, clock: FakeClock, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    anna = shop.person(1001, "Anna")
    await book(anna)
    api.fail_next("sendMessage", 500, "Internal Server Error", times=5)

    # Tried five times, 10, 20, 40 and 80 s apart, then given up.
    for second in (0, 10, 30, 70, 150):
        await at(shop, clock, local(26, 18, 0) + timedelta(seconds=second))

    assert count(anna, "Reminder: tomorrow") == 0
    failed = [r for r in caplog.records if "not delivered" in r.getMessage()]
    assert [r.levelname for r in failed] == ["WARNING"]
    assert "(dropoff_evening)" in failed[0].getMessage()


async def test_a_customer_who_blocked_the_bot_is_skipped_and_marked(
    shop: BotRunner, clock: FakeClock, api: FakeBotApi
) -> None:
    anna = shop.person(1001, "Anna")
    await book(anna)
    api.block(anna.id)

    await at(shop, clock, local(26, 18, 0))

    services = shop.app.bot_data["services"]
    row = await services.db.fetch_one(
        "SELECT status, last_error FROM outbox WHERE kind = 'dropoff_evening'"
    )
    assert row["status"] == "skipped" and "blocked" in row["last_error"]
    blocked = await services.db.fetch_one(
        "SELECT blocked_at FROM customers WHERE user_id = ?", (anna.id,)
    )
    assert blocked["blocked_at"] is not None
