"""Forged or malformed input gets the answer a stale button or a bad argument gets, never a
traceback, and a button does something only while its ticket is in a state where it means it."""

from __future__ import annotations

import logging
import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.day_shop import HEAD_OFFICE, MECHANIC

MOSCOW = ZoneInfo("Europe/Moscow")
STALE = "This button is no longer active."
UNUSABLE_LOCATION = "I could not use that location."
BEYOND_64_BITS = "9" * 20
YEAR_10000 = "253402300800"



def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR or record.exc_info
    ]


async def to_location(customer: Person) -> None:
    await customer.command("/repair")
    await customer.taps("Washing machine")
    await customer.taps("Won't drain")
    await customer.taps("❌ Still broken")
    await customer.finishes_description()


async def to_days(customer: Person) -> None:
    await to_location(customer)
    await customer.says("Testville")
    await customer.taps("Day Bench")


async def book(customer: Person, day_index: int = 1, time: str = "14:00") -> str:
    """Book a drop-off; by default tomorrow (Friday 27.11) at 14:00."""
    await to_days(customer)
    await customer.taps(customer.buttons()[day_index])
    await customer.taps(time)
    await customer.taps_reply("Skip")
    await customer.taps("Confirm")
    booked = next(t for t in customer.texts() if "Booked!" in t)
    return re.search(r"SR-[0-9A-Z]{6}", booked).group(0)


async def picked_up(shop: BotRunner, clock: FakeClock, customer: Person) -> str:
    """A repair done today, and the rating question an hour after pickup."""
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(customer, day_index=0, time="15:00")
    clock.set(datetime(2026, 11, 26, 15, 5, tzinfo=MOSCOW))
    for status in ("received", "diagnosing", "ready", "picked_up"):
        await mechanic.command("/setstatus", f"{code} {status}")
    clock.set(datetime(2026, 11, 26, 16, 5, tzinfo=MOSCOW))
    await shop.tick()
    assert customer.buttons() == ["1", "2", "3", "4", "5"]
    return code


async def test_a_forged_day_or_slot_in_a_booking_gets_the_stale_answer_and_no_traceback(
    shop: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    anna = shop.person(1001, "Anna")
    await to_days(anna)
    days = anna.screen
    for data in ("day:9999-12-31", "day:2099-12-31", "day:2026-11-25", "day:2026-12-10"):
        await anna.taps_data(days["message_id"], data)
        assert anna.toasts()[-1] == STALE, data
        assert anna.screen == days, data

    await anna.taps(anna.buttons()[1])
    slots = anna.screen
    for data in (f"slot:{BEYOND_64_BITS}", f"slot:{YEAR_10000}", "slot:-1"):
        await anna.taps_data(slots["message_id"], data)
        assert anna.toasts()[-1] == STALE, data
        assert anna.screen == slots, data
    assert tracebacks(caplog) == []


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (math.inf, 37.61),
        (math.nan, math.nan),
        (-math.inf, -math.inf),
        (91.0, 37.61),
        (55.75, 181.0),
    ],
)
async def test_a_location_that_is_not_on_earth_is_answered_and_the_customer_may_try_again(
    shop: BotRunner, caplog: pytest.LogCaptureFixture, lat: float, lon: float
) -> None:
    anna = shop.person(1001, "Anna")
    await to_location(anna)
    answer = await anna.shares_location(lat, lon)
    assert [m["text"] for m in answer] == [
        f"{UNUSABLE_LOCATION} Please share it again with the button, or type your city or address."
    ]
    await anna.says("Testville")
    assert "Day Bench · 0.0 km" in anna.buttons()
    assert tracebacks(caplog) == []


