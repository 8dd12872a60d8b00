"""Parts and stock as workshops and head office use them: a part reserved from the shelf, a
part ordered from head office until it is in the device, the customer told along the way, the
morning digest's shortages, and every bad input refused with nothing changed."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.flows.test_notifications import book
from tests.flows.test_running_process import bot_environment, start_and_wait
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.day_shop import HEAD_OFFICE, MECHANIC

TWO_WORKSHOPS = Path(__file__).parent / "data" / "two_workshops.yaml"
MOSCOW = ZoneInfo("Europe/Moscow")
PUMP = "WP-DRAIN-PUMP"
RUB_2500 = "RUB\u00a02,500"


def code_in(message: str, prefix: str = "SR") -> str:
    found = re.search(rf"{prefix}-[0-9A-Z]{{6}}", message)
    assert found is not None, message
    return found.group(0)


async def walk_in(mechanic: Person) -> str:
    replies = await mechanic.command("/walkin", "washer leaks")
    return code_in(next(r["text"] for r in replies if "Walk-in ticket" in r.get("text", "")))


async def card_of(person: Person, code: str) -> str:
    """The ticket's card, however many messages it takes."""
    return "\n".join(reply.get("text", "") for reply in await person.command("/job", code))


async def requested(mechanic: Person, code: str, sku: str = PUMP) -> str:
    replies = await mechanic.command("/needpart", f"{code} {sku}")
    assert "sent to head office" in replies[-1]["text"], replies[-1]["text"]
    return code_in(replies[-1]["text"], "PR")


async def test_a_part_on_the_workshops_shelf_is_reserved_for_the_ticket_and_used_on_it(
    shop: BotRunner,
) -> None:
    mike = shop.person(MECHANIC, "Mike")
    code = await walk_in(mike)

    received = await mike.command("/receive", f"{PUMP} 2")
    assert received[-1]["text"] == (
        f"📥 2 × {PUMP} Drain pump received at DAY-ONE; 2 free there now."
    )
    reserved = await mike.command("/needpart", f"{code} wp-drain-pump")
    assert reserved[-1]["text"] == (
        f"🔩 1 × {PUMP} Drain pump reserved for {code} from your stock."
    )
    stock = await mike.command("/stock", "pump")
    assert f"{PUMP} Drain pump: 2 · 1 · 0" in stock[-1]["text"]

    used = await mike.command("/use", f"{code} {PUMP}")
    assert used[-1]["text"] == f"🔧 1 × {PUMP} Drain pump used on {code}: {RUB_2500}."
    shown = await card_of(mike, code)
    assert f"Used: 1 × {PUMP} Drain pump, {RUB_2500} each, {RUB_2500}" in shown
    assert f"Parts used, in all: {RUB_2500}" in shown
    assert "Reserved:" not in shown, "the reservation went into the device"
    assert f"{PUMP} Drain pump: 1 · 0 · 0" in (await mike.command("/stock"))[-1]["text"]


