"""What customers read: their ticket's story in their own language, and notices that say what
happens next."""

from __future__ import annotations

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
MECHANIC = 7001
IVAN = 1002
CODE = re.compile(r"SR-[0-9A-Z]{6}")
LATIN_WORD = re.compile(r"[A-Za-z_]{2,}")
WORKSHOP_WORDS = {"One", "Bench", "Street", "Testville"}
"""The test workshop's name and address, which its data file gives in English only."""


@pytest.fixture
async def shop(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
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


async def book(customer: Person, russian: bool = False) -> str:
    """A washer that won't drain, brought in tomorrow at 09:00; returns the ticket code."""
    labels = (
        ("Стиральная машина", "Не сливает воду", "❌ Не помогло", "Завтра", "Пропустить")
        if russian
        else ("Washing machine", "Won't drain", "❌ Still broken", "Tomorrow", "Skip")
    )
    category, fault, still_broken, tomorrow, skip = labels
    await customer.command("/repair")
    await customer.taps(category)
    await customer.taps(fault)
    await customer.taps(still_broken)
    await customer.finishes_description()
    await customer.says("Testville")
    await customer.taps("One Bench")
    await customer.taps(tomorrow)
    await customer.taps("09:00")
    summary = (await customer.taps_reply(skip))[-1]
    await customer.taps(customer.buttons(summary["message_id"])[0], summary["message_id"])
    booked = customer.runner.api.message(customer.id, summary["message_id"])
    found = CODE.search(booked["text"]) if booked else None
    assert found is not None, booked
    return found.group(0)


async def test_a_russian_customer_reads_their_tickets_story_in_russian_sentences(
    shop: BotRunner,
) -> None:
    ivan = shop.person(IVAN, "Иван", language_code="ru")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(ivan, russian=True)
    await mechanic.command("/setstatus", f"{code} received")
    await mechanic.command("/quote", f"{code} 12500 замена насоса")
    await mechanic.taps("Send")
    await ivan.taps("Одобрить")
    await mechanic.command("/eta", f"{code} 2026-11-30")
    await mechanic.command("/setstatus", f"{code} diagnosing")
    await mechanic.command("/setstatus", f"{code} ready")

    ready = ivan.texts()[-1]
    assert ready.startswith(f"🔔 Заявка {code}\nУстройство готово!")
    assert "К оплате: 12\u00a0500\u00a0₽ по одобренной вами смете." in ready
    assert "работаем сегодня 09:00-11:00" in ready

    status = (await ivan.command("/status", code))[-1]["text"]
    card, _, history = status.partition("История\n")
    assert "Готовность: понедельник, 30 ноября" in card
    assert history.splitlines() == [
        "Чт, 26 нояб., 09:00 · Вы записались в мастерскую One Bench.",
        "Чт, 26 нояб., 09:00 · Мастерская One Bench приняла ваше устройство.",
        "Чт, 26 нояб., 09:00 · Смета 12\u00a0500\u00a0₽: замена насоса, вы её одобрили.",
        "Чт, 26 нояб., 09:00 · Ожидаемая дата готовности — понедельник, 30 ноября.",
        "Чт, 26 нояб., 09:00 · Устройство на диагностике; мастерская сообщит, что нужно для"
        " ремонта.",
        "Чт, 26 нояб., 09:00 · Устройство готово! 🎉",
    ]
    for message in (status, *ivan.texts()[-6:]):
        words = set(LATIN_WORD.findall(CODE.sub("", message))) - WORKSHOP_WORDS
        assert not words, f"English or internal words {words} in {message!r}"
    assert str(IVAN) not in status and str(MECHANIC) not in status


async def test_a_ticket_cancelled_by_the_workshop_gives_the_reason_and_a_way_to_book_again(
    shop: BotRunner,
) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)

    await mechanic.command("/setstatus", f"{code} cancelled The pump model is discontinued")
    await mechanic.taps("Yes, cancel it")
    notice = anna.user.messages()[-1]
    assert notice["text"] == (
        f"🔔 Ticket {code}\nThe workshop has cancelled the ticket. Reason: The pump model is"
        " discontinued\nYou can book a new drop-off at any time with the button below."
    )
    assert anna.buttons(notice["message_id"]) == ["🔁 Book again", "💬 Ask a question"]

    await anna.taps("🔁 Book again", notice["message_id"])
    assert anna.texts()[-1] == "What needs repair? Choose the kind of product:"
    kept = shop.api.message(anna.id, notice["message_id"])
    assert kept is not None and kept["text"] == notice["text"], "the notice still reads as sent"

    await anna.taps("Washing machine")
    assert "Won't drain" in anna.buttons(), "a new report goes on as usual"


async def test_a_missed_drop_off_offers_to_book_again_in_the_customers_language(
    shop: BotRunner,
) -> None:
    ivan = shop.person(IVAN, "Иван", language_code="ru")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(ivan, russian=True)

    await mechanic.command("/setstatus", f"{code} no_show")
    await mechanic.taps("Yes, it was missed")
    notice = ivan.user.messages()[-1]
    assert notice["text"] == (
        f"🔔 Заявка {code}\nЗапись не состоялась: устройство не принесли в назначенное время.\n"
        "Записаться снова можно в любой момент кнопкой ниже."
    )
    assert ivan.buttons(notice["message_id"]) == ["🔁 Записаться снова", "💬 Задать вопрос"]
    await ivan.taps("🔁 Записаться снова", notice["message_id"])
    assert ivan.texts()[-1] == "Что нужно отремонтировать? Выберите тип изделия:"


async def test_staff_read_people_by_name_in_a_tickets_history(shop: BotRunner) -> None:
    anna = shop.person(1001, "Anna")
    mechanic = shop.person(MECHANIC, "Mike")
    code = await book(anna)
    await mechanic.command("/setstatus", f"{code} received")
    await mechanic.command("/quote", f"{code} 12500 new pump")
    await mechanic.taps("Send")
    await anna.taps("Approve")
    await mechanic.command("/eta", f"{code} 2026-11-30")

    card = (await mechanic.command("/job", code))[-1]["text"]
    history = card.partition("History\n")[2].splitlines()
    assert history == [
        "Thu 26 Nov, 09:00 · Anna (customer) · booked",
        "Thu 26 Nov, 09:00 · Mike (workshop) · booked → received by the workshop",
        "Thu 26 Nov, 09:00 · Mike (workshop) · estimate: RUB\u00a012,500: new pump",
        "Thu 26 Nov, 09:00 · Anna (customer) · estimate approved: RUB\u00a012,500",
        "Thu 26 Nov, 09:00 · Mike (workshop) · expected ready: Monday, 30 November",
    ]
