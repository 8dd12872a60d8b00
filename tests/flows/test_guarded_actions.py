"""Actions that hurt a customer are guarded: a cancellation asks why and is confirmed, a
missed drop-off is confirmed, and an estimate is previewed before the customer sees it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.handlers.staff import REASON_WANTED_KEY
from tests.flows.test_customer_words import book as book_in_russian
from tests.flows.test_replayed_updates import count_rows, crash_and_replay
from tests.flows.test_workshop_operations import book
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001
GROUP = -1001234567890


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
    await runner.person(MECHANIC, "Mike").command("/start")
    await runner.person(HEAD_OFFICE, "Olga").command("/addstaff", f"{MECHANIC} TEST-ONE")
    yield runner
    await runner.stop()


async def status_of(person: Person, code: str) -> str:
    card = await person.command("/job", code)
    return card[0]["text"]


def notices(customer: Person) -> list[str]:
    return [text for text in customer.texts() if "cancelled" in text or "lapsed" in text]


# Cancelling


@pytest.mark.parametrize(
    ("reason", "customer_reads", "staff_reads"),
    [
        ("Customer asked", "Reason: cancelled at your request", "Customer asked"),
        ("Cannot be repaired", "Reason: the device cannot be repaired", "Cannot be repaired"),
        ("No parts available", "Reason: the parts needed are not available", "No parts available"),
    ],
)
async def test_a_cancel_button_asks_why_and_to_confirm_and_the_customer_reads_the_reason(
    network: BotRunner, reason: str, customer_reads: str, staff_reads: str
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)

    asked = await mechanic.taps("→ cancelled")
    assert "Why is" in asked[-1]["text"] and code in asked[-1]["text"]
    assert mechanic.buttons() == [
        "Customer asked",
        "Cannot be repaired",
        "No parts available",
        "Other (type it)…",
        "Keep the ticket",
    ]
    assert notices(anna) == [], "nothing changes before the reason is given and confirmed"

    await mechanic.taps(reason)
    assert customer_reads.removeprefix("Reason: ") in mechanic.screen["text"]
    assert mechanic.buttons() == ["Yes, cancel it", "Keep the ticket"]
    assert notices(anna) == []

    await mechanic.taps("Yes, cancel it")
    assert "cancelled" in mechanic.screen["text"]
    notice = anna.user.messages()[-1]
    assert "The workshop has cancelled the ticket" in notice["text"]
    assert customer_reads in notice["text"]
    assert "🔁 Book again" in anna.buttons(notice["message_id"])
    assert f"→ cancelled: {staff_reads}" in await status_of(mechanic, code)


async def test_a_chosen_reason_reaches_the_customer_in_their_language(
    network: BotRunner,
) -> None:
    ivan = network.person(1002, "Иван", language_code="ru")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book_in_russian(ivan, russian=True)

    await mechanic.command("/setstatus", f"{code} cancelled")
    await mechanic.taps("No parts available")
    await mechanic.taps("Yes, cancel it")

    notice = ivan.user.messages()[-1]
    assert "Причина: нужных запчастей нет в наличии" in notice["text"]
    assert "🔁 Записаться снова" in ivan.buttons(notice["message_id"])
    story = (await ivan.command("/status", code))[-1]["text"]
    assert "Причина: нужных запчастей нет в наличии" in story


async def test_a_typed_reason_reaches_the_customer_after_confirmation(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)
    await mechanic.taps("→ cancelled")

    await mechanic.taps("Other (type it)…")
    assert "Type the reason" in mechanic.screen["text"]
    confirm = await mechanic.says("The workshop is closed for renovation")
    assert "The workshop is closed for renovation" in confirm[-1]["text"]
    assert notices(anna) == []

    await mechanic.taps("Yes, cancel it")
    notice = anna.user.messages()[-1]
    assert "Reason: The workshop is closed for renovation" in notice["text"]
    assert "🔁 Book again" in anna.buttons(notice["message_id"])


async def test_a_replayed_confirmation_of_a_typed_reason_answers_as_before(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/setstatus", f"{code} cancelled Water damage")
    await mechanic.taps("Yes, cancel it")
    answer = mechanic.screen

    await crash_and_replay(network)

    assert mechanic.screen == answer and "is now cancelled" in answer["text"]
    assert mechanic.toasts()[-1] != "This button is no longer active."
    assert len(notices(anna)) == 1


async def test_the_wait_for_a_typed_reason_survives_a_restart(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)
    await mechanic.taps("→ cancelled")
    await mechanic.taps("Other (type it)…")

    await network.restart()
    await mechanic.says("Flooded basement")
    await mechanic.taps("Yes, cancel it")

    assert "Reason: Flooded basement" in anna.texts()[-1]


async def test_a_command_ends_the_wait_for_a_typed_reason(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)
    await mechanic.taps("→ cancelled")
    await mechanic.taps("Other (type it)…")

    await mechanic.command("/jobs")
    answer = await mechanic.says("hello there")

    assert not any("Cancel " in message["text"] for message in answer)
    assert notices(anna) == []
    assert "booked" in await status_of(mechanic, code)


async def test_a_command_in_a_group_ends_the_wait_for_a_typed_reason_in_the_database_too(
    network: BotRunner,
) -> None:
    """The group's command is stopped before the handlers proper; the wait it ended is
    written all the same before it counts as handled, for the next update reads it there."""
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)
    await mechanic.taps("→ cancelled")
    await mechanic.taps("Other (type it)…")

    [pointer] = await mechanic.in_group(GROUP).command("/jobs")
    assert "private chat" in pointer["text"]

    stored = await network.app.bot_data["services"].db.fetch_one(
        "SELECT data FROM user_data WHERE user_id = ?", (MECHANIC,)
    )
    assert stored is not None and REASON_WANTED_KEY not in json.loads(stored["data"])
    answer = await mechanic.says("hello there")
    assert not any("Cancel " in message["text"] for message in answer)
    assert "booked" in await status_of(mechanic, code)


async def test_setstatus_cancelled_asks_why_and_a_note_is_the_reason_still_confirmed(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)

    asked = await mechanic.command("/setstatus", f"{code} cancelled")
    assert "Why is" in asked[-1]["text"]
    confirm = await mechanic.command("/setstatus", f"{code} cancelled Water damage")
    assert "Water damage" in confirm[-1]["text"]
    assert mechanic.buttons() == ["Yes, cancel it", "Keep the ticket"]
    assert notices(anna) == []

    await mechanic.taps("Yes, cancel it")
    assert "Reason: Water damage" in anna.texts()[-1]


async def test_an_abandoned_cancellation_changes_nothing_and_tells_the_customer_nothing(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    before = len(anna.texts())
    await mechanic.command("/job", code)
    await mechanic.taps("→ cancelled")
    await mechanic.taps("No parts available")

    await mechanic.taps("Keep the ticket")

    assert "stays booked" in mechanic.screen["text"]
    assert mechanic.buttons(mechanic.screen["message_id"]) == []
    assert len(anna.texts()) == before
    assert "booked" in await status_of(mechanic, code)


async def test_a_second_confirmation_is_stale_and_a_replayed_one_changes_nothing(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)
    await mechanic.taps("→ cancelled")
    await mechanic.taps("Customer asked")
    confirmation = mechanic.screen["message_id"]
    await mechanic.taps("Yes, cancel it")

    await crash_and_replay(network)
    await mechanic.taps_data(confirmation, f"gm:{code}:cancelled:customer_asked")
    await mechanic.taps_data(confirmation, f"gm:{code}:cancelled:forged")

    assert mechanic.toasts()[-2:] == ["This button is no longer active."] * 2
    cancelled = "SELECT id FROM ticket_events WHERE to_status = 'cancelled'"
    assert await count_rows(network, cancelled) == 1
    assert len(notices(anna)) == 1


# Missed drop-off


async def test_a_missed_drop_off_is_confirmed_before_the_customer_is_told(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/job", code)

    asked = await mechanic.taps("→ missed drop-off")
    assert "missed drop-off" in asked[-1]["text"]
    assert mechanic.buttons() == ["Yes, it was missed", "Keep the ticket"]
    assert notices(anna) == []

    await mechanic.taps("Yes, it was missed")
    notice = anna.user.messages()[-1]
    assert "The booking has lapsed" in notice["text"]
    assert "🔁 Book again" in anna.buttons(notice["message_id"])


# Estimates


async def received(network: BotRunner, customer: Person) -> str:
    code = await book(customer)
    await network.person(MECHANIC, "Mike").command("/setstatus", f"{code} received")
    return code


@pytest.mark.parametrize(
    ("typed", "shown", "comment"),
    [
        ("12500", "RUB\u00a012,500", None),
        ("12 500", "RUB\u00a012,500", None),
        ("12 500,50 Screen", "RUB\u00a012,500.50", "Screen"),
        ("12500.50", "RUB\u00a012,500.50", None),
        ("12 500 ₽ new screen", "RUB\u00a012,500", "new screen"),
        ("12 500 руб glass", "RUB\u00a012,500", "glass"),
    ],
)
async def test_quote_reads_amounts_as_people_write_them_and_previews_first(
    network: BotRunner, typed: str, shown: str, comment: str | None
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    before = len(anna.texts())

    preview = await mechanic.command("/quote", f"{code} {typed}")

    assert shown in preview[-1]["text"]
    if comment:
        assert f"Comment: {comment}" in preview[-1]["text"]
    assert mechanic.buttons() == ["Send", "Cancel"]
    assert len(anna.texts()) == before, "the customer sees nothing before Send"

    await mechanic.taps("Send")
    assert "The customer is asked to approve it" in mechanic.screen["text"]
    assert shown in anna.texts()[-1]


@pytest.mark.parametrize("typed", ["12,500", "12.500", "1 2 3", "abc", "0"])
async def test_quote_refuses_an_ambiguous_amount_with_an_example(
    network: BotRunner, typed: str
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)

    refused = await mechanic.command("/quote", f"{code} {typed}")

    assert f"“{typed}” is not an amount" in refused[-1]["text"]
    assert "/quote SR-XXXXXX 12 500,50 new screen" in refused[-1]["text"]
    assert await count_rows(network, "SELECT id FROM estimates") == 0


async def test_a_cancelled_preview_sends_nothing(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    before = len(anna.texts())
    await mechanic.command("/quote", f"{code} 1500")

    await mechanic.taps("Cancel")

    assert "not sent" in mechanic.screen["text"]
    assert mechanic.buttons(mechanic.screen["message_id"]) == []
    assert len(anna.texts()) == before
    assert await count_rows(network, "SELECT id FROM estimates") == 0


async def test_only_the_latest_preview_can_be_sent(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    first = await mechanic.command("/quote", f"{code} 1500")
    await mechanic.command("/quote", f"{code} 2500")

    await mechanic.taps("Send", first[-1]["message_id"])
    assert mechanic.toasts()[-1] == "This button is no longer active."
    await mechanic.taps("Send")

    assert "RUB\u00a02,500" in anna.texts()[-1]
    assert await count_rows(network, "SELECT id FROM estimates") == 1


async def test_a_new_estimate_replaces_the_open_one_whose_buttons_stop_working(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    await mechanic.command("/quote", f"{code} 1500")
    await mechanic.taps("Send")
    old = anna.user.messages()[-1]
    preview = await mechanic.command("/quote", f"{code} 2500 pump and hose")
    assert "replaces the estimate of RUB\u00a01,500 still waiting" in preview[-1]["text"]
    await mechanic.taps("Send")
    new = anna.user.messages()[-1]

    await anna.taps("Approve", old["message_id"])
    assert anna.toasts()[-1] == (
        "This estimate was replaced by a newer one: please answer the latest."
    )
    assert anna.buttons(old["message_id"]) == []
    assert not any("approved" in text for text in mechanic.texts())

    await anna.taps("Approve", new["message_id"])
    assert "approved RUB\u00a02,500" in anna.screen["text"]
    assert "approved" in mechanic.texts()[-1]


async def test_after_a_decline_staff_can_quote_again(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    await mechanic.command("/quote", f"{code} 3000")
    await mechanic.taps("Send")
    await anna.taps("Decline")
    assert "declined" in mechanic.texts()[-1]

    preview = await mechanic.command("/quote", f"{code} 2000 used part")
    assert "replaces" not in preview[-1]["text"], "a declined estimate is not open"
    await mechanic.taps("Send")
    await anna.taps("Approve")

    assert "approved RUB\u00a02,000" in anna.screen["text"]
    assert "approved" in mechanic.texts()[-1]