async def test_a_part_ordered_from_head_office_is_shipped_arrives_and_is_used_while_the_customer_hears_each_step(  # noqa: E501
    shop: BotRunner,
) -> None:
    anna = shop.person(1001, "Anna")
    mike = shop.person(MECHANIC, "Mike")
    olga = shop.person(HEAD_OFFICE, "Olga")
    code = await book(anna)
    await mike.command("/setstatus", f"{code} received")
    await mike.command("/setstatus", f"{code} diagnosing")

    request = await requested(mike, code)
    assert "the repair waits for a part, Drain pump" in anna.texts()[-1]
    assert olga.texts()[-1] == (
        f"📨 New parts request {request} from Day Bench: 1 × {PUMP} Drain pump for {code}."
        " /requests lists what is waiting."
    )
    shown = await card_of(mike, code)
    assert "waiting for parts" in shown
    assert f"Request {request}: 1 × {PUMP}, waiting for head office" in shown

    listed = await olga.command("/requests")
    line = rf"{request} · DAY-ONE · {code} · 1 × {PUMP} Drain pump · waiting 0 min"
    assert re.search(line, listed[-1]["text"])
    assert olga.buttons() == [f"📦 Ship {request}"]

    refused = await olga.command("/ship", f"{request} eta 2026-12-03")
    assert "HQ has too few WP-DRAIN-PUMP Drain pump" in refused[-1]["text"]
    assert "Nothing was shipped" in refused[-1]["text"]
    assert request in (await olga.command("/requests"))[-1]["text"], "still open"

    await olga.command("/receive", f"HQ {PUMP} 5")
    shipped = await olga.command("/ship", f"{request} eta 2026-12-03")
    assert shipped[-1]["text"] == (
        f"📦 Request {request} shipped: 1 × {PUMP} to Day Bench for {code}, expected "
        "Thursday, 3 December. The workshop is told."
    )
    assert f"Head office shipped {request}" in mike.texts()[-1]
    assert (
        "the part (Drain pump) is on its way to the workshop; your device is expected to be"
        " ready on Thursday, 3 December" in anna.texts()[-1]
    )
    assert "No open parts requests." in (await olga.command("/requests"))[-1]["text"]
    hq = (await olga.command("/stock", PUMP))[-1]["text"]
    assert "HQ: 4 · 0 · 0" in hq and "On the way from HQ: 1" in hq

    arrived = await mike.command("/arrived", request.lower())
    assert arrived[-1]["text"] == (
        f"✅ 1 × {PUMP} Drain pump arrived and are reserved for {code}. The customer is told."
    )
    assert "the part (Drain pump) has arrived, and the repair goes on" in anna.texts()[-1]
    again = await mike.command("/arrived", request)
    assert again[-1]["text"] == f"Request {request} has arrived already; nothing changed."
    assert f"{PUMP} Drain pump: 1 · 1 · 0" in (await mike.command("/stock"))[-1]["text"]

    await mike.command("/use", f"{code} {PUMP}")
    shown = await card_of(mike, code)
    assert "being repaired" in shown
    assert f"Used: 1 × {PUMP} Drain pump, {RUB_2500} each" in shown
    status = (await anna.command("/status", code))[-1]["text"]
    assert "Thursday, 3 December" in status
    assert PUMP not in status, "the customer reads parts by name, not by SKU"
    news = [t for t in anna.texts() if t.startswith(("🔩", "🚚", "✅ Ticket"))]
    assert len(news) == 3, "awaited, on its way, arrived: each once"


async def test_two_staff_taking_the_last_pump_at_once_leave_exactly_one_in_a_device(
    shop: BotRunner,
) -> None:
    mike = shop.person(MECHANIC, "Mike")
    nina = shop.person(7002, "Nina")
    await nina.command("/start")
    await shop.person(HEAD_OFFICE, "Olga").command("/addstaff", "7002 DAY-ONE")
    first, second = await walk_in(mike), await walk_in(mike)
    await mike.command("/receive", f"{PUMP} 1")

    answers = await asyncio.gather(
        mike.command("/use", f"{first} {PUMP}"), nina.command("/use", f"{second} {PUMP}")
    )

    texts = sorted(replies[-1]["text"] for replies in answers)
    assert texts[0].startswith("Not enough WP-DRAIN-PUMP Drain pump at DAY-ONE: 0 free")
    assert texts[1].startswith(f"🔧 1 × {PUMP} Drain pump used on")
    assert f"{PUMP} Drain pump: 0 · 0 · 0" in (await mike.command("/stock", "pump"))[-1]["text"]


async def test_the_morning_digest_names_parts_below_their_minimum_and_requests_waiting_too_long(
    shop: BotRunner, clock: FakeClock
) -> None:
    mike = shop.person(MECHANIC, "Mike")
    olga = shop.person(HEAD_OFFICE, "Olga")
    set_min = await olga.command("/minstock", f"DAY-ONE {PUMP} 2")
    assert set_min[-1]["text"] == f"Minimum of {PUMP} Drain pump at DAY-ONE: 2."
    await olga.command("/minstock", f"hq {PUMP} 10")
    await mike.command("/receive", f"{PUMP} 1")
    code = await walk_in(mike)
    await mike.command("/receive", "WP-DOOR-LOCK 1")
    request = await requested(mike, code, "PH-SCREEN")

    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=MOSCOW))
    await shop.tick()

    office = olga.texts()[-1]
    assert "Parts below their minimum" in office
    assert f"HQ: {PUMP} Drain pump, 0 of 10" in office
    assert f"DAY-ONE: {PUMP} Drain pump, 1 of 2" in office
    assert "Parts requests waiting more than 3 days: 1" in office
    assert f"{request} · DAY-ONE · {code} · PH-SCREEN · waiting for head office, 4 d 0 h" in office
    workshop = mike.texts()[-1]
    assert f"DAY-ONE: {PUMP} Drain pump, 1 of 2" in workshop
    assert "HQ:" not in workshop, "staff read their own workshop's shortages"
    assert request in workshop


