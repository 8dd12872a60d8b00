"""Warranty and cause: the customer says when the product was bought, staff confirm the
warranty after seeing the receipt, a warranty repair's estimate is free, and the cause of
every finished repair is counted for head office."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

TWO_WORKSHOPS = Path(__file__).parent / "data" / "two_workshops.yaml"
HEAD_OFFICE = 9000
STALE = "This button is no longer active."


@pytest.fixture
async def network(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": TWO_WORKSHOPS}
        ),
        clock,
    )
    await runner.start()
    office = runner.person(HEAD_OFFICE, "Olga")
    for user_id, name, workshop in ((7001, "Mike", "TEST-ONE"), (7002, "Tom", "TEST-TWO")):
        await runner.person(user_id, name).command("/start")
        await office.command("/addstaff", f"{user_id} {workshop}")
    yield runner
    await runner.stop()


async def book(customer: Person, bought: str, workshop: str = "One Bench") -> str:
    """A washer that won't drain, bought `bought` ago, booked at `workshop`; its code."""
    russian = customer.user.language_code == "ru"
    await customer.command("/repair")
    await customer.taps("Стиральная машина" if russian else "Washing machine")
    await customer.taps("Не сливает воду" if russian else "Won't drain")
    await customer.taps("❌ Не помогло" if russian else "❌ Still broken")
    await customer.taps("Пропустить" if russian else "Skip")
    await customer.taps(bought)
    await customer.says("Testville")
    await customer.taps(workshop)
    await customer.taps(customer.buttons()[1])
    await customer.taps(customer.buttons()[0])
    await customer.shares_contact("+79001112233")
    await customer.taps("Подтвердить" if russian else "Confirm")
    booked = next(t for t in reversed(customer.texts()) if re.search(r"SR-[0-9A-Z]{6}", t))
    found = re.search(r"SR-[0-9A-Z]{6}", booked)
    assert found is not None
    return found.group(0)


async def card_of(staff: Person, code: str) -> str:
    staff.new_messages()
    return str((await staff.command("/job", code))[0]["text"])


async def test_a_warranty_ticket_goes_from_the_purchase_question_to_a_free_estimate(
    network: BotRunner,
) -> None:
    mike = network.person(7001, "Mike")
    anna = network.person(1001, "Anna")
    code = await book(anna, "Less than 6 months")
    assert "🧾 Bought: Less than 6 months" in anna.texts()

    card = await card_of(mike, code)
    assert "Warranty: likely · bought: Less than 6 months" in card, "washers: 24 months"

    anna.new_messages()
    confirmed = await mike.command("/warranty", f"{code} yes receipt of 12.03.2026")
    assert f"{code} is a warranty repair" in confirmed[-1]["text"]
    notice = anna.new_messages()[-1]["text"]
    assert f"Ticket {code}: the workshop confirmed that the repair is covered" in notice
    assert "receipt of 12.03.2026" in notice
    card = await card_of(mike, code)
    assert "Confirmed: under warranty, free of charge" in card
    assert "receipt of 12.03.2026" in card

    preview = await mike.command("/quote", f"{code} 4500 new drain pump")
    assert "covered by warranty, free of charge" in preview[-1]["text"]
    assert "4,500" not in preview[-1]["text"] and "4 500" not in preview[-1]["text"]
    sent = await mike.taps("Send")
    assert "covered by warranty" in mike.screen["text"], sent
    estimate = anna.new_messages()
    assert [m["text"].split("\n")[0] for m in estimate] == [
        f"💰 Repair estimate for ticket {code}: covered by warranty, free of charge. "
        "There is nothing to pay and nothing to approve."
    ]
    assert "Approve" not in str(estimate), "nothing to approve"
    assert "4500" not in str(estimate) and "4 500" not in str(estimate)
    assert "estimate: covered by warranty" in await card_of(mike, code)


async def test_a_russian_customer_hears_that_the_repair_is_not_under_warranty_and_why(
    network: BotRunner,
) -> None:
    mike = network.person(7001, "Mike")
    ivan = network.person(1002, "Иван", language_code="ru")
    code = await book(ivan, "Больше 2 лет")
    assert "Warranty: no · bought: More than 2 years" in await card_of(mike, code)

    ivan.new_messages()
    await mike.command("/warranty", f"{code} NO receipt from 2021")
    notice = ivan.new_messages()[-1]["text"]
    assert f"Заявка {code}: мастерская установила, что ремонт не гарантийный" in notice
    assert "receipt from 2021" in notice
    assert "Confirmed: not under warranty" in await card_of(mike, code)

    preview = await mike.command("/quote", f"{code} 4500")
    assert "covered by warranty" not in preview[-1]["text"]


async def test_dont_know_and_a_straddling_answer_leave_the_warranty_unknown(
    network: BotRunner,
) -> None:
    mike = network.person(7001, "Mike")
    anna = network.person(1003, "Anna")
    code = await book(anna, "Don't know")
    assert "Warranty: unknown · bought: Don't know" in await card_of(mike, code)