async def test_forged_buttons_with_huge_ids_or_times_get_the_stale_answer_and_no_traceback(
    shop: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    anna = shop.person(1001, "Anna")
    office = shop.person(HEAD_OFFICE, "Olga")
    code = await book(anna)
    booked = anna.user.messages()[-1]["message_id"]
    for data in (
        f"est:{BEYOND_64_BITS}:y",
        f"rss:{code}:{BEYOND_64_BITS}",
        f"rss:{code}:{YEAR_10000}",
        f"rss:{code}:4000000000",
        f"rsd:{code}:9999-12-31",
        f"rsd:{code}:2099-12-31",
        f"fb:{code}:{BEYOND_64_BITS}",
        "cxn:SR-000000",
    ):
        await anna.taps_data(booked, data)
        assert anna.toasts()[-1] == STALE, data
    await office.command("/broadcasts")
    await office.taps_data(office.screen["message_id"], f"bc:{BEYOND_64_BITS}:y")
    assert office.toasts()[-1] == STALE
    assert tracebacks(caplog) == []


async def test_a_forged_rating_on_a_ticket_not_picked_up_alerts_nobody_and_costs_no_rating(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    office = shop.person(HEAD_OFFICE, "Olga")
    code = await book(anna, day_index=0, time="15:00")
    booked = anna.user.messages()[-1]["message_id"]

    await anna.taps_data(booked, f"fb:{code}:1")
    assert anna.toasts()[-1] == STALE
    assert not any("Low rating" in t for t in office.texts())

    anna.new_messages()
    clock.set(datetime(2026, 11, 26, 15, 5, tzinfo=MOSCOW))
    mechanic = shop.person(MECHANIC, "Mike")
    for status in ("received", "diagnosing", "ready", "picked_up"):
        await mechanic.command("/setstatus", f"{code} {status}")
    clock.set(datetime(2026, 11, 26, 16, 5, tzinfo=MOSCOW))
    await shop.tick()
    await anna.taps("5")
    assert "Thank you for rating 5" in anna.screen["text"]


async def test_the_customers_comment_reaches_head_office_labelled_as_the_customers(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    office = shop.person(HEAD_OFFICE, "Olga")
    code = await picked_up(shop, clock, anna)
    await anna.taps("1")
    await anna.user_reply(anna.screen["message_id"], "The drum still squeaks")

    alert = office.texts()[-1]
    assert code in alert
    assert "Customer's comment: The drum still squeaks" in alert
    assert "workshop:" not in alert


async def test_an_estimate_on_a_closed_ticket_cannot_be_approved(shop: BotRunner) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/quote", f"{code} 1500")
    await mechanic.taps("Send")
    estimate = anna.screen
    await mechanic.command("/setstatus", f"{code} cancelled")
    await mechanic.taps("Customer asked")
    await mechanic.taps("Yes, cancel it")
    mechanic.new_messages()

    await anna.taps("Approve", estimate["message_id"])
    assert anna.toasts()[-1] == STALE
    assert mechanic.new_messages() == []


async def test_broadcast_at_a_time_beyond_a_year_is_refused_with_an_example(
    shop: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    office = shop.person(HEAD_OFFICE, "Olga")
    office.new_messages()
    for when in ("9999-12-31 23:59", "2027-11-26 09:01", "99999-01-01 10:00", "2026-11-27 10"):
        refused = await office.command("/broadcast_at", f"{when} We are closed on Monday")
        assert [m["text"] for m in refused] == [
            "Give a local time in the future, at most a year ahead, as YYYY-MM-DD HH:MM, "
            "then the text. For example:\n"
            "/broadcast_at 2026-11-27 10:00 Our workshops are closed on Monday."
        ], when
    preview = await office.command("/broadcast_at", "2027-11-26 08:59 We are closed on Monday")
    assert "Broadcast preview" in preview[-1]["text"]
    assert tracebacks(caplog) == []


async def test_ill_be_there_after_the_drop_off_time_has_passed_is_stale(
    shop: BotRunner, clock: FakeClock
) -> None:
    anna = shop.person(1001, "Anna")
    code = await book(anna)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=MOSCOW))
    await anna.taps_data(anna.user.messages()[-1]["message_id"], f"cf:{code}")
    assert anna.toasts()[-1] == STALE

    await anna.command("/status", code)
    assert "will_come" not in anna.screen["text"]


async def test_a_broadcast_draft_is_confirmed_only_from_the_chat_it_was_previewed_in(
    shop: BotRunner,
) -> None:
    olga = shop.person(HEAD_OFFICE, "Olga")
    await olga.command("/addadmin", "9001")
    pavel = shop.person(9001, "Pavel")
    await pavel.command("/start")
    preview = (await olga.command("/broadcast", "Closed on Monday"))[-1]
    confirm = preview["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

    await pavel.taps_data(pavel.screen["message_id"], confirm)
    assert pavel.toasts()[-1] == STALE
    assert olga.screen["text"] == preview["text"], "the draft is still waiting for Olga"

    await olga.taps("Confirm", preview["message_id"])
    assert olga.toasts()[-1] == ""