@pytest.fixture
async def two(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    """Two workshops: Mike at TEST-ONE, Petr at TEST-TWO."""
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": TWO_WORKSHOPS}
        ),
        clock,
    )
    await runner.start()
    olga = runner.person(HEAD_OFFICE, "Olga")
    for user_id, name, workshop in ((MECHANIC, "Mike", "TEST-ONE"), (7003, "Petr", "TEST-TWO")):
        await runner.person(user_id, name).command("/start")
        await olga.command("/addstaff", f"{user_id} {workshop}")
    yield runner
    await runner.stop()


async def test_bad_quantities_and_unknown_parts_are_refused_and_nothing_changes(
    two: BotRunner,
) -> None:
    mike = two.person(MECHANIC, "Mike")
    code = await walk_in(mike)
    for typed in ("0", "-1", "1001", "99999999999999999999", "two", "1.5"):
        for command, args in (
            ("/receive", f"{PUMP} {typed}"),
            ("/needpart", f"{code} {PUMP} {typed}"),
            ("/use", f"{code} {PUMP} {typed}"),
        ):
            replies = await mike.command(command, args)
            assert replies[-1]["text"] == "The quantity must be a whole number from 1 to 1000.", (
                command,
                typed,
            )
    unknown = await mike.command("/receive", "NO-SUCH-PART 1")
    assert unknown[-1]["text"].startswith("There is no part “NO-SUCH-PART”.")
    unknown = await mike.command("/needpart", f"{code} NO-SUCH-PART")
    assert unknown[-1]["text"].startswith("There is no part “NO-SUCH-PART”.")
    no_request = await mike.command("/arrived", "PR-ZZZZZZ")
    assert no_request[-1]["text"] == "There is no parts request “PR-ZZZZZZ”."
    olga = two.person(HEAD_OFFICE, "Olga")
    bad_min = await olga.command("/minstock", f"HQ {PUMP} -3")
    assert bad_min[-1]["text"] == "The minimum must be a whole number from 0 to 1000."
    nowhere = await olga.command("/receive", f"MARS {PUMP} 3")
    assert nowhere[-1]["text"].startswith("There is no location “MARS”")
    assert (await mike.command("/stock"))[-1]["text"] == (
        "No parts at TEST-ONE yet. /receive records a delivery."
    )
    assert "Parts" not in await card_of(mike, code)


async def test_a_request_is_not_shipped_with_a_bad_date_nor_arrives_before_it_is_shipped(
    two: BotRunner,
) -> None:
    mike = two.person(MECHANIC, "Mike")
    olga = two.person(HEAD_OFFICE, "Olga")
    request = await requested(mike, await walk_in(mike))
    await olga.command("/receive", f"HQ {PUMP} 1")

    early = await mike.command("/arrived", request)
    assert early[-1]["text"] == f"Request {request} has not been shipped yet; nothing changed."
    for typed in ("eta 2026-11-25", "eta 2026-13-01", "eta 20261201", "eta", "soon"):
        refused = await olga.command("/ship", f"{request} {typed}")
        assert refused[-1]["text"].startswith("The date must be today or later"), typed
    hq = (await olga.command("/stock", PUMP))[-1]["text"]
    assert "HQ: 1 · 0 · 0" in hq and "On the way" not in hq
    await olga.command("/ship", f"{request} 2026-11-28")
    again = await olga.command("/ship", request)
    assert again[-1]["text"] == f"Request {request} was shipped already; nothing changed."


