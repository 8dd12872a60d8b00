"""Head office and workshop staff run the network through the bot."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000


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


async def book(customer: Person) -> str:
    await customer.reaches_workshops()
    await customer.taps("One Bench")
    await customer.taps(customer.buttons()[1])
    await customer.taps("09:00")
    await customer.shares_contact("+79001112233")
    await customer.taps("Confirm")
    booked = next(t for t in customer.texts() if "Booked!" in t)
    return re.search(r"SR-[0-9A-Z]{6}", booked).group(0)


async def test_a_repair_from_booking_to_pickup_keeps_the_customer_informed(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = network.person(7001, "Mike")
    anna = network.person(1001, "Anna")
    await mechanic.command("/start")

    added = await office.command("/addstaff", "7001 TEST-ONE")
    assert "Mike (7001) is now staff of TEST-ONE" in added[-1]["text"]
    staff_menu = [c["command"] for c in api.commands({"type": "chat", "chat_id": 7001})]
    assert "today" in staff_menu and "addstaff" not in staff_menu

    code = await book(anna)
    assert any(code in text and "New booking" in text for text in mechanic.texts())

    card = await mechanic.command("/job", code)
    assert "Anna" in card[-1]["text"] and "+79001112233" in card[-1]["text"]
    assert "Won't drain" in card[-1]["text"], "the fault as the customer described it"
    assert "did not help" in card[-1]["text"], "the fix the customer tried"
    assert mechanic.buttons() == ["→ received by the workshop", "→ cancelled", "→ missed drop-off"]

    await mechanic.taps("→ received by the workshop")
    assert "One Bench has received your device." in anna.texts()[-1]
    assert mechanic.buttons()[0] == "→ being diagnosed"

    await mechanic.command("/setstatus", f"{code} diagnosing")
    forbidden = await mechanic.command("/setstatus", f"{code} picked_up")
    assert "cannot become picked_up" in forbidden[-1]["text"]
    assert "waiting_parts, repairing, ready, cancelled" in forbidden[-1]["text"]

    preview = await mechanic.command("/quote", f"{code} 1500,50 new pump")
    assert "RUB\u00a01,500.50" in preview[-1]["text"]
    await mechanic.taps("Send")
    estimate = anna.user.messages()[-1]
    assert "RUB\u00a01,500.50" in estimate["text"] and "new pump" in estimate["text"]
    await anna.taps("Approve")
    assert "approved RUB\u00a01,500.50" in anna.screen["text"]
    assert "approved" in mechanic.texts()[-1] and code in mechanic.texts()[-1]

    await anna.taps_data(estimate["message_id"], "est:1:n")
    assert anna.toasts()[-1] == "This button is no longer active."

    eta = await mechanic.command("/eta", f"{code} 2026-11-30")
    assert "Monday, 30 November" in eta[-1]["text"], "staff see the date as customers do"
    assert "Monday, 30 November" in anna.texts()[-1]

    await mechanic.command("/setstatus", f"{code} repairing")
    await mechanic.command("/setstatus", f"{code} ready Please bring the receipt")
    ready = anna.texts()[-1]
    assert "Your device is ready!" in ready and "Please bring the receipt" in ready
    assert "To pay: RUB\u00a01,500.50, the estimate you approved." in ready
    assert "Bench Street 1" in ready and "open today 09:00-11:00" in ready

    status = await anna.command("/status", code)
    history = status[-1]["text"].partition("History")[2].splitlines()[1:]
    assert history == [
        "Thu 26 Nov, 09:00 · You booked a drop-off at One Bench.",
        "Thu 26 Nov, 09:00 · One Bench has received your device.",
        "Thu 26 Nov, 09:00 · Your device is being diagnosed; the workshop will tell you what it"
        " needs.",
        "Thu 26 Nov, 09:00 · Estimate RUB\u00a01,500.50: new pump, you approved it.",
        "Thu 26 Nov, 09:00 · Expected to be ready on Monday, 30 November.",
        "Thu 26 Nov, 09:00 · Your device is being repaired.",
        "Thu 26 Nov, 09:00 · Your device is ready! 🎉 Note from the workshop: Please bring the"
        " receipt",
    ]
    card = await mechanic.command("/job", code)
    assert "Anna (customer)" in card[-1]["text"] and "Mike (workshop)" in card[-1]["text"]
    assert "customer 1001" not in card[-1]["text"] and "staff 7001" not in card[-1]["text"]


async def test_staff_cannot_see_or_touch_other_workshops_tickets_and_customers_nothing(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    boris = network.person(1002, "Boris")
    code = await book(anna)

    for command in ("/job", "/setstatus", "/eta", "/quote", "/today", "/jobs", "/stats"):
        refused = await boris.command(command, code)
        assert refused[-1]["text"] == "Sorry, this command is not available to you."
    peek = await boris.command("/status", code)
    assert code not in peek[-1]["text"]

    await office.command("/addstaff", "7002 TEST-ONE")
    stranger = network.person(7003, "Stan")
    await stranger.command("/start")
    await office.command("/addstaff", "7003 TEST-ONE")
    await office.command("/removestaff", "7003")
    gone = await stranger.command("/job", code)
    assert gone[-1]["text"] == "Sorry, this command is not available to you."


async def test_head_office_sees_the_network_statistics_and_exports(network: BotRunner) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    code = await book(anna)

    overview = await office.command("/workshops")
    assert "TEST-ONE" in overview[-1]["text"] and "open tickets 1" in overview[-1]["text"]

    figures = await office.command("/stats")
    lines = figures[0]["text"].splitlines()
    assert "Bookings: 1 (▲ from 0)" in lines
    assert figures[-1]["photo"], "the chart comes as a picture"

    export = await office.command("/export", "7")
    names = [message["document"]["file_name"] for message in export[-2:]]
    assert names[0].endswith(".xlsx") and names[1].endswith(".csv")
    bad = await office.command("/export", "lots")
    assert "number of days" in bad[-1]["text"]

    jobs = await office.command("/jobs", "TEST-ONE")
    assert code in jobs[-1]["text"]


async def test_walk_in_ticket_is_claimed_once_by_the_link_on_the_receipt(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = network.person(7001, "Mike")
    await office.command("/addstaff", "7001 TEST-ONE")

    unknown = await mechanic.command("/walkin", "toaster")
    assert "washer" in unknown[-1]["text"]
    created = await mechanic.command("/walkin", "washer drum does not spin")
    link = re.search(r"https://t\.me/repair_test_bot\?start=(\S+)", created[0]["text"])
    assert link is not None
    assert created[-1]["photo"], "the same link as a QR code"
    code = re.search(r"SR-[0-9A-Z]{6}", created[0]["text"]).group(0)

    walker = network.person(1500, "Walter")
    claimed = await walker.command("/start", link.group(1))
    assert code in claimed[0]["text"]
    await mechanic.command("/setstatus", f"{code} diagnosing")
    assert "being diagnosed" in walker.texts()[-1]

    thief = network.person(1501, "Tim")
    again = await thief.command("/start", link.group(1))
    assert "already been used" in again[-1]["text"]


async def test_a_status_button_under_a_card_too_long_for_one_message_shows_the_new_card_whole(
    network: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """Long notes in emoji (two units each for Telegram) grow a card past one message."""
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = network.person(7001, "Mike")
    await office.command("/addstaff", "7001 TEST-ONE")
    note = "🔧" * 500
    created = await mechanic.command("/walkin", f"washer {note}")
    code = re.search(r"SR-[0-9A-Z]{6}", created[0]["text"]).group(0)
    await mechanic.command("/setstatus", f"{code} diagnosing {note}")
    await mechanic.command("/setstatus", f"{code} waiting_parts {note}")
    card = await mechanic.command("/job", code)
    assert len(card) > 1, "the card takes more than one message"

    answers = await mechanic.taps("→ being repaired")

    assert not any("something went wrong" in m["text"] for m in answers)
    shown = "\n".join(m["text"] for m in answers)
    assert f"Ticket {code} · being repaired" in shown
    assert shown.count(note) == 4, "the description, twice, and both notes"
    assert f"Ticket {code} is now being repaired." in shown
    assert mechanic.buttons(card[-1]["message_id"]) == [], "the old card's buttons are retired"
    assert mechanic.buttons(answers[-2]["message_id"]) == ["→ ready for pickup", "→ cancelled"]
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]

