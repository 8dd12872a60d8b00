"""A crash after the handler committed but before the update was recorded as handled makes
Telegram deliver the update again: handled again, it creates nothing new and answers as the
first time did.

The crash is played with real parts: the bot stops, the update's row in processed_updates
is taken back (it had not been written yet), and the fake Telegram offers the very same
update (id and payload) to the bot that starts again.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001


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


Tables = dict[str, list[tuple[object, ...]]]
CONVERSATION_TABLES = ("conversations", "user_data")


def database(runner: BotRunner) -> sqlite3.Connection:
    return sqlite3.connect(runner.settings.database_path)


def snapshot(runner: BotRunner) -> Tables:
    """Where every conversation stands, as saved now."""
    with closing(database(runner)) as db:
        return {
            table: db.execute(f"SELECT * FROM {table}").fetchall() for table in CONVERSATION_TABLES
        }


async def crash_and_replay(runner: BotRunner, saved: Tables | None = None) -> None:
    """The bot dies after handling the latest update but before recording it as handled.

    `saved`: the conversations as they were before that update, for a crash that also came
    before its new conversation state was written.
    """
    update_id = runner.last_update_id
    await runner.stop()
    with closing(database(runner)) as db, db:
        db.execute("DELETE FROM processed_updates WHERE update_id = ?", (update_id,))
        for table, rows in (saved or {}).items():
            db.execute(f"DELETE FROM {table}")
            for row in rows:
                db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    runner.api.redeliver(update_id)
    await runner.start()
    await runner.settle()


def count_rows(runner: BotRunner, sql: str, *params: object) -> int:
    with closing(database(runner)) as db:
        return int(db.execute(f"SELECT COUNT(*) FROM ({sql})", params).fetchone()[0])


def shown(messages: list[JSONDict]) -> list[str]:
    """What a person sees of each message: its text, caption or place."""
    return [
        message.get("text") or message.get("caption") or message["venue"]["title"]
        for message in messages
    ]


def count(person: Person, fragment: str) -> int:
    return sum(fragment in text for text in person.texts())


async def up_to_confirmation(customer: Person) -> None:
    """A fault report up to the summary with its Confirm button, tomorrow at 09:00."""
    await customer.command("/repair")
    await customer.taps("Washing machine")
    await customer.taps("Won't drain")
    await customer.taps("❌ Still broken")
    await customer.says("Testville")
    await customer.taps("One Bench")
    await customer.taps(customer.buttons()[1])
    await customer.taps("09:00")
    await customer.shares_contact("+79001112233")


async def book(customer: Person) -> str:
    await up_to_confirmation(customer)
    await customer.taps("Confirm")
    booked = next(t for t in customer.texts() if "Booked!" in t)
    code = re.search(r"SR-[0-9A-Z]{6}", booked)
    assert code is not None
    return code.group(0)


async def received(network: BotRunner, customer: Person) -> str:
    """A booking the workshop has taken in, so it can be estimated and moved along."""
    code = await book(customer)
    await network.person(MECHANIC, "Mike").command("/setstatus", f"{code} received")
    return code


# Staff commands


async def test_a_replayed_quote_sends_no_second_estimate_and_answers_as_before(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/quote", f"{code} 1500 new pump")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "1500.00 RUB" in first[-1]["text"]
    assert count_rows(network, "SELECT id FROM estimates") == 1
    assert count(anna, "Repair estimate") == 1


async def test_a_replayed_walk_in_makes_no_second_ticket_and_gives_the_same_link(
    network: BotRunner,
) -> None:
    mechanic = network.person(MECHANIC, "Mike")

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/walkin", "washer drum does not spin")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "start=" in first[0]["text"] and first[-1]["photo"]
    assert count_rows(network, "SELECT id FROM tickets") == 1
    assert count_rows(network, "SELECT token FROM claim_links") == 1


async def test_a_replayed_eta_sends_no_second_notice(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/eta", f"{code} 2026-11-30")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "30.11.2026" in first[-1]["text"]
    assert count(anna, "2026-11-30") == 1
    assert count_rows(network, "SELECT id FROM ticket_events WHERE kind = 'eta'") == 1


async def test_a_replayed_setstatus_tells_the_customer_once_and_answers_as_before(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/setstatus", f"{code} diagnosing")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "being diagnosed" in first[-1]["text"]
    assert count(anna, "being diagnosed") == 1


async def test_a_replayed_status_button_tells_the_customer_once_and_answers_as_before(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    job = await mechanic.command("/job", code)

    first = await mechanic.taps("→ received by the workshop")
    card = network.api.message(MECHANIC, job[-1]["message_id"])
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "received by the workshop" in first[-1]["text"]
    assert count(anna, "received by the workshop") == 1
    assert network.api.message(MECHANIC, job[-1]["message_id"]) == card


# The customer's booking


async def test_a_replayed_booking_confirmation_answers_with_the_booking_it_made(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    await up_to_confirmation(anna)
    first = await anna.taps("Confirm")
    summary = anna.user.messages()[-2]

    await crash_and_replay(network)

    assert shown(anna.new_messages()) == shown(first) == ["One Bench"]
    assert "Booked!" in network.api.message(anna.id, summary["message_id"])["text"]
    assert not any("went wrong" in text for text in anna.texts())
    assert count_rows(network, "SELECT id FROM tickets") == 1
    assert count(mechanic, "New booking") == 1


async def test_a_replayed_confirmation_from_an_unsaved_conversation_books_nothing_more(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    await up_to_confirmation(anna)
    before_confirm = snapshot(network)
    first = await anna.taps("Confirm")

    await crash_and_replay(network, before_confirm)

    assert shown(anna.new_messages()) == shown(first)
    assert not any("went wrong" in text for text in anna.texts())
    assert count_rows(network, "SELECT id FROM tickets") == 1
    assert count(mechanic, "New booking") == 1
    assert snapshot(network)["conversations"] == [], "the conversation is over"


async def test_a_replayed_cancel_cancels_once_and_answers_as_before(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await book(anna)
    await anna.command("/mybookings")
    await anna.taps(f"Cancel {code}")
    await anna.taps("Yes, cancel it")
    answer = anna.screen["text"]

    await crash_and_replay(network)

    assert anna.screen["text"] == answer and "cancelled" in answer
    assert anna.new_messages() == []
    assert not any("went wrong" in text for text in anna.texts())
    assert count(mechanic, "cancelled by the customer") == 1


async def test_a_replayed_estimate_approval_tells_the_workshop_once(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    await mechanic.command("/quote", f"{code} 1500")
    await anna.taps("Approve")
    answer = anna.screen["text"]

    await crash_and_replay(network)

    assert anna.screen["text"] == answer and "approved 1500.00 RUB" in answer
    assert anna.new_messages() == []
    assert anna.toasts()[-1] != "This button is no longer active."
    assert count(mechanic, "approved") == 1