async def test_staff_cannot_touch_another_workshops_tickets_requests_or_stock(
    two: BotRunner,
) -> None:
    mike = two.person(MECHANIC, "Mike")
    petr = two.person(7003, "Petr")
    olga = two.person(HEAD_OFFICE, "Olga")
    theirs = await walk_in(petr)
    request = await requested(petr, theirs)
    await olga.command("/receive", f"HQ {PUMP} 3")
    await olga.command("/ship", request)

    for command, args in (("/needpart", f"{theirs} {PUMP}"), ("/use", f"{theirs} {PUMP}")):
        replies = await mike.command(command, args)
        assert replies[-1]["text"] == f"No ticket {theirs} among the tickets you can see.", command
    arrived = await mike.command("/arrived", request)
    assert arrived[-1]["text"] == f"There is no parts request “{request}”."
    elsewhere = await mike.command("/receive", f"TEST-TWO {PUMP} 5")
    assert elsewhere[-1]["text"] == "You move parts only at your own workshop, TEST-ONE."
    shipping = await mike.command("/ship", request)
    assert shipping[-1]["text"] == "Sorry, this command is not available to you."

    done = await petr.command("/arrived", request)
    assert "arrived and are reserved" in done[-1]["text"]
    assert "Drain pump: 1 · 1 · 0" in (await petr.command("/stock"))[-1]["text"]


async def test_the_bot_refuses_to_start_with_a_malformed_parts_file_naming_the_entry_and_field(
    tmp_path: Path, api: FakeBotApi
) -> None:
    broken = tmp_path / "parts.yaml"
    broken.write_text(
        "parts:\n"
        "  - {sku: WP-DRAIN-PUMP, name: Drain pump, categories: [toaster], price: 2500.00}\n",
        encoding="utf-8",
    )
    environment = bot_environment(tmp_path, api, PARTS_FILE=str(broken))
    status, output = await start_and_wait(tmp_path, environment)

    assert status == 2
    message = output.strip().splitlines()[-1]
    assert str(broken) in message
    assert "parts entry 'WP-DRAIN-PUMP': field 'categories.0'" in message
    assert "'toaster' is not a category" in message


async def test_stats_show_how_long_parts_take_and_which_are_asked_for_most(
    shop: BotRunner, clock: FakeClock
) -> None:
    mike = shop.person(MECHANIC, "Mike")
    olga = shop.person(HEAD_OFFICE, "Olga")
    await olga.command("/receive", f"HQ {PUMP} 3")
    pumps = [await requested(mike, await walk_in(mike)) for _ in range(2)]
    screen = await requested(mike, await walk_in(mike), "PH-SCREEN")

    await olga.command("/requests")
    await olga.taps(f"📦 Ship {pumps[0]}")
    assert f"📦 Request {pumps[0]} shipped: 1 × {PUMP} to Day Bench" in olga.texts()[-1]
    assert olga.buttons() == [f"📦 Ship {pumps[1]}", f"📦 Ship {screen}"], "the list stays"
    await olga.command("/ship", pumps[1])
    clock.advance(days=2)
    await mike.command("/arrived", pumps[0])
    clock.advance(days=2)
    await mike.command("/arrived", pumps[1])

    report = "\n".join(reply.get("text", "") for reply in await olga.command("/stats"))
    assert "Median time from request to arrival: 3.0 days" in report
    assert f"Most requested: {PUMP} 2, PH-SCREEN 1" in report


async def test_stats_count_the_parts_that_went_into_warranty_repairs_as_warranty_cost(
    shop: BotRunner,
) -> None:
    mike = shop.person(MECHANIC, "Mike")
    olga = shop.person(HEAD_OFFICE, "Olga")
    covered, paid = await walk_in(mike), await walk_in(mike)
    await mike.command("/warranty", f"{covered} yes receipt seen")
    await mike.command("/receive", f"{PUMP} 3")

    await mike.command("/use", f"{covered} {PUMP} 2")
    await mike.command("/use", f"{paid} {PUMP}")

    report = "\n".join(reply.get("text", "") for reply in await olga.command("/stats"))
    assert "Parts used: RUB\u00a07,500; under warranty: RUB\u00a05,000 (67%)" in report


async def test_parts_reserved_for_a_cancelled_ticket_go_back_on_the_shelf(shop: BotRunner) -> None:
    mike = shop.person(MECHANIC, "Mike")
    code, other = await walk_in(mike), await walk_in(mike)
    await mike.command("/receive", f"{PUMP} 1")
    await mike.command("/needpart", f"{code} {PUMP}")

    await mike.command("/setstatus", f"{code} cancelled no parts after all")
    await mike.taps("Yes, cancel it")

    assert f"{PUMP} Drain pump: 1 · 0 · 0" in (await mike.command("/stock"))[-1]["text"]
    used = await mike.command("/use", f"{other} {PUMP}")
    assert used[-1]["text"].startswith(f"🔧 1 × {PUMP} Drain pump used on {other}")
