"""One table of commands: every command a role may use is in its menu and its /help, in both
languages, and no command it may not use is."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import command_names
from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

TWO_WORKSHOPS = Path(__file__).parent / "data" / "two_workshops.yaml"
HEAD_OFFICE = 9000
NOT_ALLOWED = "Sorry, this command is not available to you."
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
COMMAND = re.compile(r"(?<![\w/])/([a-z_]+)")
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


def registered(network: BotRunner) -> set[str]:
    """Every command the running bot answers, those of its conversations included."""
    assert network.app is not None
    return command_names(network.app.handlers[0])


async def usable(person: Person, commands: set[str]) -> set[str]:
    """The commands this person is not refused, found by sending each of them."""
    allowed = set()
    for name in sorted(commands):
        replies = await person.command(f"/{name}")
        if NOT_ALLOWED not in [reply.get("text") for reply in replies]:
            allowed.add(name)
    return allowed


async def help_of(person: Person) -> str:
    person.new_messages()  # the same chat may have been read as someone else before
    replies = await person.command("/help")
    return "\n".join(reply["text"] for reply in replies)


async def test_every_role_finds_exactly_the_commands_it_may_use_in_its_menu_and_help(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga", language_code="en")
    mechanic = network.person(7001, "Mike", language_code="en")
    anna = network.person(1001, "Anna", language_code="en")
    for person in (office, mechanic, anna):
        await person.command("/start")
    await office.command("/addstaff", "7001 TEST-ONE")
    in_russian = {
        "head office": network.person(9000, "Olga", language_code="ru"),
        "staff": network.person(7001, "Mike", language_code="ru"),
        "customer": network.person(1002, "Анна", language_code="ru"),
    }
    await in_russian["customer"].command("/start")
    commands = registered(network)

    for role, person in (("head office", office), ("staff", mechanic), ("customer", anna)):
        allowed = await usable(person, commands)
        for lang, someone in (("en", person), ("ru", in_russian[role])):
            menu = {c["command"]: c["description"] for c in api.menu_of(someone.id, lang)}
            assert set(menu) == allowed, (role, lang, set(menu) ^ allowed)
            in_script = [bool(CYRILLIC.search(d)) == (lang == "ru") for d in menu.values()]
            assert all(in_script), (role, lang, menu)
            shown = await help_of(someone)
            assert set(COMMAND.findall(shown)) == allowed, (role, lang)
            assert bool(CYRILLIC.search(shown)) == (lang == "ru"), (role, lang)
        if role == "head office":
            assert allowed >= BROADCASTS, "head office can use and find its broadcasts"


async def test_staff_and_head_office_find_their_own_work_first_in_help_and_menu(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga", language_code="ru")
    mechanic = network.person(7001, "Mike", language_code="en")
    await mechanic.command("/start")
    await office.command("/addstaff", "7001 TEST-ONE")

    staff_help = await help_of(mechanic)
    assert staff_help.startswith("Workshop staff\n/today — Today's drop-offs\n")
    assert "\n\nHow I can help\n/start — Main menu\n" in staff_help
    assert [c["command"] for c in api.menu_of(mechanic.id, "en")][:2] == ["today", "jobs"]
    office_help = await help_of(office)
    assert office_help.startswith("Головной офис\n/questions — Открытые вопросы клиентов\n")
    assert "/broadcast_at ГГГГ-ММ-ДД ЧЧ:ММ текст — Запланировать рассылку" in office_help
