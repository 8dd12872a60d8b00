"""Head office writes to many customers at once: preview, confirm, pace, report, resume."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict, RateLimit
from bot.fake_telegram.users import FakeUser
from bot.handlers.broadcasts import WORKERS
from bot.services import Services
from bot.storage.cases import Cases
from bot.storage.customers import Customers
from bot.storage.tickets import NewTicket, Tickets
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.database import full_disk

TWO_WORKSHOPS = Path(__file__).parent / "data" / "two_workshops.yaml"
HEAD_OFFICE = 9000
STAFF = 7001
REFUSAL = "Sorry, this command is not available to you."
STALE = "This button is no longer active."
BAD_WHEN = (
    "Give a local time in the future, at most a year ahead, as YYYY-MM-DD HH:MM, then the "
    "text. For example:\n/broadcast_at 2026-11-27 10:00 Our workshops are closed on Monday."
)
BROADCAST_TIMEOUT = 30.0
"""Seconds a broadcast of a few hundred may take at 29 messages a second, with room to spare."""


@pytest.fixture
async def network(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        api,
        settings.model_copy(
            update={
                "head_office_ids": frozenset({HEAD_OFFICE}),
                "workshops_file": TWO_WORKSHOPS,
            }
        ),
        clock,
    )
    await runner.start()
    yield runner
    await runner.stop()


# Helpers


def services_of(runner: BotRunner) -> Services:
    assert runner.app is not None
    services: Services = runner.app.bot_data["services"]
    return services


async def seed_customers(runner: BotRunner, user_ids: Iterable[int]) -> list[int]:
    """Customers who talked to the bot earlier: rows in the database, chats known to Telegram."""
    services = services_of(runner)
    ids = list(user_ids)
    async with services.db.transaction() as tx:
        customers = Customers(tx)
        for user_id in ids:
            await customers.remember(user_id, f"C{user_id}", None, None, "en", services.clock.now())
    for user_id in ids:
        FakeUser(runner.api, user_id, f"C{user_id}")
    return ids


def copies(api: FakeBotApi, chat_id: int, body: str) -> int:
    """Messages with exactly this text the bot has in a chat."""
    return sum(1 for message in api.sent_to(chat_id) if message.get("text") == body)


def deliveries(api: FakeBotApi, body: str) -> int:
    """Successful sends of this text, to anyone."""
    return sum(1 for call in api.calls_of("sendMessage") if call.ok and call.params["text"] == body)


def report_of(api: FakeBotApi, preview: JSONDict) -> str:
    """The preview message as it reads now: the broadcast edits it into its progress/report."""
    message = api.message(HEAD_OFFICE, preview["message_id"])
    assert message is not None
    return str(message.get("text", ""))


async def previewed(office: Person, command: str, args: str) -> JSONDict:
    answer = await office.command(command, args)
    assert answer, f"no answer to {command} {args}"
    return answer[-1]


async def finish(runner: BotRunner) -> None:
    async with asyncio.timeout(BROADCAST_TIMEOUT):
        await runner.finish_broadcasts()


def broadcast_id(preview: JSONDict) -> int:
    """The id in the preview's Confirm button (`bc:<id>:y`)."""
    buttons = preview["reply_markup"]["inline_keyboard"][0]
    match = re.fullmatch(r"bc:(\d+):y", buttons[0]["callback_data"])
    assert match, buttons
    return int(match.group(1))


# 1. Preview, cancel, confirm


