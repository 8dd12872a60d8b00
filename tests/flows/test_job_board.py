"""The job board staff and head office work from: /jobs in the order tickets have waited,
each ticket a button to its card, a status filter; /find by code, phone, name or words;
people by name in what staff read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.flows.test_admin_commands import (
    CODE,
    HEAD_OFFICE,
    MECHANIC,
    RIVAL,
    TWO_WORKSHOPS,
    answer,
    ask,
    book,
    buttons_of,
    hire,
    walk_in,
)
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

PAGING = ("◀️ Previous", "Next ▶️")
FILTERS = (
    "All open",
    "booked",
    "received by the workshop",
    "being diagnosed",
    "waiting for parts",
    "being repaired",
    "ready for pickup",
)


@pytest.fixture
async def network(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    """Two workshops in Testville; 9000 is head office by configuration."""
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": TWO_WORKSHOPS}
        ),
        clock,
    )
    await runner.start()
    yield runner
    await runner.stop()


def ticket_buttons(buttons: list[str]) -> list[str]:
    """The codes of the ticket buttons of a board, in their order."""
    return [CODE.match(b).group(0) for b in buttons if CODE.match(b)]  # type: ignore[union-attr]


def board_of(api: FakeBotApi, person: Person, message_id: int) -> tuple[str, list[str]]:
    message = api.message(person.id, message_id)
    assert message is not None
    return message["text"], person.buttons(message_id)


# ---------------------------------------------------------------------------------- /jobs


async def test_jobs_puts_the_ticket_waiting_longest_in_its_status_first(
    network: BotRunner, clock: FakeClock
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    first = await walk_in(mechanic, note="drum")
    clock.advance(hours=1)
    second = await walk_in(mechanic, note="pump")
    clock.advance(hours=1)
    await ask(mechanic, "/setstatus", f"{first} diagnosing")

    board = (await answer(mechanic, "/jobs"))[-1]

    assert CODE.findall(board["text"]) == [second, first], "the one just moved goes last"
    assert ticket_buttons(buttons_of(board)) == [second, first]
    assert "since 26.11 11:00" in board["text"] and "since 26.11 10:00" in board["text"]


async def test_a_ticket_on_the_board_opens_its_card_with_its_status_buttons(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    code = await walk_in(mechanic, note="drum rattles")
    board = (await answer(mechanic, "/jobs"))[-1]

    opened = await mechanic.taps(f"{code} · received by the workshop", board["message_id"])

    card = opened[-1]
    assert code in card["text"] and "drum rattles" in card["text"]
    assert mechanic.buttons(card["message_id"]) == ["→ being diagnosed", "→ cancelled"]
    assert board_of(api, mechanic, board["message_id"])[0] == board["text"], "the board stays"

    await mechanic.taps("→ being diagnosed", card["message_id"])
    assert "being diagnosed" in await ask(mechanic, "/job", code)

    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    assert await rival.taps_data(rival.screen["message_id"], f"jo:{code}") == []
    assert rival.toasts()[-1] == "This button is no longer active.", "not another workshop's"


async def test_status_buttons_filter_the_board_and_all_open_brings_everything_back(
    network: BotRunner, api: FakeBotApi
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    codes = [await walk_in(mechanic, note=f"job {n}") for n in range(3)]
    await ask(mechanic, "/setstatus", f"{codes[1]} diagnosing")
    board = (await answer(mechanic, "/jobs"))[-1]
    board_id = board["message_id"]
    assert [b for b in buttons_of(board) if not CODE.match(b)] == ["• All open", *FILTERS[1:]]

    await mechanic.taps("being diagnosed", board_id)

    text, buttons = board_of(api, mechanic, board_id)
    assert CODE.findall(text) == [codes[1]] and "being diagnosed" in text.splitlines()[0]
    assert ticket_buttons(buttons) == [codes[1]] and "• being diagnosed" in buttons

    await mechanic.taps("waiting for parts", board_id)
    text, buttons = board_of(api, mechanic, board_id)
    assert text == "No open tickets · One Bench · waiting for parts."
    assert "• waiting for parts" in buttons, "a way back from an empty filter"

    await mechanic.taps("All open", board_id)
    text, buttons = board_of(api, mechanic, board_id)
    assert sorted(CODE.findall(text)) == sorted(codes) and "• All open" in buttons


async def test_the_board_pages_within_a_filter(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    codes = []
    for number in range(12):
        codes.append(await walk_in(mechanic, note=f"job {number}"))
        clock.advance(minutes=1)
    board_id = (await answer(mechanic, "/jobs"))[-1]["message_id"]
    await mechanic.taps("received by the workshop", board_id)
    text, buttons = board_of(api, mechanic, board_id)
    assert "page 1 of 2" in text and ticket_buttons(buttons) == codes[:10]
    assert [b for b in buttons if b in PAGING] == ["Next ▶️"]

    await mechanic.taps("Next ▶️", board_id)

    text, buttons = board_of(api, mechanic, board_id)
    assert "page 2 of 2" in text and ticket_buttons(buttons) == codes[10:]
    assert "• received by the workshop" in buttons


# ---------------------------------------------------------------------------------- /find


async def test_find_by_code_as_staff_type_it_opens_the_card(network: BotRunner) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    code = await walk_in(mechanic, note="drum")
    await walk_in(mechanic, note="pump")

    found = (await answer(mechanic, "/find", code.removeprefix("SR-").lower()))[-1]

    assert CODE.findall(found["text"]) == [code]
    card = (await mechanic.taps(f"{code} · received by the workshop", found["message_id"]))[-1]
    assert code in card["text"] and mechanic.buttons(card["message_id"])[0] == "→ being diagnosed"


@pytest.mark.parametrize("typed", ["+7 900 111-22-33", "8 (900) 111-22-33", "89001112233"])
async def test_find_by_the_customers_phone_in_any_usual_format(
    network: BotRunner, typed: str
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    anna = network.person(1001, "Anna")
    code = await book(anna)
    await walk_in(mechanic, note="pump")

    found = await ask(mechanic, "/find", typed)

    assert CODE.findall(found) == [code]


async def test_find_by_the_customers_name_in_any_case_and_alphabet(network: BotRunner) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    anna = network.person(1001, "Анна")
    boris = network.person(1002, "Boris")
    annas = await book(anna, time="09:00")
    boris_code = await book(boris, time="10:00")

    assert CODE.findall(await ask(mechanic, "/find", "анна")) == [annas]
    assert CODE.findall(await ask(mechanic, "/find", "BORIS")) == [boris_code]


async def test_find_by_words_of_the_fault_description_needs_every_word(
    network: BotRunner,
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    squeaks = await walk_in(mechanic, note="Drum squeaks when spinning")
    leaks = await walk_in(mechanic, note="Drum leaks water")

    assert CODE.findall(await ask(mechanic, "/find", "squeaks drum")) == [squeaks]
    assert sorted(CODE.findall(await ask(mechanic, "/find", "drum"))) == sorted([squeaks, leaks])


async def test_staff_never_find_another_workshops_ticket_but_head_office_does(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    anna = network.person(1001, "Anna")
    booked = await book(anna)
    theirs = await walk_in(rival, note="drum squeaks")

    for typed in (booked, "89001112233", "Anna"):
        assert (await ask(rival, "/find", typed)).startswith("No ticket found"), typed
    assert (await ask(mechanic, "/find", "squeaks")).startswith("No ticket found")
    assert CODE.findall(await ask(office, "/find", "89001112233")) == [booked]
    assert CODE.findall(await ask(office, "/find", "squeaks")) == [theirs]


async def test_find_explains_itself_when_the_text_is_too_short_or_nothing_matches(
    network: BotRunner,
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    await walk_in(mechanic, note="drum")

    for typed in ("", "ab"):
        usage = await ask(mechanic, "/find", typed)
        assert usage.startswith("Usage: /find") and "e.g. /find 8 916 123-45-67" in usage

    nothing = await ask(mechanic, "/find", "toaster")
    assert nothing.startswith("No ticket found for “toaster”")


async def test_find_shows_at_most_ten_tickets_newest_first(
    network: BotRunner, clock: FakeClock
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    codes = []
    for number in range(12):
        codes.append(await walk_in(mechanic, note=f"drum {number}"))
        clock.advance(minutes=1)

    found = (await answer(mechanic, "/find", "drum"))[-1]

    assert ticket_buttons(buttons_of(found)) == codes[::-1][:10]


async def test_customers_cannot_use_find(network: BotRunner) -> None:
    anna = network.person(1001, "Anna")
    await anna.command("/start")
    assert await ask(anna, "/find", "drum") == "Sorry, this command is not available to you."


# ------------------------------------------------------------------------- people by name


async def test_staff_read_the_customer_by_name_in_the_estimate_answer_and_low_rating_alerts(
    network: BotRunner, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    anna = network.person(1001, "Anna")
    code = await book(anna)
    await ask(mechanic, "/setstatus", f"{code} received")
    await ask(mechanic, "/setstatus", f"{code} diagnosing")
    await ask(mechanic, "/quote", f"{code} 1500")
    await mechanic.taps("Send")
    for message in reversed(anna.user.messages()):
        if "Approve" in anna.buttons(message["message_id"]):
            await anna.taps("Approve", message["message_id"])
            break
    for status in ("repairing", "ready", "picked_up"):
        await ask(mechanic, "/setstatus", f"{code} {status}")
    clock.advance(hours=2)
    await network.tick()
    await anna.taps("2")

    assert any(
        code in t and "the customer, Anna, approved" in t for t in mechanic.texts()
    ), mechanic.texts()[-3:]
    alerts = [t for t in office.texts() if "Low rating 2" in t]
    assert len(alerts) == 1 and "from Anna" in alerts[0]


async def test_head_office_reads_staff_by_name_with_the_id_to_act_on(network: BotRunner) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    await hire(network, MECHANIC, "TEST-ONE", "Mike")

    moved = await ask(office, "/addstaff", "7001 TEST-TWO")
    assert moved == "Mike (7001) is now staff of TEST-TWO."
    assert "TEST-TWO: Mike (7001)" in (await ask(office, "/staff")).splitlines()
    assert await ask(office, "/removestaff", "7001") == "Mike (7001) is no longer staff."
    assert await ask(office, "/addadmin", "9100") == "9100 is now head office.", "no name known"
