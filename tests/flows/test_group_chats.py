"""Group chats see nothing personal, and an edited message is never a new command."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict, UploadedFile
from bot.fake_telegram.users import typed
from bot.handlers.callbacks import MenuPick
from tests.flows.test_workshop_operations import book
from tests.support.bot_runner import BotRunner, Person
from tests.support.clock import FakeClock

ONE_WORKSHOP = Path(__file__).parent / "data" / "one_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001
CUSTOMER = 1001
GROUP = -1001234567890
CHANNEL = -1009876543210
PHONE = "+79001112233"
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

PRIVATE_ONLY = (
    "I answer this only in a private chat, so that nobody else sees your details. "
    "Please write to me there."
)
PRIVATE_ONLY_RU = (
    "На это я отвечаю только в личном чате, чтобы ваши данные не увидели другие. "
    "Пожалуйста, напишите мне туда."
)
PRIVATE_BUTTON = "This button works only in a private chat with me."
DEEP_LINK = "https://t.me/repair_test_bot?start=group"


@dataclass
class World:
    """Head office, a mechanic of the one workshop, and a customer with a booking there."""

    bot: BotRunner
    api: FakeBotApi
    office: Person
    mechanic: Person
    customer: Person
    code: str

    def who(self, role: str) -> Person:
        person: Person = getattr(self, role)
        return person


@pytest.fixture
async def world(api: FakeBotApi, settings: Settings, clock: FakeClock) -> AsyncIterator[World]:
    runner = BotRunner(
        api,
        settings.model_copy(
            update={"head_office_ids": frozenset({HEAD_OFFICE}), "workshops_file": ONE_WORKSHOP}
        ),
        clock,
    )
    await runner.start()
    office = runner.person(HEAD_OFFICE, "Olga")
    mechanic = runner.person(MECHANIC, "Mike")
    customer = runner.person(CUSTOMER, "Anna")
    await mechanic.command("/start")
    await office.command("/addstaff", f"{MECHANIC} TEST-ONE")
    code = await book(customer)
    yield World(runner, api, office, mechanic, customer, code)
    await runner.stop()


def sent_since(api: FakeBotApi, mark: int, chat_id: int) -> str:
    """Everything the bot sent a chat after the first `mark` calls: texts, captions, files."""
    parts = []
    for call in api.calls[mark:]:
        if call.ok and str(call.params.get("chat_id")) == str(chat_id):
            parts += [str(call.params.get(key, "")) for key in ("text", "caption")]
            parts += [readable(upload) for upload in call.files.values()]
    return "\n".join(parts)


def readable(upload: UploadedFile) -> str:
    """A file's text: a workbook's cells (its bytes are zipped), else the bytes as UTF-8."""
    if (upload.filename or "").endswith(".xlsx"):
        sheet = load_workbook(io.BytesIO(upload.data)).active
        assert sheet is not None
        return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    return upload.data.decode("utf-8-sig")


def sends_since(api: FakeBotApi, mark: int) -> list[str]:
    return [call.method for call in api.calls[mark:] if call.method.startswith("send")]


def link_of(message: JSONDict) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    [button] = [button for row in rows for button in row]
    return str(button["url"])


PERSONAL_COMMANDS = [
    # who, command, arguments, what the private answer shows
    ("customer", "/status", "{code}", "{code}"),
    ("customer", "/mybookings", "", "{code}"),
    ("mechanic", "/job", "{code}", PHONE),
    ("office", "/export", "", PHONE),
    ("office", "/staff", "", "Mike (7001)"),
]


@pytest.mark.parametrize(("role", "command", "args", "private_answer"), PERSONAL_COMMANDS)
async def test_a_personal_command_in_a_group_gets_only_a_link_to_a_private_chat(
    world: World, role: str, command: str, args: str, private_answer: str
) -> None:
    person = world.who(role)
    in_group = person.in_group(GROUP)
    args = args.format(code=world.code)
    mark = len(world.api.calls)

    [hint] = await in_group.command(command, args)

    assert hint["text"] == PRIVATE_ONLY
    assert link_of(hint) == DEEP_LINK
    assert sends_since(world.api, mark) == ["sendMessage"]
    shown = sent_since(world.api, mark, GROUP)
    for secret in (PHONE, "Anna", world.code, "Mike", str(MECHANIC)):
        assert secret not in shown

    mark = len(world.api.calls)
    await person.command(command, args)
    assert private_answer.format(code=world.code) in sent_since(world.api, mark, person.id)


async def test_the_hint_speaks_the_language_of_the_person_who_asked(world: World) -> None:
    ivan = world.bot.person(1002, "Иван", language_code="ru").in_group(GROUP)

    [hint] = await ivan.command("/mybookings")

    assert hint["text"] == PRIVATE_ONLY_RU
    assert link_of(hint) == DEEP_LINK


async def test_in_a_group_no_fault_report_starts_and_chatter_or_other_bots_commands_get_nothing(
    world: World,
) -> None:
    in_group = world.customer.in_group(GROUP)

    [hint] = await in_group.command("/repair")
    chatter = await in_group.says("Testville")
    for_another_bot = await in_group.command("/status@weather_bot", world.code)

    assert hint["text"] == PRIVATE_ONLY
    assert chatter == [] and for_another_bot == []


async def test_following_the_link_from_a_group_greets_in_private(world: World) -> None:
    newcomer = world.bot.person(1003, "Nina")

    [greeting] = await newcomer.command("/start", "group")

    assert greeting["text"].startswith("Hello, Nina!")


async def test_a_button_pressed_in_a_group_gets_a_toast_and_nothing_else(world: World) -> None:
    in_group = world.customer.in_group(GROUP)
    [hint] = await in_group.command("/mybookings")

    for item in ("bookings", "repair", "help"):
        mark = len(world.api.calls)
        shown = await in_group.taps_data(hint["message_id"], MenuPick(item=item).encode())

        assert shown == []
        assert sends_since(world.api, mark) == []
        assert in_group.toasts()[-1] == PRIVATE_BUTTON


async def test_a_message_edited_into_a_command_changes_nothing_and_gets_no_reply(
    world: World,
) -> None:
    mechanic = world.mechanic
    await mechanic.says("thanks")
    [thanks] = [
        message
        for message in world.api.history(MECHANIC)
        if message.get("text") == "thanks" and message["from"]["id"] == MECHANIC
    ]
    mark = len(world.api.calls)

    edited = await mechanic.edits(thanks["message_id"], f"/setstatus {world.code} cancelled")

    assert edited == []
    assert sends_since(world.api, mark) == []
    [status] = await world.customer.command("/status", world.code)
    assert "booked" in status["text"] and "cancelled" not in status["text"]


async def test_an_edited_message_is_never_input_to_a_fault_report(world: World) -> None:
    customer = world.customer
    await customer.command("/repair")
    await customer.taps("Washing machine")
    await customer.taps("Won't drain")
    await customer.taps("❌ Still broken")
    asked_where = await customer.finishes_description()
    first = min(m["message_id"] for m in world.api.history(CUSTOMER))

    edited = await customer.edits(first, "Testville")

    assert asked_where and edited == []
    await customer.says("Testville")
    assert customer.buttons()[0].startswith("One Bench")


async def test_an_anonymous_admin_or_a_channel_gets_no_reply_and_no_error_is_logged(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.customer.in_group(GROUP)
    world.api.register_chat({"id": CHANNEL, "type": "channel", "title": "News"})
    group, channel = world.api.chat_info(GROUP), world.api.chat_info(CHANNEL)
    # Sent on behalf of the chat itself: no `from`, or Telegram's stand-in for anonymous admins.
    senders = [
        ("message", {"chat": group, "sender_chat": group}),
        ("message", {"chat": group, "sender_chat": group, "from": ANONYMOUS_ADMIN}),
        ("channel_post", {"chat": channel, "sender_chat": channel}),
    ]
    mark = len(world.api.calls)

    for kind, sender in senders:
        for text in (f"/status {world.code}", "/export", "/start", "hello"):
            await world.bot.receive({kind: {**sender, "date": world.api.now(), **typed(text)}})

    assert sends_since(world.api, mark) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