async def test_head_office_previews_cancels_and_then_confirms_a_broadcast_to_every_customer(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = network.person(STAFF, "Mike")
    customers = [network.person(1001, "Anna"), network.person(1002, "Boris")]
    await office.command("/start")
    await mechanic.command("/start")
    await office.command("/addstaff", f"{STAFF} TEST-ONE")
    for customer in customers:
        await customer.command("/start")
    chatty = network.person(1003, "Clara")
    await chatty.says("hello?")  # any message makes a customer, not only /start
    customers.append(chatty)

    dropped_body = "Our workshops close early on Friday & Saturday"
    preview = await previewed(office, "/broadcast", dropped_body)
    assert "Broadcast preview" in preview["text"] and "to 3 customers" in preview["text"]
    assert dropped_body in preview["text"]
    assert office.buttons(preview["message_id"]) == ["Confirm", "Cancel"]
    await office.taps("Cancel", preview["message_id"])
    assert report_of(api, preview) == "Broadcast discarded; nothing was sent."
    await office.taps_data(preview["message_id"], f"bc:{broadcast_id(preview)}:y")
    assert office.toasts()[-1] == STALE, "a discarded broadcast cannot be confirmed later"
    await network.settle()
    assert deliveries(api, dropped_body) == 0

    body = "New: free diagnostics for washing machines & fridges until 31.12 <b>only</b>"
    preview = await previewed(office, "/broadcast", body)
    assert "to 3 customers" in preview["text"] and body in preview["text"]
    # The customers have just been greeted: a second message within a second is a flood.
    api.rate_limit = RateLimit(per_second=30, per_chat_per_second=1)
    await office.taps("Confirm", preview["message_id"])
    await finish(network)

    for customer in customers:
        assert copies(api, customer.id, body) == 1, customer.id
    assert copies(api, HEAD_OFFICE, body) == 0, "head office is not a customer"
    assert copies(api, STAFF, body) == 0, "staff are not customers"
    assert deliveries(api, body) == 3
    assert api.too_many_requests == 0
    assert "finished: delivered 3, blocked 0, failed 0" in report_of(api, preview)

    await office.taps_data(preview["message_id"], f"bc:{broadcast_id(preview)}:y")
    assert office.toasts()[-1] == STALE, "a second tap on Confirm sends nothing"
    await finish(network)
    assert deliveries(api, body) == 3


# 2. Many recipients, blocked ones, Telegram's limits


async def test_a_broadcast_to_hundreds_keeps_telegrams_limits_and_remembers_who_blocked_the_bot(
    network: BotRunner, api: FakeBotApi
) -> None:
    recipients = await seed_customers(network, range(100_001, 100_301))
    blocked = recipients[::30]
    assert len(blocked) == 10
    for chat_id in blocked:
        api.block(chat_id)
    api.rate_limit = RateLimit(per_second=30, per_chat_per_second=1)
    office = network.person(HEAD_OFFICE, "Olga")

    body = "Winter check-up: 20% off every repair in December"
    preview = await previewed(office, "/broadcast", body)
    assert "to 300 customers" in preview["text"]
    await office.taps("Confirm", preview["message_id"])
    await finish(network)

    for chat_id in recipients:
        expected = 0 if chat_id in blocked else 1
        assert api.sent_count(chat_id) == expected, chat_id
        assert copies(api, chat_id, body) == expected, chat_id
    assert "finished: delivered 290, blocked 10, failed 0" in report_of(api, preview)
    tally = await services_of(network).broadcasts.tally(broadcast_id(preview))
    assert (tally.sent, tally.blocked, tally.failed, tally.pending) == (290, 10, 0, 0)
    assert api.too_many_requests == 0, "\n".join(c.summary() for c in api.rate_limited())
    assert api.max_rate(1.0) <= 30

    second = await previewed(office, "/broadcast", "One more thing")
    assert "to 290 customers" in second["text"], "those who blocked the bot are skipped"
    await office.taps("Cancel", second["message_id"])


# 3. Replies stay fast


async def test_customer_replies_stay_fast_while_a_broadcast_is_running(
    network: BotRunner, api: FakeBotApi
) -> None:
    await seed_customers(network, range(200_001, 200_201))
    # Telegram's overall limit; in a private chat it lets an answer follow a message at once.
    api.rate_limit = RateLimit(per_second=30, per_chat_per_second=10)
    office = network.person(HEAD_OFFICE, "Olga")
    body = "Our new workshop in Kazan is open"
    preview = await previewed(office, "/broadcast", body)
    await office.taps("Confirm", preview["message_id"])
    await api.wait_for(lambda: deliveries(api, body) >= 30, timeout=10)

    async def answered(user: FakeUser) -> float:
        """Seconds from /start to the greeting, with the broadcast going on meanwhile."""
        started = time.monotonic()
        update_id = user.send_command("/start")
        await api.wait_for(
            lambda: any(user.first_name in m.get("text", "") for m in user.messages()),
            timeout=3,
        )
        network.last_update_id = max(network.last_update_id, update_id)
        return time.monotonic() - started

    newcomer = FakeUser(api, 5555, "Nina")
    waited_newcomer = await answered(newcomer)
    tally = await services_of(network).broadcasts.tally(broadcast_id(preview))
    assert tally.pending > 0, "the reply did not wait for the broadcast to end"
    assert waited_newcomer < 0.5, f"the newcomer's reply took {waited_newcomer:.2f} s"

    # Someone who got the broadcast a moment ago: a paced send would wait a second for them.
    last = next(c for c in reversed(api.calls_of("sendMessage")) if c.params["text"] == body)
    reader = FakeUser(api, int(last.params["chat_id"]), f"C{last.params['chat_id']}")
    waited_reader = await answered(reader)
    assert (await services_of(network).broadcasts.tally(broadcast_id(preview))).pending > 0
    assert waited_reader < 0.5, f"the reply to a fresh recipient took {waited_reader:.2f} s"

    await finish(network)
    assert deliveries(api, body) == 200
    assert api.too_many_requests == 0
    assert api.max_rate(1.0) <= 30


async def test_customers_writing_in_the_same_second_as_a_broadcast_all_get_answers(
    network: BotRunner, api: FakeBotApi
) -> None:
    """Replies never wait, so the broadcast must leave them room within Telegram's 30/s."""
    await seed_customers(network, range(210_001, 210_061))
    api.rate_limit = RateLimit(per_second=30, per_chat_per_second=1)
    office = network.person(HEAD_OFFICE, "Olga")
    body = "Our workshops are open on Sunday"
    preview = await previewed(office, "/broadcast", body)
    await office.taps("Confirm", preview["message_id"])
    await api.wait_for(lambda: deliveries(api, body) >= 27, timeout=10)

    writers = [FakeUser(api, 6000 + i, f"Writer{i}") for i in range(3)]
    for writer in writers:
        network.last_update_id = writer.send_command("/start")
        await asyncio.sleep(0.1)  # three people, a tenth of a second apart
    await network.settle()
    await finish(network)

    unanswered = [
        w.first_name for w in writers if not any("Hello" in m["text"] for m in w.messages())
    ]
    assert unanswered == [], "\n".join(call.summary() for call in api.rate_limited())
    assert api.too_many_requests == 0
    assert deliveries(api, body) == 60


# 4. Stop and resume


async def test_a_broadcast_stopped_midway_resumes_after_a_restart_without_second_copies(
    network: BotRunner, api: FakeBotApi
) -> None:
    recipients = await seed_customers(network, range(300_001, 300_151))
    office = network.person(HEAD_OFFICE, "Olga")
    body = "Reminder: bring your receipt when you pick up a repair"
    preview = await previewed(office, "/broadcast", body)
    await office.taps("Confirm", preview["message_id"])
    await api.wait_for(lambda: deliveries(api, body) >= 20, timeout=10)

    await network.stop()
    interrupted = deliveries(api, body)
    assert interrupted < len(recipients), "the broadcast was stopped before its end"
    await network.start()
    await finish(network)

    for chat_id in recipients:
        assert copies(api, chat_id, body) == 1, chat_id
    assert deliveries(api, body) == 150
    assert "finished: delivered 150, blocked 0, failed 0" in report_of(api, preview)


async def test_a_restart_in_the_middle_of_a_broadcast_does_not_flood_telegram(
    network: BotRunner, api: FakeBotApi
) -> None:
    """Telegram counts the bot's messages across restarts; the new process's pacer must too."""
    await seed_customers(network, range(310_001, 310_091))
    api.rate_limit = RateLimit(per_second=30, per_chat_per_second=1)
    office = network.person(HEAD_OFFICE, "Olga")
    body = "Sent at full pace through a restart"
    preview = await previewed(office, "/broadcast", body)
    await office.taps("Confirm", preview["message_id"])
    await api.wait_for(lambda: deliveries(api, body) >= 40, timeout=10)

    await network.restart()
    await finish(network)

    assert deliveries(api, body) == 90
    assert api.too_many_requests == 0, "\n".join(c.summary() for c in api.rate_limited())
    assert api.max_rate(1.0) <= 30


async def test_cancelling_a_running_broadcast_stops_the_sending(
    network: BotRunner, api: FakeBotApi
) -> None:
    await seed_customers(network, range(320_001, 320_151))
    office = network.person(HEAD_OFFICE, "Olga")
    body = "Head office pressed send too early"
    preview = await previewed(office, "/broadcast", body)
    await office.taps("Confirm", preview["message_id"])
    number = broadcast_id(preview)
    await api.wait_for(lambda: deliveries(api, body) >= 20, timeout=10)

    answer = await previewed(office, "/broadcast_cancel", str(number))
    at_cancel = deliveries(api, body)
    assert answer["text"].startswith(f"✖️ Broadcast #{number} cancelled")
    await api.wait_for(lambda: "cancelled" in report_of(api, preview), timeout=15)

    sent = deliveries(api, body)
    tally = await services_of(network).broadcasts.tally(number)
    assert sent <= at_cancel + WORKERS, (
        f"{sent - at_cancel} more messages went out after the cancel was confirmed"
    )
    assert tally.sent == sent, f"the tally says {tally.sent} delivered, Telegram got {sent}"


# 5. Segments


async def test_broadcasts_reach_a_workshops_or_a_categorys_customers_only(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    people = {
        name: network.person(user_id, name)
        for user_id, name in [
            (1001, "Recent"),  # washer ticket at TEST-ONE 10 days ago
            (1002, "Old"),  # washer ticket at TEST-ONE 100 days ago
            (1003, "Other"),  # washer ticket at TEST-TWO
            (1004, "Report"),  # a washer fault report, no ticket
            (1005, "Phone"),  # a phone fault report
            (1006, "Quiet"),  # nothing but /start
        ]
    }
    for person in people.values():
        await person.command("/start")
    db = services_of(network).db
    now = clock.now()

    async def ticket(customer: str, workshop: str, days_ago: int) -> None:
        await Tickets(db).insert(
            NewTicket(
                code=f"SR-{people[customer].id}",
                customer_id=people[customer].id,
                workshop_code=workshop,
                category="washer",
                slot_start=None,
                status="booked",
                phone=None,
                case_id=None,
                description=None,
            ),
            now - timedelta(days=days_ago),
        )

    await ticket("Recent", "TEST-ONE", 10)
    await ticket("Old", "TEST-ONE", 100)
    await ticket("Other", "TEST-TWO", 1)
    await Cases(db).open(people["Report"].id, "washer", now - timedelta(days=3))
    await Cases(db).open(people["Phone"].id, "phone", now - timedelta(days=3))

    def reached(body: str) -> set[str]:
        return {name for name, person in people.items() if copies(api, person.id, body)}

    workshop_body = "TEST-ONE moves to Bench Street 3 next week"
    preview = await previewed(office, "/broadcast_workshop", f"test-one {workshop_body}")
    assert "to 1 customers" in preview["text"]
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert reached(workshop_body) == {"Recent"}

    category_body = "Tip: clean the drain filter of your washing machine monthly"
    preview = await previewed(office, "/broadcast_category", f"washer {category_body}")
    assert "to 4 customers" in preview["text"]
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert reached(category_body) == {"Recent", "Old", "Other", "Report"}

    unknown = await previewed(office, "/broadcast_workshop", "NOPE-1 hello")
    assert "Unknown workshop “NOPE-1”" in unknown["text"] and "TEST-TWO" in unknown["text"]
    unknown = await previewed(office, "/broadcast_category", "toaster hello")
    assert "Unknown category “toaster”" in unknown["text"] and "washer" in unknown["text"]
    for command, args, usage in [
        ("/broadcast", "", "Usage: /broadcast <text>"),
        ("/broadcast_workshop", "TEST-ONE", "Usage: /broadcast_workshop <WORKSHOP_CODE> <text>"),
        ("/broadcast_workshop", "", "Usage: /broadcast_workshop <WORKSHOP_CODE> <text>"),
        ("/broadcast_category", "washer", "Usage: /broadcast_category <category> <text>"),
    ]:
        answer = await previewed(office, command, args)
        assert answer["text"] == usage, (command, args)
        assert "reply_markup" not in answer


# 6. Scheduled broadcasts


async def test_a_scheduled_broadcast_goes_out_once_at_its_local_time_and_another_is_cancelled(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    customers = [network.person(1001, "Anna"), network.person(1002, "Boris")]
    for customer in customers:
        await customer.command("/start")

    noon = "Lunch offer: express repairs today from 12:00"
    preview = await previewed(office, "/broadcast_at", f"2026-11-26 12:00 {noon}")
    assert "to 2 customers, on 26.11.2026 12:00" in preview["text"]
    await office.taps("Confirm", preview["message_id"])
    noon_id = broadcast_id(preview)
    assert report_of(api, preview) == (
        f"🗓 Broadcast #{noon_id} is scheduled for 26.11.2026 12:00. "
        f"/broadcast_cancel {noon_id} stops it."
    )
    later = "Evening offer that head office changed its mind about"
    second = await previewed(office, "/broadcast_at", f"2026-11-26 18:30 {later}")
    await office.taps("Confirm", second["message_id"])
    later_id = broadcast_id(second)

    clock.set(datetime(2026, 11, 26, 8, 59, tzinfo=UTC))  # 11:59 in Moscow
    await network.tick()
    await finish(network)
    assert deliveries(api, noon) == 0, "nothing before its time"

    listing = await previewed(office, "/broadcasts", "")
    assert f"#{noon_id} · scheduled · all · 26.11 12:00 · delivered 0/0" in listing["text"]
    assert f"#{later_id} · scheduled · all · 26.11 18:30" in listing["text"]

    cancelled = await previewed(office, "/broadcast_cancel", str(later_id))
    assert cancelled["text"] == f"✖️ Broadcast #{later_id} cancelled: delivered 0 before it stopped."

    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # 12:00 in Moscow
    await network.tick()
    await finish(network)
    clock.advance(minutes=5)
    await network.tick()
    await finish(network)
    for customer in customers:
        assert copies(api, customer.id, noon) == 1, customer.id
    assert "finished: delivered 2, blocked 0, failed 0" in report_of(api, preview)

    clock.set(datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # 19:00 in Moscow
    await network.tick()
    await finish(network)
    assert deliveries(api, later) == 0, "a cancelled broadcast never goes out"

    listing = await previewed(office, "/broadcasts", "")
    done = f"#{noon_id} · done · all · 26.11 12:00 · delivered 2/2, blocked 0, failed 0"
    assert done in listing["text"]
    assert f"#{later_id} · cancelled" in listing["text"]
    gone = await previewed(office, "/broadcast_cancel", str(noon_id))
    assert gone["text"] == f"No scheduled or running broadcast #{noon_id}."

    for args in (
        "2026-11-26 18:00 Too late today",  # 18:00 Moscow is now in the past
        "tomorrow 10:00 Bad date",
        "2026-11-27 25:00 Bad hour",
        "2026-11-27 10:00",  # no text
        "",
    ):
        refused = await previewed(office, "/broadcast_at", args)
        assert refused["text"] == BAD_WHEN, args


# 7. Transient failures


async def test_recipients_behind_transient_errors_still_get_exactly_one_copy(
    network: BotRunner, api: FakeBotApi
) -> None:
    recipients = await seed_customers(network, range(400_001, 400_021))
    office = network.person(HEAD_OFFICE, "Olga")

    body = "Server hiccups do not stop our news"
    preview = await previewed(office, "/broadcast", body)
    api.fail_next("sendMessage", 500, "Internal Server Error", times=3)
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert sum(1 for call in api.calls_of("sendMessage") if call.error_code == 500) == 3
    for chat_id in recipients:
        assert copies(api, chat_id, body) == 1, chat_id
    assert "finished: delivered 20, blocked 0, failed 0" in report_of(api, preview)

    body = "Flaky networks do not stop our news either"
    preview = await previewed(office, "/broadcast", body)
    api.drop_next("sendMessage", times=2)
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert sum(1 for call in api.calls_of("sendMessage") if call.dropped) == 2
    for chat_id in recipients:
        assert copies(api, chat_id, body) == 1, chat_id
    assert "finished: delivered 20, blocked 0, failed 0" in report_of(api, preview)


async def test_a_recipient_failing_three_times_is_reported_as_failed(
    network: BotRunner, api: FakeBotApi
) -> None:
    [lonely] = await seed_customers(network, [500_001])
    office = network.person(HEAD_OFFICE, "Olga")

    body = "Third time lucky"
    preview = await previewed(office, "/broadcast", body)
    api.fail_next("sendMessage", 500, "Internal Server Error", times=2)
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert copies(api, lonely, body) == 1
    assert "finished: delivered 1, blocked 0, failed 0" in report_of(api, preview)

    body = "Never arrives"
    preview = await previewed(office, "/broadcast", body)
    api.fail_next("sendMessage", 500, "Internal Server Error", times=4)
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert copies(api, lonely, body) == 0
    assert "finished: delivered 0, blocked 0, failed 1" in report_of(api, preview)
    attempts = [c for c in api.calls_of("sendMessage") if c.params.get("text") == body]
    assert len(attempts) == 3, "three attempts, then it gives up"


async def test_a_broadcast_on_a_full_disk_pauses_and_resumes_without_second_copies(
    network: BotRunner, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    recipients = await seed_customers(network, range(600_001, 600_011))
    office = network.person(HEAD_OFFICE, "Olga")
    body = "News while the disk is full"
    async with full_disk(services_of(network).db, "broadcast_deliveries"):
        preview = await previewed(office, "/broadcast", body)
        await office.taps("Confirm", preview["message_id"])
        await finish(network)
        for _ in range(3):
            await network.tick()
        sent_before = deliveries(api, body)
        assert 1 <= sent_before <= WORKERS, "sending pauses at the first mark the disk refuses"
        alerts = [r for r in caplog.records if r.levelname == "ERROR" and "ALERT" in r.message]
        assert len(alerts) == sent_before, "one alert per recipient sent but not recorded"

    await network.tick()
    await finish(network)
    for chat_id in recipients:
        assert copies(api, chat_id, body) == 1, chat_id
    assert "finished: delivered 10, blocked 0, failed 0" in report_of(api, preview)


async def test_a_long_broadcast_is_sent_as_previewed_or_clearly_refused_never_an_error(
    network: BotRunner, api: FakeBotApi
) -> None:
    """Texts Telegram accepts from a person (up to 4096 characters) may be typed as a body."""
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await anna.command("/start")
    problems = []
    for words in (156, 157):  # 4055 and 4081 characters
        body = ("Our winter opening hours. " * words).strip()
        answers = await office.command("/broadcast", body)  # a long preview may come in parts
        last = answers[-1]
        if any("something went wrong" in m["text"] for m in answers):
            problems.append(f"{len(body)} characters: {api.calls_of('sendMessage')[-2].summary()}")
        elif office.buttons(last["message_id"]):
            await office.taps("Confirm", last["message_id"])
            await finish(network)
            received = [m["text"] for m in api.sent_to(anna.id)][-1]
            if received != body:
                problems.append(f"{len(body)} characters previewed, {len(received)} delivered")
        elif "long" not in last["text"]:
            problems.append(f"{len(body)} characters: unclear answer {last['text']!r}")
    assert not problems, "\n".join(problems)


async def test_a_broadcast_of_emoji_is_previewed_whole_or_refused_as_too_long_never_an_error(
    network: BotRunner, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram counts most emoji as two: 2,100 are over its 4096, 2,040 fit a message."""
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await anna.command("/start")

    refused = await office.command("/broadcast", "😀" * 2100)
    assert [m["text"] for m in refused] == [
        "The text is too long: 4200 of 4096 characters (Telegram counts most emoji as two)."
        " Shorten it and send the command again."
    ]

    body = "😀" * 2040
    answers = await office.command("/broadcast", body)
    assert not any("something went wrong" in m["text"] for m in answers)
    assert body in [m["text"] for m in answers], "the preview shows the whole body in one piece"
    preview = answers[-1]
    assert broadcast_id(preview) == 1, "the refused text left no draft behind"
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert copies(api, anna.id, body) == 1
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_broadcast_of_less_than_signs_is_previewed_with_its_body_in_one_message(
    network: BotRunner, api: FakeBotApi
) -> None:
    """Escaped to `&lt;` for the HTML preview, each still counts one for Telegram."""
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await anna.command("/start")
    body = "<" * 4085  # with "/broadcast " the longest message a person can send

    answers = await office.command("/broadcast", body)

    assert [m["text"] for m in answers] == [
        "📣 Broadcast preview to 1 customers (English: 1, Russian: 0):\n\n🇬🇧 English text",
        body,
        "⚠️ There is no Russian text: every customer gets the English one. Send the Russian "
        "text as your next message to add it, or confirm as it is.",
    ]
    await office.taps("Confirm", answers[-1]["message_id"])
    await finish(network)
    assert copies(api, anna.id, body) == 1


# 8. Rights


async def test_only_head_office_may_broadcast_and_forged_buttons_send_nothing(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = network.person(STAFF, "Mike")
    anna = network.person(1001, "Anna")
    await mechanic.command("/start")
    await office.command("/addstaff", f"{STAFF} TEST-ONE")
    greeting = (await anna.command("/start"))[-1]

    for person in (anna, mechanic):
        for command, args in [
            ("/broadcast", "Free repairs for everyone!"),
            ("/broadcast_workshop", "TEST-ONE Free repairs!"),
            ("/broadcast_category", "washer Free repairs!"),
            ("/broadcast_at", "2026-11-27 10:00 Free repairs!"),
            ("/broadcasts", ""),
            ("/broadcast_cancel", "1"),
        ]:
            refused = await person.command(command, args)
            assert [m["text"] for m in refused] == [REFUSAL], (person.id, command)

    body = "A draft head office has not confirmed"
    preview = await previewed(office, "/broadcast", body)
    draft = broadcast_id(preview)
    await anna.taps_data(greeting["message_id"], f"bc:{draft}:y")
    assert anna.toasts()[-1] in (REFUSAL, STALE)
    mechanic_greeting = mechanic.user.messages()[0]
    await mechanic.taps_data(mechanic_greeting["message_id"], f"bc:{draft}:y")
    assert mechanic.toasts()[-1] in (REFUSAL, STALE)
    await network.settle()
    await finish(network)
    assert deliveries(api, body) == 0
    assert "Broadcast preview" in report_of(api, preview), "the draft is untouched"

    await office.taps_data(preview["message_id"], "bc:999:y")
    assert office.toasts()[-1] == STALE
    await office.taps("Cancel", preview["message_id"])
    assert report_of(api, preview) == "Broadcast discarded; nothing was sent."
    assert deliveries(api, body) == 0


async def test_a_broadcast_confirmed_at_night_waits_for_the_morning(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    anna = network.person(1001, "Anna")
    await anna.command("/start")
    clock.set(datetime(2026, 11, 26, 19, 30, tzinfo=UTC))  # 22:30 in Moscow

    preview = await previewed(office, "/broadcast", "Holiday hours next week")
    await office.taps("Confirm", preview["message_id"])
    assert "scheduled for 27.11.2026 09:00" in report_of(api, preview)
    await network.tick()
    assert copies(api, anna.id, "Holiday hours next week") == 0

    clock.set(datetime(2026, 11, 27, 6, 0, tzinfo=UTC))  # 09:00 in Moscow
    await network.tick()
    await finish(network)
    assert copies(api, anna.id, "Holiday hours next week") == 1


# 9. Two languages

ENGLISH = "Our workshops close early on Friday"
RUSSIAN = "В пятницу мастерские закрываются раньше"
NO_RUSSIAN = (
    "⚠️ There is no Russian text: every customer gets the English one. Send the Russian text "
    "as your next message to add it, or confirm as it is."
)


async def readers(network: BotRunner) -> tuple[Person, Person, Person]:
    """An English reader, a Russian one, and one who chose Russian in an English app."""
    anna = network.person(1001, "Anna", language_code="en")
    boris = network.person(1002, "Boris", language_code="ru")
    clara = network.person(1003, "Clara", language_code="en")
    for customer in (anna, boris, clara):
        await customer.command("/start")
    await clara.command("/language")
    await clara.taps("Русский")
    return anna, boris, clara


async def test_a_bilingual_broadcast_reaches_each_customer_in_their_language(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    anna, boris, clara = await readers(network)
    office = network.person(HEAD_OFFICE, "Olga")

    preview = await previewed(office, "/broadcast", f"{ENGLISH}\n---\n{RUSSIAN}")
    assert preview["text"] == (
        "📣 Broadcast preview to 3 customers (English: 1, Russian: 2):\n\n"
        f"🇬🇧 English text\n{ENGLISH}\n\n🇷🇺 Russian text\n{RUSSIAN}"
    )
    await office.taps("Confirm", preview["message_id"])
    await finish(network)
    assert (copies(api, anna.id, ENGLISH), copies(api, anna.id, RUSSIAN)) == (1, 0)
    for russian in (boris, clara):
        assert (copies(api, russian.id, RUSSIAN), copies(api, russian.id, ENGLISH)) == (1, 0)
    assert "finished: delivered 3" in report_of(api, preview)

    later_en, later_ru = "Lunch offer today", "Обеденное предложение сегодня"
    preview = await previewed(
        office, "/broadcast_at", f"2026-11-26 12:00 {later_ru}\n---\n{later_en}"
    )
    assert f"🇬🇧 English text\n{later_en}\n\n🇷🇺 Russian text\n{later_ru}" in preview["text"]
    await office.taps("Confirm", preview["message_id"])
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=UTC))  # 12:00 in Moscow
    await network.tick()
    await finish(network)
    assert copies(api, anna.id, later_en) == 1 and copies(api, clara.id, later_ru) == 1
    listing = await previewed(office, "/broadcasts", "")
    assert f"· {later_en}" in listing["text"], "head office reads its English text"


async def test_a_broadcast_in_one_language_asks_for_the_other_and_takes_the_next_message(
    network: BotRunner, api: FakeBotApi
) -> None:
    anna, boris, _ = await readers(network)
    office = network.person(HEAD_OFFICE, "Olga")

    first = await previewed(office, "/broadcast", ENGLISH)
    assert first["text"].endswith(f"🇬🇧 English text\n{ENGLISH}\n\n{NO_RUSSIAN}")
    refused = await office.says("😀" * 2100)
    assert [m["text"] for m in refused] == [
        "The Russian text is too long: 4200 of 4096 characters (Telegram counts most emoji as"
        " two). Shorten it and send it again."
    ]
    second = (await office.says(RUSSIAN))[-1]
    assert second["text"] == (
        "📣 Broadcast preview to 3 customers (English: 1, Russian: 2):\n\n"
        f"🇬🇧 English text\n{ENGLISH}\n\n🇷🇺 Russian text\n{RUSSIAN}"
    )
    assert broadcast_id(second) == broadcast_id(first), "the same draft, now in two languages"
    await office.taps("Confirm", second["message_id"])
    await finish(network)
    assert copies(api, anna.id, ENGLISH) == 1 and copies(api, boris.id, RUSSIAN) == 1
    assert deliveries(api, ENGLISH) + deliveries(api, RUSSIAN) == 3

    chatter = await office.says("Thanks, that went well")
    assert chatter[-1]["text"].startswith("I did not get that"), "nothing is asked for now"


async def test_a_broadcast_in_one_language_confirmed_as_it_is_goes_to_everyone(
    network: BotRunner, api: FakeBotApi
) -> None:
    anna, boris, clara = await readers(network)
    office = network.person(HEAD_OFFICE, "Olga")

    preview = await previewed(office, "/broadcast_category", f"washer {RUSSIAN}")
    assert preview["text"].endswith(
        "⚠️ There is no English text: every customer gets the Russian one. Send the English "
        "text as your next message to add it, or confirm as it is."
    )
    await previewed(office, "/broadcast", RUSSIAN)
    latest = await previewed(office, "/broadcast", RUSSIAN)
    await office.taps("Confirm", latest["message_id"])
    await finish(network)
    for customer in (anna, boris, clara):
        assert copies(api, customer.id, RUSSIAN) == 1, customer.id

    late = await office.says(ENGLISH)
    assert late[-1]["text"].startswith("I did not get that"), "a confirmed draft takes no text"
    assert deliveries(api, ENGLISH) == 0


async def test_bilingual_broadcasts_refuse_a_third_text_and_a_text_too_long_in_one_language(
    network: BotRunner, api: FakeBotApi
) -> None:
    anna, boris, clara = await readers(network)
    office = network.person(HEAD_OFFICE, "Olga")

    three = await office.command("/broadcast", f"{ENGLISH}\n---\n{RUSSIAN}\n---\nDrittens")
    assert [m["text"] for m in three] == [
        "Give the English text, a line ---, then the Russian text: one line --- at most."
    ]
    too_long = await office.command("/broadcast", f"{ENGLISH}\n---\n" + "Ж" * 4097)
    assert [m["text"] for m in too_long] == [
        "The Russian text is too long: 4097 of 4096 characters (Telegram counts most emoji as"
        " two). Shorten it and send it again."
    ]
    longest = "Ж" * 4096
    answers = await office.command("/broadcast", f"{ENGLISH}\n---\n{longest}")
    assert longest in [m["text"] for m in answers], "each text is previewed whole"
    assert office.buttons(answers[-1]["message_id"]) == ["Confirm", "Cancel"]
    await office.taps("Confirm", answers[-1]["message_id"])
    await finish(network)
    assert copies(api, anna.id, ENGLISH) == 1
    assert copies(api, boris.id, longest) == 1 and copies(api, clara.id, longest) == 1
