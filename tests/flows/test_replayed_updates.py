"""A crash after the handler committed but before the update was recorded as handled leaves
it unhandled in the inbox: handled again at the next start, it creates nothing new and answers
as the first time did.

The crash is played with real parts: the bot stops, the update's row in the inbox is marked
unhandled again (the mark had not been written yet), and the fake Telegram offers the very
same update (id and payload) once more, as it would had the acknowledgement not gone out.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.database import inbox_of, opened, rows_of

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001
MOSCOW = ZoneInfo("Europe/Moscow")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time in Moscow in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=MOSCOW)


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


async def snapshot(runner: BotRunner) -> Tables:
    """Where every conversation stands, as saved now."""
    return {
        table: await rows_of(runner.settings, f"SELECT * FROM {table}")
        for table in CONVERSATION_TABLES
    }


async def crash_and_replay(runner: BotRunner, saved: Tables | None = None) -> None:
    """The bot dies after handling the latest update but before recording it as handled.

    `saved`: the conversations as they were before that update, for a crash that also came
    before its new conversation state was written.
    """
    update_id = runner.last_update_id
    await runner.stop()
    async with inbox_of(runner.settings) as inbox:
        await inbox.execute("UPDATE inbox SET handled_at = NULL WHERE update_id = ?", (update_id,))
    async with opened(runner.settings) as db, db.transaction() as tx:
        for table, rows in (saved or {}).items():
            await tx.execute(f"DELETE FROM {table}")
            for row in rows:
                await tx.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    runner.api.redeliver(update_id)
    await runner.start()
    await runner.settle()


async def count_rows(runner: BotRunner, sql: str, *params: object) -> int:
    [(found,)] = await rows_of(runner.settings, f"SELECT COUNT(*) FROM ({sql}) AS found", params)
    return int(found)


def shown(messages: list[JSONDict]) -> list[str]:
    """What a person sees of each message: its text, caption or place."""
    return [
        message.get("text") or message.get("caption") or message["venue"]["title"]
        for message in messages
    ]


def count(person: Person, fragment: str) -> int:
    return sum(fragment in text for text in person.texts())


def went_wrong(person: Person) -> bool:
    return any("went wrong" in text for text in person.texts())


async def at(runner: BotRunner, clock: FakeClock, moment: datetime) -> None:
    clock.set(moment)
    await runner.tick()


async def up_to_confirmation(customer: Person) -> None:
    """A fault report up to the summary with its Confirm button, tomorrow at 09:00."""
    await customer.reaches_workshops()
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

    await mechanic.command("/quote", f"{code} 1500 new pump")
    send = mechanic.screen["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    await mechanic.taps("Send")
    sent = mechanic.screen
    await crash_and_replay(network)

    assert mechanic.screen == sent and "RUB\u00a01,500" in sent["text"]
    assert mechanic.toasts()[-1] != "This button is no longer active."
    assert await count_rows(network, "SELECT id FROM estimates") == 1
    assert count(anna, "Repair estimate") == 1
    await mechanic.taps_data(sent["message_id"], send)  # pressed again, not handled again
    assert mechanic.toasts()[-1] == "This button is no longer active."
    assert await count_rows(network, "SELECT id FROM estimates") == 1


async def test_a_replayed_warranty_confirmation_tells_the_customer_once(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/warranty", f"{code} yes receipt")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert count(anna, "covered by warranty") == 1
    assert await count_rows(network, "SELECT id FROM ticket_events WHERE kind = 'warranty'") == 1


async def test_a_replayed_free_warranty_estimate_tells_the_customer_once(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    await mechanic.command("/warranty", f"{code} yes")

    await mechanic.command("/quote", f"{code} 1500")
    await mechanic.taps("Send")
    sent = mechanic.screen
    await crash_and_replay(network)

    assert mechanic.screen == sent and "covered by warranty" in sent["text"]
    assert count(anna, "Repair estimate") == 1
    assert await count_rows(network, "SELECT id FROM estimates") == 0, "nothing priced"


async def test_a_replayed_cause_press_records_the_cause_once(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)
    await mechanic.command("/setstatus", f"{code} diagnosing")
    await mechanic.command("/setstatus", f"{code} ready")

    await mechanic.taps("Misuse")
    recorded = mechanic.screen
    await crash_and_replay(network)

    assert mechanic.screen == recorded and "cause recorded — misuse" in recorded["text"]
    assert await count_rows(network, "SELECT id FROM ticket_events WHERE kind = 'cause'") == 1


async def test_a_replayed_walk_in_makes_no_second_ticket_and_gives_the_same_link(
    network: BotRunner,
) -> None:
    mechanic = network.person(MECHANIC, "Mike")

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/walkin", "washer drum does not spin")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "start=" in first[0]["text"] and first[-1]["photo"]
    assert await count_rows(network, "SELECT id FROM tickets") == 1
    assert await count_rows(network, "SELECT token FROM claim_links") == 1


async def test_replayed_parts_commands_move_parts_once_and_answer_as_before(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    olga = network.person(HEAD_OFFICE, "Olga")
    code = await received(network, anna)
    await mechanic.command("/setstatus", f"{code} diagnosing")
    steps = (
        (mechanic, "/needpart", f"{code} WP-DRAIN-PUMP"),
        (olga, "/receive", "HQ WP-DRAIN-PUMP 2"),
        (olga, "/ship", "{request} eta 2026-12-03"),
        (mechanic, "/arrived", "{request}"),
        (mechanic, "/use", f"{code} WP-DRAIN-PUMP"),
    )
    request = ""
    for person, command, args in steps:
        person.new_messages()  # what came before
        first = await person.command(command, args.format(request=request))
        await crash_and_replay(network)
        assert shown(person.new_messages()) == shown(first), command
        request = request or re.search(r"PR-[0-9A-Z]{6}", first[-1]["text"]).group(0)

    ledger = await rows_of(
        network.settings, "SELECT reason, quantity FROM part_movements ORDER BY id"
    )
    assert ledger == [("receive", 2), ("ship", 1), ("arrive", 1), ("reserve", 1), ("use", 1)]
    assert await count_rows(network, "SELECT id FROM part_requests") == 1
    for notice in ("waits for a part", "is on its way", "has arrived"):
        assert count(anna, notice) == 1, notice


async def test_a_replayed_eta_sends_no_second_notice(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    code = await received(network, anna)

    mechanic.new_messages()  # what came before
    first = await mechanic.command("/eta", f"{code} 2026-11-30")
    await crash_and_replay(network)

    assert shown(mechanic.new_messages()) == shown(first)
    assert "Monday, 30 November" in first[-1]["text"]
    assert count(anna, "Monday, 30 November") == 1
    assert await count_rows(network, "SELECT id FROM ticket_events WHERE kind = 'eta'") == 1


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
    assert count(anna, "has received your device") == 1
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
    assert await count_rows(network, "SELECT id FROM tickets") == 1
    assert count(mechanic, "New booking") == 1


async def test_a_replayed_confirmation_from_an_unsaved_conversation_books_nothing_more(
    network: BotRunner,
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    await up_to_confirmation(anna)
    before_confirm = await snapshot(network)
    first = await anna.taps("Confirm")

    await crash_and_replay(network, before_confirm)

    assert shown(anna.new_messages()) == shown(first)
    assert not any("went wrong" in text for text in anna.texts())
    assert await count_rows(network, "SELECT id FROM tickets") == 1
    assert count(mechanic, "New booking") == 1
    assert (await snapshot(network))["conversations"] == [], "the conversation is over"


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
    await mechanic.taps("Send")
    await anna.taps("Approve")
    answer = anna.screen["text"]

    await crash_and_replay(network)

    assert anna.screen["text"] == answer and "approved RUB\u00a01,500" in answer
    assert anna.new_messages() == []
    assert anna.toasts()[-1] != "This button is no longer active."
    assert count(mechanic, "approved") == 1


async def test_a_replayed_category_pick_opens_no_second_fault_report(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    await anna.command("/repair")
    before_pick = await snapshot(network)
    await anna.taps("Washing machine")
    question = anna.screen["text"]

    await crash_and_replay(network, before_pick)

    assert anna.screen["text"] == question
    assert anna.new_messages() == []
    assert not went_wrong(anna)
    assert await count_rows(network, "SELECT id FROM cases") == 1


async def test_a_replayed_reschedule_moves_once_and_keeps_the_new_reminders(
    network: BotRunner, clock: FakeClock
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    await book(anna)
    await at(network, clock, local(26, 18, 0))
    await anna.taps("🔁 Reschedule")
    await anna.taps("Sat 28 Nov")
    await anna.taps("10:00")
    answer = anna.screen["text"]

    await crash_and_replay(network)

    assert anna.screen["text"] == answer and "moved to Sat 28 Nov, 10:00" in answer
    assert not went_wrong(anna)
    assert count(mechanic, "moved by the customer") == 1
    await at(network, clock, local(27, 18, 0))
    assert count(anna, "Reminder: tomorrow at 10:00") == 1, "the moved reminders still come"


async def test_a_replayed_i_will_come_is_noted_once(network: BotRunner, clock: FakeClock) -> None:
    anna = network.person(1001, "Anna")
    await book(anna)
    await at(network, clock, local(26, 18, 0))
    await anna.taps("✅ I'll be there")

    await crash_and_replay(network)

    assert not went_wrong(anna)
    will_come = "SELECT id FROM ticket_events WHERE kind = 'will_come'"
    assert await count_rows(network, will_come) == 1


async def test_a_replayed_rating_and_comment_are_recorded_and_passed_on_once(
    network: BotRunner, clock: FakeClock
) -> None:
    anna = network.person(1001, "Anna")
    mechanic = network.person(MECHANIC, "Mike")
    office = network.person(HEAD_OFFICE, "Olga")
    code = await received(network, anna)
    for status in ("diagnosing", "ready", "picked_up"):
        await mechanic.command("/setstatus", f"{code} {status}")
    await at(network, clock, clock.now() + timedelta(hours=2))
    await anna.taps("2")
    thanks = anna.screen

    await crash_and_replay(network)

    assert anna.screen["text"] == thanks["text"] and "Thank you for rating 2" in thanks["text"]
    assert not went_wrong(anna)
    assert count(office, "Low rating 2") == 1

    first = await anna.user_reply(thanks["message_id"], "The drum still squeaks")
    await crash_and_replay(network)

    assert shown(anna.new_messages()) == shown(first)
    assert count(office, "The drum still squeaks") == 1
    assert await count_rows(network, "SELECT id FROM ticket_events WHERE kind = 'comment'") == 1


async def test_a_replayed_claim_link_answers_with_the_ticket_it_claimed(
    network: BotRunner,
) -> None:
    mechanic = network.person(MECHANIC, "Mike")
    mechanic.new_messages()  # what came before
    created = await mechanic.command("/walkin", "washer drum does not spin")
    link = re.search(r"start=(\S+)", created[0]["text"])
    assert link is not None
    walter = network.person(1500, "Walter")

    first = await walter.command("/start", link.group(1))
    await crash_and_replay(network)

    assert shown(walter.new_messages()) == shown(first)
    assert "already been used" not in first[-1]["text"]
    assert await count_rows(network, "SELECT id FROM ticket_events WHERE kind = 'claimed'") == 1


async def test_a_replayed_walk_in_description_is_added_to_the_ticket_once(
    network: BotRunner,
) -> None:
    mechanic = network.person(MECHANIC, "Mike")
    mechanic.new_messages()  # what came before
    created = await mechanic.command("/walkin", "washer drum")
    link = re.search(r"start=(\S+)", created[0]["text"])
    assert link is not None
    walter = network.person(1500, "Walter")
    await walter.command("/start", link.group(1))
    await walter.says("Siemens iQ500")
    await walter.sends("photo")
    before = await snapshot(network)

    first = await walter.taps("➡️ Continue")
    await crash_and_replay(network, before)

    assert "Thank you" in walter.screen["text"] and not first
    rows = "SELECT description FROM tickets WHERE description = 'drum\nSiemens iQ500'"
    assert await count_rows(network, rows) == 1, "the words are added once"
    assert await count_rows(network, "SELECT * FROM ticket_attachments") == 1
    described = "SELECT id FROM ticket_events WHERE kind = 'described'"
    assert await count_rows(network, described) == 1


# Head office


async def test_a_replayed_addstaff_answers_as_before(network: BotRunner) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    await network.person(7002, "Nina").command("/start")
    office.new_messages()  # what came before

    first = await office.command("/addstaff", "7002 TEST-ONE")
    await crash_and_replay(network)

    assert shown(office.new_messages()) == shown(first)
    assert "Nina (7002) is now staff of TEST-ONE" in first[-1]["text"]


async def test_a_replayed_broadcast_writes_one_draft_and_sends_it_once(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await anna.command("/start")
    office.new_messages()  # what came before

    preview = await office.command("/broadcast", "Closed on Monday")
    await crash_and_replay(network)

    assert shown(office.new_messages()) == shown(preview)
    assert await count_rows(network, "SELECT id FROM broadcasts") == 1

    await office.taps("Confirm", preview[-1]["message_id"])
    await network.finish_broadcasts()
    report = network.api.message(HEAD_OFFICE, preview[-1]["message_id"])
    await crash_and_replay(network)
    await network.finish_broadcasts()

    assert network.api.message(HEAD_OFFICE, preview[-1]["message_id"]) == report
    assert not went_wrong(office)
    assert count(anna, "Closed on Monday") == 1


async def test_a_replayed_second_language_answers_as_before_and_sends_each_text_once(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna", language_code="en")
    boris = network.person(1002, "Boris", language_code="ru")
    for customer in (anna, boris):
        await customer.command("/start")
    await office.command("/broadcast", "Closed on Monday")
    office.new_messages()  # what came before

    first = await office.says("В понедельник закрыто")
    await crash_and_replay(network)

    assert shown(office.new_messages()) == shown(first)
    assert "Russian text\nВ понедельник закрыто" in first[-1]["text"]
    await office.taps("Confirm", first[-1]["message_id"])
    await network.finish_broadcasts()
    assert count(anna, "Closed on Monday") == 1 and count(anna, "В понедельник") == 0
    assert count(boris, "В понедельник закрыто") == 1 and count(boris, "Closed") == 0


async def test_a_replayed_broadcast_cancel_answers_as_before(network: BotRunner) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    preview = await office.command("/broadcast_at", "2026-11-27 12:00 Sale on Friday")
    await office.taps("Confirm", preview[-1]["message_id"])
    office.new_messages()  # what came before

    first = await office.command("/broadcast_cancel", "1")
    await crash_and_replay(network)

    assert shown(office.new_messages()) == shown(first)
    assert "cancelled" in first[-1]["text"]