async def test_warranty_refuses_a_wrong_code_another_workshops_ticket_and_maybe(
    network: BotRunner,
) -> None:
    mike = network.person(7001, "Mike")
    tom = network.person(7002, "Tom")
    anna = network.person(1004, "Anna")
    code = await book(anna, "6-12 months")
    anna.new_messages()

    unknown = await mike.command("/warranty", "SR-000000 yes")
    assert unknown[-1]["text"] == "No ticket SR-000000 among the tickets you can see."
    foreign = await tom.command("/warranty", f"{code} yes")
    assert foreign[-1]["text"] == unknown[-1]["text"].replace("SR-000000", code)
    maybe = await mike.command("/warranty", f"{code} maybe")
    assert "“maybe” is neither yes nor no" in maybe[-1]["text"]
    bare = await mike.command("/warranty", code)
    assert "/warranty SR-XXXXXX yes|no [reason]" in bare[-1]["text"]

    assert anna.new_messages() == [], "the customer heard nothing"
    card = await card_of(mike, code)
    assert "Warranty: likely" in card and "Confirmed" not in card


async def test_a_forged_or_misplaced_purchase_answer_is_refused_and_the_question_stays(
    network: BotRunner,
) -> None:
    anna = network.person(1005, "Anna")
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("❌ Still broken")
    await anna.taps("Skip")
    question = anna.screen
    for data in ("buy:forever", "buy:", "buy:lt6m:1", "buy:LT6M"):
        await anna.taps_data(question["message_id"], data)
        assert anna.toasts()[-1] == STALE, data
        assert anna.screen == question, data

    await anna.taps("1-2 years")
    await anna.taps_data(question["message_id"], "buy:lt6m")
    assert anna.toasts()[-1] == STALE, "the question was answered already"
    assert "Share your location" in anna.screen["text"]


async def test_staff_record_the_cause_when_a_repair_is_ready_and_may_change_it_until_pickup(
    network: BotRunner,
) -> None:
    mike = network.person(7001, "Mike")
    tom = network.person(7002, "Tom")
    anna = network.person(1006, "Anna")
    code = await book(anna, "Less than 6 months")
    for status in ("received", "diagnosing", "repairing"):
        await mike.command("/setstatus", f"{code} {status}")

    ready = await mike.command("/setstatus", f"{code} ready")
    asked = ready[-1]
    assert f"What caused the fault of {code}?" in asked["text"]
    assert mike.buttons(asked["message_id"]) == [
        "Manufacturing defect",
        "Misuse",
        "Wear",
        "Accident",
        "Unknown",
    ]
    await mike.taps("Misuse", asked["message_id"])
    assert f"{code}: cause recorded — misuse." in mike.screen["text"]
    assert "• Misuse" in mike.buttons(asked["message_id"])
    await mike.taps("Wear", asked["message_id"])
    assert "Cause: wear" in await card_of(mike, code)

    await tom.taps_data(tom.user.messages()[-1]["message_id"], f"cause:{code}:defect")
    assert tom.toasts()[-1] == STALE, "another workshop's ticket"

    await mike.command("/setstatus", f"{code} picked_up")
    await mike.taps_data(asked["message_id"], f"cause:{code}:defect")
    assert mike.toasts()[-1] == STALE, "after pickup the cause stays"
    assert "Cause: wear" in await card_of(mike, code)
    await mike.taps_data(asked["message_id"], f"cause:{code}:sabotage")
    assert mike.toasts()[-1] == STALE


async def test_head_office_sees_the_share_of_warranty_repairs_and_of_misuse_in_stats(
    network: BotRunner,
) -> None:
    mike = network.person(7001, "Mike")
    office = network.person(HEAD_OFFICE, "Olga")
    codes = [
        await book(network.person(1007, "Anna"), "Less than 6 months"),
        await book(network.person(1008, "Boris"), "More than 2 years"),
    ]
    await mike.command("/warranty", f"{codes[0]} yes")
    for code, cause in zip(codes, ("Manufacturing defect", "Misuse"), strict=True):
        for status in ("received", "diagnosing", "ready"):
            await mike.command("/setstatus", f"{code} {status}")
        await mike.taps(cause)

    office.new_messages()
    report = "\n".join(m.get("text", "") for m in await office.command("/stats"))

    assert "Warranty and cause (repairs finished)" in report
    assert "Washing machine: finished 2 · warranty 50% (1 of 2) · misuse 50% (1 of 2)" in report
    assert "One Bench: finished 2 · warranty 50% (1 of 2) · misuse 50% (1 of 2)" in report


async def test_back_goes_from_the_place_to_the_purchase_question_and_on_to_the_description(
    network: BotRunner,
) -> None:
    anna = network.person(1009, "Anna")
    await anna.command("/repair")
    await anna.taps("Washing machine")
    await anna.taps("Won't drain")
    await anna.taps("❌ Still broken")
    await anna.says("Bosch WAT28")
    await anna.taps("➡️ Continue")
    await anna.taps("1-2 years")

    await anna.taps_reply("⬅️ Back")
    assert "When was it bought?" in anna.screen["text"]
    assert anna.reply_buttons() == []
    await anna.taps("⬅️ Back")
    assert "in your own words" in anna.screen["text"]
    assert anna.buttons()[0] == "➡️ Continue", "what was sent is kept"

    await anna.taps("➡️ Continue")
    where = await anna.taps("Don't know")
    assert "Share your location" in where[-1]["text"]
