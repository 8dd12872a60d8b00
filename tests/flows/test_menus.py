"""Telegram's command menu: each person sees their role's commands, in the language they chose."""

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
MECHANIC = 7001
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
CUSTOMER_MENU = ["start", "repair", "mybookings", "status", "ask", "language", "help", "cancel"]
BROADCASTS = {
    "broadcast",
    "broadcast_workshop",
    "broadcast_category",
    "broadcast_at",
    "broadcasts",
    "broadcast_cancel",
}


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
    yield runner
    await runner.stop()


def seen(api: FakeBotApi, person: Person, app_language: str) -> dict[str, str]:
    """The menu as this person's Telegram app shows it, set to `app_language`."""
    return {c["command"]: c["description"] for c in api.menu_of(person.id, app_language)}


def in_russian(menu: dict[str, str]) -> bool:
    return bool(menu) and all(CYRILLIC.search(d) for d in menu.values())


def in_english(menu: dict[str, str]) -> bool:
    return bool(menu) and not any(CYRILLIC.search(d) for d in menu.values())


async def choose(person: Person, language: str) -> None:
    await person.command("/language")
    await person.taps(language)


async def test_customers_see_the_menu_in_their_apps_language_until_they_choose_one(
    network: BotRunner, api: FakeBotApi
) -> None:
    for code in ("", "en", "ru"):
        assert [c["command"] for c in api.commands(language_code=code)] == CUSTOMER_MENU, code
    anna = network.person(1001, "Anna", language_code="en")
    await anna.command("/start")
    assert in_english(seen(api, anna, "en")) and in_russian(seen(api, anna, "ru"))
    assert in_english(seen(api, anna, "de")), "any other app language gets English"

    await choose(anna, "Русский")
    for app_language in ("en", "ru", "de"):
        menu = seen(api, anna, app_language)
        assert list(menu) == CUSTOMER_MENU and in_russian(menu), app_language

    await choose(anna, "English")
    for app_language in ("en", "ru", "de"):
        menu = seen(api, anna, app_language)
        assert list(menu) == CUSTOMER_MENU and in_english(menu), app_language


async def test_staff_and_head_office_menus_follow_the_language_they_choose(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga", language_code="en")
    mechanic = network.person(MECHANIC, "Mike", language_code="ru")
    await office.command("/start")
    await mechanic.command("/start")
    await office.command("/addstaff", f"{MECHANIC} TEST-ONE")
    assert in_english(seen(api, office, "en")) and in_russian(seen(api, mechanic, "ru"))
    assert set(seen(api, office, "en")) >= BROADCASTS, "head office can find its broadcasts"

    await choose(office, "Русский")
    await choose(mechanic, "English")
    head_office_menu, staff_menu = seen(api, office, "en"), seen(api, mechanic, "ru")
    assert in_russian(head_office_menu) and {"stats", "addstaff"} <= set(head_office_menu)
    assert in_english(staff_menu) and "today" in staff_menu and "stats" not in staff_menu

    await office.command("/removestaff", str(MECHANIC))
    as_customer = seen(api, mechanic, "ru")
    assert list(as_customer) == CUSTOMER_MENU and in_english(as_customer), "still English"
    await office.command("/addadmin", str(MECHANIC))
    promoted = seen(api, mechanic, "ru")
    assert "stats" in promoted and in_english(promoted)


async def test_a_chosen_language_keeps_the_menu_after_a_restart(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga", language_code="en")
    await office.command("/start")
    await choose(office, "Русский")
    await network.restart()
    menu = seen(api, office, "en")
    assert in_russian(menu) and "stats" in menu


async def test_a_language_choice_stands_when_telegram_fails_to_take_the_menu(
    network: BotRunner, api: FakeBotApi
) -> None:
    anna = network.person(1001, "Anna", language_code="en")
    await anna.command("/start")
    api.fail_next("setMyCommands", 500, "Internal Server Error")
    await choose(anna, "Русский")
    assert not any("went wrong" in t or "пошло не так" in t for t in anna.texts())
    assert "Готово: буду говорить по-русски." in anna.texts()

    await choose(anna, "Русский")
    assert in_russian(seen(api, anna, "en")), "the next choice sets it"
