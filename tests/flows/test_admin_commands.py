"""Workshop staff and head office at work: rights, arguments, the job board, notices and figures.

Most tests run against a bot of their own. The status-change matrix, the refusals and the bad
arguments only touch tickets they make themselves (or the one booked ticket no test changes),
so they share one bot, started once per module on its own event loop, to keep the file fast.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi, JSONDict
from tests.support.bot_runner import NO_FLOOD_LIMIT, BotRunner, Person
from tests.support.clock import FakeClock
from tests.support.postgres import ENGINES, database_url_for

TWO_WORKSHOPS = Path(__file__).parent / "data" / "two_workshops.yaml"
TOKEN = "123456:TEST-TOKEN"
HEAD_OFFICE = 9000
MECHANIC = 7001  # staff of TEST-ONE ("One Bench")
RIVAL = 7002  # staff of TEST-TWO ("Two Bench")
MISSING = "SR-000000"
CODE = re.compile(r"SR-[0-9A-Z]{6}")

NOT_ALLOWED = "Sorry, this command is not available to you."
STALE = "This button is no longer active."
SOMETHING_WENT_WRONG = "Sorry, something went wrong"

# The repair process as the spec writes it down.
STATUSES = (
    "booked",
    "received",
    "diagnosing",
    "waiting_parts",
    "repairing",
    "ready",
    "picked_up",
    "cancelled",
    "no_show",
)
ALLOWED_NEXT: dict[str, tuple[str, ...]] = {
    "booked": ("received", "cancelled", "no_show"),
    "received": ("diagnosing", "cancelled"),
    "diagnosing": ("waiting_parts", "repairing", "ready", "cancelled"),
    "waiting_parts": ("repairing", "cancelled"),
    "repairing": ("ready", "cancelled"),
    "ready": ("picked_up", "cancelled"),
    "picked_up": (),
    "cancelled": (),
    "no_show": (),
}
WORDS = {
    "booked": "booked",
    "received": "received by the workshop",
    "diagnosing": "being diagnosed",
    "waiting_parts": "waiting for parts",
    "repairing": "being repaired",
    "ready": "ready for pickup",
    "picked_up": "picked up",
    "cancelled": "cancelled",
    "no_show": "missed drop-off",
}
NEWS = {
    "received": "has received your device",
    "diagnosing": "Your device is being diagnosed",
    "waiting_parts": "The workshop is waiting for parts",
    "repairing": "Your device is being repaired",
    "ready": "Your device is ready!",
    "picked_up": "You picked up your device",
    "cancelled": "The workshop has cancelled the ticket",
    "no_show": "The booking has lapsed",
}
"""What a notice of each status tells the customer."""
NEWS_RU = {
    "received": "приняла ваше устройство",
    "diagnosing": "Устройство на диагностике",
    "ready": "Устройство готово!",
}
# How a ticket gets into each status: booked by a customer, or a walk-in (which starts
# `received`) claimed by a customer, then a sequence of /setstatus.
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "booked": ("booking", ()),
    "no_show": ("booking", ("no_show",)),
    "received": ("walk_in", ()),
    "diagnosing": ("walk_in", ("diagnosing",)),
    "waiting_parts": ("walk_in", ("diagnosing", "waiting_parts")),
    "repairing": ("walk_in", ("diagnosing", "repairing")),
    "ready": ("walk_in", ("diagnosing", "ready")),
    "picked_up": ("walk_in", ("diagnosing", "ready", "picked_up")),
    "cancelled": ("walk_in", ("cancelled",)),
}

STAFF_MENU = {
    "today",
    "jobs",
    "find",
    "job",
    "setstatus",
    "eta",
    "quote",
    "walkin",
    "stock",
    "receive",
    "needpart",
    "use",
    "arrived",
    "scorecard",
}
HEAD_OFFICE_ONLY_MENU = {
    "requests",
    "ship",
    "minstock",
    "workshops",
    "stats",
    "treestats",
    "overdue",
    "export",
    "staff",
    "addstaff",
    "removestaff",
    "addadmin",
    "removeadmin",
}
HEAD_OFFICE_MENU = {
    "jobs",
    "find",
    "job",
    "setstatus",
    "eta",
    "quote",
    "stock",
    "receive",
    "scorecard",
} | HEAD_OFFICE_ONLY_MENU
CSV_HEADER = [
    "ticket",
    "created_utc",
    "workshop_code",
    "workshop",
    "category",
    "status",
    "dropoff_local",
    "customer_id",
    "customer_name",
    "phone",
    "eta",
    "estimate",
    "estimate_currency",
    "estimate_answer",
    "description",
    "fixes_tried",
    "rating",
    "purchase_age",
    "warranty",
    "warranty_confirmed",
    "warranty_reason",
    "cause",
    "parts_used",
    "parts_cost",
]
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BOOKING_LABELS = {
    "en": ("Washing machine", "Won't drain", "❌ Still broken", "Tomorrow", "Confirm"),
    "ru": (
        "Стиральная машина",
        "Не сливает воду",
        "❌ Не помогло",
        "Завтра",
        "Подтвердить",
    ),
}


# ------------------------------------------------------------------------------------ helpers


def code_in(text: str) -> str:
    found = CODE.search(text)
    assert found is not None, f"no ticket code in {text!r}"
    return found.group(0)


def text_of(messages: list[JSONDict]) -> str:
    """The one message an answer should be."""
    assert len(messages) == 1, [m.get("text", m.get("caption")) for m in messages]
    return str(messages[0].get("text", ""))


async def quietly(person: Person, command: str, args: str = "") -> None:
    """Send a command and wait until the bot has handled it, without reading the chat."""
    runner = person.runner
    runner.last_update_id = max(runner.last_update_id, person.user.send_command(command, args))
    await runner.settle()


async def answer(person: Person, command: str, args: str = "") -> list[JSONDict]:
    """The bot's messages after a command, read one by one.

    `Person.command` copies the whole chat to find what is new; staff and head office on a
    long-lived bot have long chats, so this reserves a message id as a mark instead and reads
    the messages after it.
    """
    api = person.runner.api
    mark = api.next_message_id(person.id)  # the command itself comes next, then the answer
    await quietly(person, command, args)
    found = []
    message_id = mark + 2
    while (message := api.message(person.id, message_id)) is not None:
        if message.get("from", {}).get("id") == api.bot_id:
            found.append(message)
        message_id += 1
    return found


async def ask(person: Person, command: str, args: str = "") -> str:
    """The text of the one message that answers a command."""
    return text_of(await answer(person, command, args))


async def book(
    customer: Person,
    workshop: str = "One Bench",
    day: str | None = None,
    time: str = "09:00",
    lang: str = "en",
) -> str:
    """A customer reports a washer that won't drain and books a drop-off; returns the code."""
    category, fault, still_broken, friday, confirm = BOOKING_LABELS[lang]
    await customer.command("/repair")
    await customer.taps(category)
    await customer.taps(fault)
    await customer.taps(still_broken)
    await customer.finishes_description()
    await customer.says("Testville")
    await customer.taps(workshop)
    await customer.taps(day or friday)
    await customer.taps(time)
    summary = (await customer.shares_contact("+79001112233"))[-1]
    await customer.taps(confirm, summary["message_id"])
    booked = customer.user.api.message(customer.id, summary["message_id"])
    assert booked is not None
    return code_in(booked["text"])


async def open_walk_in(staff: Person, note: str = "drum") -> tuple[str, str]:
    """A walk-in washer ticket (status received): its code and the token of its claim link."""
    created = await answer(staff, "/walkin", f"washer {note}")
    receipt = next(m["text"] for m in created if "Walk-in ticket" in m.get("text", ""))
    link = re.search(r"\?start=(\S+)", receipt)
    assert link is not None, receipt
    return code_in(receipt), link.group(1)


async def claim(customer: Person, code: str, token: str) -> None:
    """The customer opens the link on the walk-in receipt and follows the ticket from now on."""
    claimed = await customer.command("/start", token)
    assert code in claimed[0]["text"]
    await customer.taps("Skip")  # nothing to add to what the workshop noted


async def walk_in(staff: Person, claimant: Person | None = None, note: str = "drum") -> str:
    """A walk-in washer ticket (status received), claimed by `claimant` if given."""
    code, token = await open_walk_in(staff, note)
    if claimant is not None:
        await claim(claimant, code, token)
    return code


async def set_status(person: Person, code: str, target: str) -> str:
    """`/setstatus`, confirmed where the bot asks to (a cancellation, with its reason, or a
    missed drop-off); the text of the one message that answers it."""
    note = " Customer changed their mind" if target == "cancelled" else ""
    reply = await answer(person, "/setstatus", f"{code} {target}{note}")
    confirm = buttons_of(reply[-1])[:1]
    if confirm not in (["Yes, cancel it"], ["Yes, it was missed"]):
        return text_of(reply)
    runner = person.runner
    pressed = person.user.press(confirm[0], reply[-1]["message_id"])
    runner.last_update_id = max(runner.last_update_id, pressed)
    await runner.settle()
    confirmed = person.runner.api.message(person.id, reply[-1]["message_id"])
    assert confirmed is not None
    return str(confirmed["text"])


def buttons_of(message: JSONDict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["text"] for row in rows for button in row]


def chat_scope(user_id: int) -> JSONDict:
    return {"type": "chat", "chat_id": user_id}


def csv_rows(api: FakeBotApi) -> list[list[str]]:
    """The rows of the CSV file the bot uploaded last."""
    upload = api.calls_of("sendDocument")[-1].files["document"]
    return list(csv.reader(io.StringIO(upload.data.decode("utf-8-sig"))))


# ---------------------------------------------------------------------- a bot for each test


@pytest.fixture
async def network(
    api: FakeBotApi, settings: Settings, clock: FakeClock
) -> AsyncIterator[BotRunner]:
    """Two workshops in Testville; 9000 is head office by configuration."""
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


async def hire(network: BotRunner, user_id: int, workshop: str, name: str) -> Person:
    """Someone opens the bot and head office makes them staff of a workshop."""
    office = network.person(HEAD_OFFICE, "Olga")
    office.new_messages()  # only the answer below counts
    person = network.person(user_id, name)
    await person.command("/start")
    added = await office.command("/addstaff", f"{user_id} {workshop}")
    assert text_of(added) == f"{name} ({user_id}) is now staff of {workshop}."
    return person


# ------------------------------------------------------------------ one bot for the module


@dataclass
class Desk:
    """A running network: head office, staff of both workshops, and one booked ticket."""

    bot: BotRunner
    office: Person
    mechanic: Person  # staff of TEST-ONE
    rival: Person  # staff of TEST-TWO
    owner: Person
    code: str  # booked by the owner at TEST-ONE; no test changes it
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(30_000))
    kept: dict[str, tuple[str, Person]] = field(default_factory=dict)

    def newcomer(self, name: str = "Nina") -> Person:
        """Someone who has never used the bot before."""
        return self.bot.person(next(self.ids), name)

    async def snapshot(self) -> tuple[str, str, int]:
        """What a wrong command could change: the ticket, the staff and open tickets of each
        workshop, what the ticket's customer has been told."""
        card = await ask(self.office, "/job", self.code)
        network = await ask(self.office, "/workshops")
        news = [text for text in self.owner.texts() if self.code in text]
        return card, network, len(news)


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=ENGINES)
async def desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Desk]:
    """One bot on each engine, shared by the module's tests of refused changes."""
    async with FakeBotApi(token=TOKEN) as api, database_url_for(request.param) as url:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,
            telegram_api_url=api.base_url,
            database_path=tmp_path_factory.mktemp("shared") / "bot.sqlite3",
            database_url=url,
            head_office_ids=frozenset({HEAD_OFFICE}),
            workshops_file=TWO_WORKSHOPS,
            flood_burst=NO_FLOOD_LIMIT,
            health_listen="127.0.0.1:0",
        )
        runner = BotRunner(api, settings, FakeClock())
        await runner.start()
        mechanic = await hire(runner, MECHANIC, "TEST-ONE", "Mike")
        rival = await hire(runner, RIVAL, "TEST-TWO", "Rita")
        owner = runner.person(1001, "Anna")
        code = await book(owner)
        office = runner.person(HEAD_OFFICE, "Olga")
        yield Desk(runner, office, mechanic, rival, owner, code)
        await runner.stop()


on_the_shared_bot = pytest.mark.asyncio(loop_scope="module")


# ------------------------------------------------------------------- 1. every status change


async def ticket_in(desk: Desk, status: str, *, to_keep: bool) -> tuple[str, Person]:
    """A ticket in `status` and its customer.

    A refused change leaves its ticket as it was, so the tests of refused changes share one
    ticket per status; one that finds it changed (by a bug) makes a new one.
    """
    if to_keep and status in desk.kept:
        code, customer = desk.kept[status]
        if (await ask(desk.mechanic, "/job", code)).startswith(
            f"Ticket {code} · {WORDS[status]}\n"
        ):
            return code, customer
    customer = desk.newcomer()
    start, steps = ROUTES[status]
    if start == "booking":
        code, token = await book(customer), None
    else:  # claimed at the end: nobody is told about the steps, which keeps the bot quick
        code, token = await open_walk_in(desk.mechanic)
    for step in steps:
        moved = await set_status(desk.mechanic, code, step)
        assert moved.split("\n")[0] == f"Ticket {code} is now {WORDS[step]}."
    if token is not None:
        await claim(customer, code, token)
    if to_keep:
        desk.kept[status] = (code, customer)
    return code, customer


@on_the_shared_bot
@pytest.mark.parametrize(
    ("current", "target"),
    list(itertools.product(STATUSES, STATUSES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(STATUSES, STATUSES)],
)
async def test_a_status_change_follows_the_repair_process_or_is_refused_naming_what_is_allowed(
    desk: Desk, current: str, target: str
) -> None:
    allowed = target in ALLOWED_NEXT[current]
    code, customer = await ticket_in(desk, current, to_keep=not allowed)
    history = await ask(customer, "/status", code)
    customer.new_messages()  # what the customer has read so far

    reply = await set_status(desk.mechanic, code, target)
    news = customer.new_messages()
    shown = await answer(desk.mechanic, "/job", code)
    card = text_of(shown)
    now = target if allowed else current
    assert buttons_of(shown[0]) == [f"→ {WORDS[status]}" for status in ALLOWED_NEXT[now]]

    if allowed:
        assert reply.split("\n")[0] == f"Ticket {code} is now {WORDS[target]}."
        assert ("What caused the fault" in reply) == (target == "ready"), "asked when finished"
        assert len(news) == 1, [m.get("text") for m in news]
        assert code in news[0]["text"] and NEWS[target] in news[0]["text"]
        assert card.startswith(f"Ticket {code} · {WORDS[target]}\n")
    else:
        assert f"cannot become {target}" in reply, reply
        named_part = reply.partition("Allowed next:")[2]
        assert named_part, reply
        named = {status for status in STATUSES if re.search(rf"\b{status}\b", named_part)}
        assert named == set(ALLOWED_NEXT[current]), reply
        assert news == [], "a refused change tells the customer nothing"
        assert card.startswith(f"Ticket {code} · {WORDS[current]}\n")
        assert await ask(customer, "/status", code) == history


# ----------------------------------------------------------------------------- 2. refusals

TICKET_COMMANDS = [
    ("/job", "{code}"),
    ("/setstatus", "{code} received"),
    ("/eta", "{code} 2026-12-01"),
    ("/quote", "{code} 100"),
]


@on_the_shared_bot
@pytest.mark.parametrize(("command", "args"), TICKET_COMMANDS, ids=[c for c, _ in TICKET_COMMANDS])
async def test_outsiders_get_the_same_refusal_for_an_existing_ticket_and_a_missing_one(
    desk: Desk, command: str, args: str
) -> None:
    before = await desk.snapshot()
    stranger = desk.newcomer()
    for outsider in (stranger, desk.owner, desk.rival):
        existing = await ask(outsider, command, args.format(code=desk.code))
        missing = await ask(outsider, command, args.format(code=MISSING))
        assert existing.replace(desk.code, "SR-XXXXXX") == missing.replace(MISSING, "SR-XXXXXX")
        for detail in ("booked", "Anna", "+79001112233", "One Bench", "Washing machine"):
            assert detail not in existing, f"{outsider.id} learnt {detail!r}: {existing!r}"
    for customer in (stranger, desk.owner):
        assert customer.texts()[-1] == NOT_ALLOWED
    assert await desk.snapshot() == before


@on_the_shared_bot
async def test_a_forged_status_button_from_a_customer_or_other_workshop_staff_changes_nothing(
    desk: Desk,
) -> None:
    before = await desk.snapshot()
    stranger = desk.newcomer()
    unknown = f"No ticket {desk.code} among the tickets you can see."
    for presser, refusal in (
        (desk.owner, NOT_ALLOWED),
        (stranger, NOT_ALLOWED),
        (desk.rival, unknown),
    ):
        await presser.command("/help")
        pressed = await presser.taps_data(presser.screen["message_id"], f"st:{desk.code}:received")
        assert pressed == []
        assert presser.toasts()[-1] == refusal
    await desk.rival.taps_data(desk.rival.screen["message_id"], f"st:{MISSING}:received")
    assert desk.rival.toasts()[-1] == unknown.replace(desk.code, MISSING), "no hint it exists"
    assert await desk.snapshot() == before


HEAD_OFFICE_COMMANDS = [
    ("/addstaff", "{me} TEST-ONE"),
    ("/removestaff", "{mechanic}"),
    ("/addadmin", "{me}"),
    ("/removeadmin", f"{HEAD_OFFICE}"),
    ("/staff", ""),
    ("/workshops", ""),
    ("/stats", ""),
    ("/overdue", ""),
    ("/export", ""),
]


@on_the_shared_bot
@pytest.mark.parametrize(
    ("command", "args"), HEAD_OFFICE_COMMANDS, ids=[c for c, _ in HEAD_OFFICE_COMMANDS]
)
async def test_customers_and_staff_are_refused_head_office_commands(
    desk: Desk, command: str, args: str
) -> None:
    before = await desk.snapshot()
    customer = desk.newcomer()
    for person in (customer, desk.mechanic):
        replies = await answer(
            person, command, args.format(me=person.id, mechanic=desk.mechanic.id)
        )
        assert [m.get("text") for m in replies] == [NOT_ALLOWED]
    assert await ask(customer, "/jobs") == NOT_ALLOWED, "still a customer"
    assert await ask(customer, "/stats") == NOT_ALLOWED, "still not head office"
    assert await ask(desk.mechanic, "/stats") == NOT_ALLOWED
    assert desk.code in await ask(desk.mechanic, "/jobs"), "still staff"
    assert await desk.snapshot() == before


async def test_a_removed_staff_member_loses_every_right_at_once(network: BotRunner) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    anna = network.person(1001, "Anna")
    code = await book(anna)
    card_id = (await answer(mechanic, "/job", code))[-1]["message_id"]

    removed = await ask(office, "/removestaff", str(MECHANIC))
    assert removed == f"Mike ({MECHANIC}) is no longer staff."
    for command, args in (
        ("/job", code),
        ("/jobs", ""),
        ("/today", ""),
        ("/setstatus", f"{code} received"),
        ("/walkin", "washer"),
    ):
        assert await ask(mechanic, command, args) == NOT_ALLOWED, command
    mechanic.new_messages()
    assert await mechanic.taps("→ received by the workshop", card_id) == []
    assert mechanic.toasts()[-1] == NOT_ALLOWED
    assert (await ask(office, "/job", code)).startswith(f"Ticket {code} · booked\n")
    assert not any("received" in text for text in anna.texts())


async def test_head_office_adds_moves_and_removes_staff_and_lists_them_per_workshop(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    listing = (await ask(office, "/staff")).splitlines()
    assert listing[1:] == ["TEST-ONE: Mike (7001)", "TEST-TWO: nobody"]

    moved = await ask(office, "/addstaff", f"{MECHANIC} test-two")
    assert moved == f"Mike ({MECHANIC}) is now staff of TEST-TWO."
    listing = (await ask(office, "/staff")).splitlines()
    assert listing[1:] == ["TEST-ONE: nobody", "TEST-TWO: Mike (7001)"]
    assert await ask(mechanic, "/today") == ("No drop-offs are expected today at Two Bench.")

    await office.command("/removestaff", str(MECHANIC))
    listing = (await ask(office, "/staff")).splitlines()
    assert listing[1:] == ["TEST-ONE: nobody", "TEST-TWO: nobody"]


async def test_an_added_head_office_member_has_head_office_rights_until_removed(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    deputy = network.person(9100, "Dina")
    await deputy.command("/start")
    assert await ask(deputy, "/stats") == NOT_ALLOWED
    anna = network.person(1001, "Anna")
    code = await book(anna)

    assert await ask(office, "/addadmin", "9100") == "Dina (9100) is now head office."
    figures = await answer(deputy, "/stats")
    assert "Bookings: 1 (▲ from 0)" in figures[0]["text"].splitlines()
    assert figures[-1]["photo"], "the chart"
    card_id = (await answer(deputy, "/job", code))[-1]["message_id"]

    assert await ask(office, "/removeadmin", "9100") == "Dina (9100) is no longer head office."
    assert await ask(deputy, "/stats") == NOT_ALLOWED
    assert await ask(deputy, "/job", code) == NOT_ALLOWED
    deputy.new_messages()
    assert await deputy.taps("→ received by the workshop", card_id) == []
    assert deputy.toasts()[-1] == NOT_ALLOWED, "an old button is checked again"
    assert (await ask(office, "/job", code)).startswith(f"Ticket {code} · booked\n")


async def test_a_configured_head_office_id_cannot_be_removed_from_inside_the_bot(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    deputy = network.person(9100, "Dina")
    await deputy.command("/start")
    await office.command("/addadmin", "9100")
    configured = (
        f"Olga ({HEAD_OFFICE}) is head office by configuration (HEAD_OFFICE_IDS) and can only be "
        "changed there."
    )
    for remover in (deputy, office):
        assert await ask(remover, "/removeadmin", str(HEAD_OFFICE)) == configured
    assert "TEST-ONE" in await ask(office, "/workshops")
    menu = {c["command"] for c in api.commands(chat_scope(HEAD_OFFICE))}
    assert menu >= HEAD_OFFICE_MENU


# ------------------------------------------------------------------------ 3. bad arguments

JOB_USAGE = "Usage: /job SR-XXXXXX"
SETSTATUS_USAGE = "Usage: /setstatus SR-XXXXXX <status> [note]"
ETA_USAGE = "Usage: /eta SR-XXXXXX YYYY-MM-DD"
QUOTE_USAGE = "Usage: /quote SR-XXXXXX 12 500,50 [comment]"
WALKIN_USAGE = "Usage: /walkin <category> [description]"
ALL_STATUSES = ", ".join(STATUSES)
BAD_DATE = "The date must be today or later, within a year, as YYYY-MM-DD."
BAD_DAYS = "The period is a number of days from 1 to 3650."
UNKNOWN_WORKSHOP = "Unknown workshop “NOPE”. Workshops: TEST-ONE, TEST-TWO."

BAD_ARGUMENTS = [
    ("mechanic", "/job", "", JOB_USAGE),
    ("mechanic", "/job", "{code} extra", JOB_USAGE),
    ("mechanic", "/setstatus", "", SETSTATUS_USAGE),
    ("mechanic", "/setstatus", "{code}", SETSTATUS_USAGE),
    (
        "mechanic",
        "/setstatus",
        "{code} flying",
        f"Unknown status “flying”. Statuses: {ALL_STATUSES}.",
    ),
    ("mechanic", "/setstatus", f"{MISSING} received", f"No ticket {MISSING} among the tickets"),
    ("mechanic", "/eta", "", ETA_USAGE),
    ("mechanic", "/eta", "{code}", ETA_USAGE),
    ("mechanic", "/eta", "{code} 2026-12-01 extra", ETA_USAGE),
    ("mechanic", "/eta", "{code} 30.11.2026", BAD_DATE),
    ("mechanic", "/eta", "{code} 2026-13-01", BAD_DATE),
    ("mechanic", "/eta", "{code} 2026-11-25", BAD_DATE),
    ("mechanic", "/eta", "{code} 20261201", BAD_DATE),
    ("mechanic", "/eta", "{code} 2026-W49-1", BAD_DATE),
    ("mechanic", "/quote", "", QUOTE_USAGE),
    ("mechanic", "/quote", "{code}", QUOTE_USAGE),
    *[
        ("mechanic", "/quote", f"{{code}} {amount}", f"“{amount}” is not an amount")
        for amount in ("abc", "-5", "0", "1.234", "1e9", "1e2", "1_000")
    ],
    ("mechanic", "/walkin", "", WALKIN_USAGE),
    ("mechanic", "/walkin", "toaster", "Unknown category “toaster”. Categories: "),
    ("mechanic", "/walkin", "phone", "Unknown category “phone”. Categories: washer."),
    ("mechanic", "/jobs", "flying", f"Unknown status “flying”. Statuses: {ALL_STATUSES}."),
    ("office", "/jobs", "NOPE", UNKNOWN_WORKSHOP),
    ("office", "/addstaff", "", "Usage: /addstaff <telegram_user_id> <WORKSHOP_CODE>"),
    ("office", "/addstaff", "7100", "Usage: /addstaff"),
    ("office", "/addstaff", "7100 TEST-ONE extra", "Usage: /addstaff"),
    ("office", "/addstaff", "mike TEST-ONE", "Usage: /addstaff"),
    ("office", "/addstaff", "-7100 TEST-ONE", "Usage: /addstaff"),
    ("office", "/addstaff", "7100 NOPE", UNKNOWN_WORKSHOP),
    ("office", "/removestaff", "", "Usage: /removestaff <telegram_user_id>"),
    ("office", "/removestaff", "mike", "Usage: /removestaff"),
    ("office", "/removestaff", "{mechanic} {rival}", "Usage: /removestaff"),
    ("office", "/addadmin", "", "Usage: /addadmin <telegram_user_id>"),
    ("office", "/addadmin", "dina", "Usage: /addadmin"),
    ("office", "/addadmin", "9100 9101", "Usage: /addadmin"),
    ("office", "/removeadmin", "", "Usage: /removeadmin <telegram_user_id>"),
    ("office", "/removeadmin", "dina", "Usage: /removeadmin"),
    *[
        ("office", command, days, BAD_DAYS)
        for command in ("/stats", "/export")
        for days in ("0", "-1", "abc", "99999", "7 7")
    ],
]


@on_the_shared_bot
@pytest.mark.parametrize(
    ("who", "command", "args", "expected"),
    BAD_ARGUMENTS,
    ids=[f"{c} {a or '(nothing)'}" for _, c, a, _ in BAD_ARGUMENTS],
)
async def test_a_command_with_bad_arguments_gets_a_short_useful_answer_and_changes_nothing(
    desk: Desk, who: str, command: str, args: str, expected: str
) -> None:
    person = desk.office if who == "office" else desk.mechanic
    before = await desk.snapshot()
    arguments = args.format(code=desk.code, mechanic=desk.mechanic.id, rival=desk.rival.id)
    replies = await answer(person, command, arguments)
    reply = text_of(replies)
    assert expected in reply
    assert len(reply) < 400 and not replies[0].get("reply_markup")
    assert SOMETHING_WENT_WRONG not in reply
    assert await desk.snapshot() == before


@on_the_shared_bot
@pytest.mark.parametrize(
    ("command", "args", "expected"),
    [
        ("/addstaff", "² TEST-ONE", "Usage: /addstaff"),
        ("/removestaff", "²", "Usage: /removestaff"),
        ("/addadmin", "²", "Usage: /addadmin"),
        ("/stats", "²", BAD_DAYS),
        ("/export", "²", BAD_DAYS),
    ],
    ids=["/addstaff", "/removestaff", "/addadmin", "/stats", "/export"],
)
async def test_a_digit_like_character_is_not_taken_for_a_number(
    desk: Desk, command: str, args: str, expected: str
) -> None:
    """'²' is a digit to str.isdigit() but not a number: it must get the usual answer."""
    before = await desk.snapshot()
    reply = await ask(desk.office, command, args)
    assert SOMETHING_WENT_WRONG not in reply
    assert expected in reply
    assert await desk.snapshot() == before


# ---------------------------------------------------------------------------- 4. pagination


async def test_jobs_come_oldest_first_ten_to_a_page_with_buttons_to_turn_pages(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    codes = []
    for number in range(25):
        codes.append(await walk_in(mechanic, note=f"job {number}"))
        clock.advance(minutes=1)

    board = (await answer(mechanic, "/jobs"))[-1]
    board_id = board["message_id"]

    def page() -> tuple[str, list[str], list[str]]:
        message = api.message(MECHANIC, board_id)
        assert message is not None
        paging = [b for b in mechanic.buttons(board_id) if b in ("◀️ Previous", "Next ▶️")]
        return message["text"], CODE.findall(message["text"]), paging

    text, listed, buttons = page()
    assert "(25), oldest first, page 1 of 3" in text.splitlines()[0]
    assert listed == codes[:10] and buttons == ["Next ▶️"]

    await mechanic.taps("Next ▶️", board_id)
    text, listed, buttons = page()
    assert "page 2 of 3" in text and listed == codes[10:20]
    assert buttons == ["◀️ Previous", "Next ▶️"]

    await mechanic.taps("Next ▶️", board_id)
    text, listed, buttons = page()
    assert "page 3 of 3" in text and listed == codes[20:]
    assert buttons == ["◀️ Previous"]

    await mechanic.taps("◀️ Previous", board_id)
    assert page()[1] == codes[10:20]

    everywhere = await ask(office, "/jobs", "TEST-ONE")
    assert "page 1 of 3" in everywhere and CODE.findall(everywhere) == codes[:10]
    assert await ask(office, "/jobs", "TEST-TWO") == "No open tickets · Two Bench."

    for code in (codes[17], codes[3]):
        await ask(mechanic, "/setstatus", f"{code} diagnosing")
    filtered = await answer(mechanic, "/jobs", "diagnosing")
    assert "(2), oldest first, page 1 of 1" in text_of(filtered)
    assert CODE.findall(text_of(filtered)) == [codes[3], codes[17]]
    assert not {"◀️ Previous", "Next ▶️"} & set(buttons_of(filtered[0]))

    anna = network.person(1001, "Anna")
    await anna.command("/start")
    assert await anna.taps_data(anna.screen["message_id"], "jobs:-:-:1") == []
    assert anna.toasts()[-1] == NOT_ALLOWED
    assert not any(CODE.search(text) for text in anna.texts())


# ----------------------------------------------------------- 5. notices in both languages


async def test_each_customer_hears_about_their_repair_in_their_own_language(
    network: BotRunner,
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    ivan = network.person(1002, "Иван", language_code="ru")
    anna = network.person(1001, "Anna")
    ivan_code = await book(ivan, lang="ru", time="09:00")
    anna_code = await book(anna, time="10:00")

    for code in (ivan_code, anna_code):
        await mechanic.command("/setstatus", f"{code} received")
        await mechanic.command("/eta", f"{code} 2026-11-30")
        await mechanic.command("/quote", f"{code} 990")
        await mechanic.taps("Send")
        await mechanic.command("/setstatus", f"{code} diagnosing")
        await mechanic.command("/setstatus", f"{code} ready")

    received, eta, estimate, diagnosing, ready = [t for t in ivan.texts() if ivan_code in t][-5:]
    assert NEWS_RU["received"] in received
    assert "ожидаемая дата готовности" in eta
    assert "Смета на ремонт" in estimate and "990\u00a0₽" in estimate
    estimate_id = next(m["message_id"] for m in ivan.user.messages() if m.get("text") == estimate)
    assert ivan.buttons(estimate_id) == ["Одобрить", "Отклонить"]
    assert ivan.buttons() == ["💬 Задать вопрос"]
    assert NEWS_RU["diagnosing"] in diagnosing
    assert NEWS_RU["ready"] in ready
    assert "Bench Street 1" in ready and "работаем сегодня 09:00-11:00" in ready
    assert not any("ready for pickup" in t or "your device" in t for t in ivan.texts())

    english = [t for t in anna.texts() if anna_code in t]
    ready = [t for t in english if NEWS["ready"] in t]
    assert len(ready) == 1
    assert "Bench Street 1" in ready[0] and "open today 09:00-11:00" in ready[0]
    assert any("Repair estimate" in t for t in english)
    assert not any(CYRILLIC.search(t) for t in english)


@pytest.mark.parametrize(
    ("button", "other_answer", "outcome"),
    [("Approve", "n", "approved"), ("Decline", "y", "declined")],
    ids=["approve", "decline"],
)
async def test_the_customer_answers_an_estimate_once_and_the_workshop_hears_it_once(
    network: BotRunner, api: FakeBotApi, button: str, other_answer: str, outcome: str
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    anna = network.person(1001, "Anna")
    code = await book(anna)
    await mechanic.command("/setstatus", f"{code} received")

    preview = await ask(mechanic, "/quote", f"{code} 1500,50 new pump")
    assert preview.startswith(f"Estimate for {code}: RUB\u00a01,500.50\nComment: new pump")
    await mechanic.taps("Send")
    quoted = mechanic.screen["text"]
    assert quoted == f"Estimate for {code}: RUB\u00a01,500.50. The customer is asked to approve it."
    estimate = anna.user.messages()[-1]
    assert "RUB\u00a01,500.50" in estimate["text"] and "new pump" in estimate["text"]
    assert anna.buttons(estimate["message_id"]) == ["Approve", "Decline"]
    data = estimate["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    estimate_id = data.split(":")[1]

    stranger = network.person(1500, "Sam")
    await stranger.command("/start")
    await stranger.taps_data(stranger.screen["message_id"], f"est:{estimate_id}:y")
    assert stranger.toasts()[-1] == STALE, "only the ticket's customer answers"

    anna.user.press(button, estimate["message_id"])  # a quick double tap
    await anna.taps(button, estimate["message_id"])
    await anna.taps_data(estimate["message_id"], f"est:{estimate_id}:{other_answer}")

    shown = api.message(anna.id, estimate["message_id"])
    assert shown is not None and f"{outcome} RUB\u00a01,500.50" in shown["text"]
    assert anna.buttons(estimate["message_id"]) == []
    assert anna.toasts()[-2:] == [STALE, STALE]
    heard = [t for t in mechanic.texts() if code in t and "the customer" in t]
    assert heard == [
        f"💰 Ticket {code}: the customer, Anna, {outcome} the estimate of RUB\u00a01,500.50."
    ]
    card = await ask(mechanic, "/job", code)
    assert f"Estimate: RUB\u00a01,500.50 ({outcome})" in card
    assert card.count("estimate approved") + card.count("estimate declined") == 1


# --------------------------------------------------------------------------------- 6. menus


def menu(api: FakeBotApi, user_id: int, language_code: str = "") -> dict[str, str]:
    return {
        c["command"]: c["description"] for c in api.commands(chat_scope(user_id), language_code)
    }


async def test_each_person_sees_the_commands_of_their_role_in_their_language(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    at_start = menu(api, HEAD_OFFICE)
    assert set(at_start) >= HEAD_OFFICE_MENU, "head office gets its menu at start-up"
    assert set(menu(api, HEAD_OFFICE, "ru")) == set(at_start)
    assert all(CYRILLIC.search(d) for d in menu(api, HEAD_OFFICE, "ru").values())

    mechanic = network.person(MECHANIC, "Mike")
    await mechanic.command("/start")
    assert menu(api, MECHANIC) == {}
    await office.command("/addstaff", f"{MECHANIC} TEST-ONE")
    english, russian = menu(api, MECHANIC), menu(api, MECHANIC, "ru")
    assert set(english) >= STAFF_MENU and not HEAD_OFFICE_ONLY_MENU & set(english)
    assert set(russian) == set(english)
    assert not any(CYRILLIC.search(d) for d in english.values())
    assert all(CYRILLIC.search(d) for d in russian.values())

    await office.command("/removestaff", str(MECHANIC))
    assert menu(api, MECHANIC) == {} and menu(api, MECHANIC, "ru") == {}

    await office.command("/addstaff", f"{MECHANIC} TEST-TWO")
    await office.command("/addadmin", str(MECHANIC))
    assert set(menu(api, MECHANIC)) >= HEAD_OFFICE_MENU, "promoted"
    await office.command("/removeadmin", str(MECHANIC))
    assert set(menu(api, MECHANIC)) == set(english), "back to the staff menu"

    deputy = network.person(9100, "Dina")
    await deputy.command("/start")
    await office.command("/addadmin", "9100")
    assert set(menu(api, 9100)) >= HEAD_OFFICE_MENU
    await office.command("/removeadmin", "9100")
    assert menu(api, 9100) == {} and menu(api, 9100, "ru") == {}


# ------------------------------------------------------- 7. today, overdue, stats, export


async def test_today_lists_the_drop_offs_of_the_staff_members_own_workshop_by_time(
    network: BotRunner, clock: FakeClock
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    later = await book(network.person(1001, "Anna"), time="10:00")
    earlier = await book(network.person(1002, "Boris"), time="09:00")
    elsewhere = await book(network.person(1003, "Carl"), workshop="Two Bench", time="12:00")
    await book(network.person(1004, "Dora"), day="Sat 28 Nov", time="09:00")
    await walk_in(mechanic)

    assert await ask(mechanic, "/today") == ("No drop-offs are expected today at One Bench.")
    clock.advance(days=1)  # Friday 27 November, 09:00 in Moscow
    assert (await ask(mechanic, "/today")).splitlines() == [
        "Drop-offs expected today at One Bench",
        f"09:00 · {earlier} · Washing machine · Boris · booked",
        f"10:00 · {later} · Washing machine · Anna · booked",
    ]
    assert (await ask(rival, "/today")).splitlines() == [
        "Drop-offs expected today at Two Bench",
        f"12:00 · {elsewhere} · Washing machine · Carl · booked",
    ]


async def test_overdue_lists_a_ticket_stuck_in_received_too_long_under_its_workshop(
    network: BotRunner, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    stuck = await walk_in(mechanic)
    diagnosing = await walk_in(rival)
    await rival.command("/setstatus", f"{diagnosing} diagnosing")
    assert await ask(office, "/overdue") == "Nothing is overdue. 👍"

    clock.advance(days=1)
    assert await ask(office, "/overdue") == "Nothing is overdue. 👍", "at the limit"

    clock.advance(days=1)
    await walk_in(mechanic)  # received just now: on time
    assert (await ask(office, "/overdue")).splitlines() == [
        "Overdue tickets: 1",
        "One Bench: 1",
        f"{stuck}: received by the workshop, 1.0 days over the limit",
    ]


async def test_stats_show_exact_figures_of_a_small_network_and_a_chart(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    anna = network.person(1001, "Anna")
    repaired = await book(anna)
    missed = await book(network.person(1002, "Boris"), workshop="Two Bench", time="12:00")
    carl = network.person(1003, "Carl")
    await carl.command("/repair")
    await carl.taps("Washing machine")
    await carl.taps("Won't drain")
    await carl.taps("✅ That fixed it")

    await set_status(rival, missed, "no_show")
    await mechanic.command("/setstatus", f"{repaired} received")
    await mechanic.command("/quote", f"{repaired} 1000")
    await mechanic.taps("Send")
    await anna.taps("Approve")
    clock.advance(days=2)
    await mechanic.command("/setstatus", f"{repaired} diagnosing")
    await mechanic.command("/setstatus", f"{repaired} ready")

    figures = await answer(office, "/stats")
    assert len(figures) == 2
    assert figures[0]["text"].splitlines() == [
        "Statistics for the last 30 days (29.10.2026 – 28.11.2026)",
        "In brackets: the change against the 30 days before.",
        "",
        "Demand",
        "Fault reports: 3 (▲ from 0)",
        "Of them self-resolved, visits avoided: 1 (▲ from 0)",
        "Self-resolved rate: 33% (1 of 3)",
        "",
        "Bookings and walk-ins",
        "Bookings: 2 (▲ from 0)",
        "Walk-ins: 0",
        "",
        "Drop-offs and no-shows",
        "Booked customers who came: 1 (▲ from 0)",
        "No-shows: 1 (▲ from 0)",
        "No-show rate: 50% (1 of 2)",
        "",
        "Repairs",
        "Repairs finished: 1 (▲ from 0)",
        "Median time from received to ready: 2.0 days",
        "Estimates approved: 100% (1 of 1)",
        "",
        "Satisfaction",
        "Average rating: —",
        "Ratings given: 0",
        "",
        "Workshops",
        "One Bench: tickets 1 · median to ready 2.0 days · no-shows 0%"
        " · estimates approved 100% · rating —",
        "Two Bench: tickets 1 · median to ready — · no-shows 100%"
        " · estimates approved — · rating —",
        "",
        "Warranty and cause (repairs finished)",
        "By category:",
        "Washing machine: finished 1 · warranty 0% (0 of 1) · misuse 0% (0 of 1)",
        "By workshop:",
        "One Bench: finished 1 · warranty 0% (0 of 1) · misuse 0% (0 of 1)",
        "",
        "Parts",
        "Median time from request to arrival: —",
        "Most requested: —",
        "Parts used: RUB\u00a00; under warranty: RUB\u00a00 (—)",
    ]
    assert [entity["type"] for entity in figures[0]["entities"]].count("bold") == 9
    assert figures[1]["photo"]
    chart = api.calls_of("sendPhoto")[-1].files["photo"]
    assert chart.data.startswith(PNG_SIGNATURE)

    last_day = (await answer(office, "/stats", "1"))[0]["text"].splitlines()
    assert "Fault reports: 0 (▼ 100%)" in last_day and "Bookings: 0 (▼ 100%)" in last_day


async def test_staff_see_the_scorecard_of_their_own_workshop_and_no_other(
    network: BotRunner,
) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    repaired = await book(network.person(1001, "Anna"))
    missed = await book(network.person(1002, "Boris"), workshop="Two Bench", time="12:00")
    await set_status(rival, missed, "no_show")
    await mechanic.command("/setstatus", f"{repaired} received")

    own = (await ask(mechanic, "/scorecard")).splitlines()
    assert own[0] == "One Bench, the last 30 days (27.10.2026 – 26.11.2026)"
    assert own[1:4] == ["Tickets: 1", "Median time from received to ready: —", "Overdue now: 0"]
    assert "No-show rate: 0% (0 of 1)" in own
    assert (await ask(mechanic, "/scorecard", "test-one")).splitlines() == own
    other = await ask(mechanic, "/scorecard", "TEST-TWO")
    unknown = await ask(mechanic, "/scorecard", "NOPE")
    assert other == "Unknown workshop “TEST-TWO”. Workshops: TEST-ONE."
    assert unknown == "Unknown workshop “NOPE”. Workshops: TEST-ONE.", "refused alike"


async def test_head_office_sees_any_workshops_scorecard_and_customers_none(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    missed = await book(network.person(1002, "Boris"), workshop="Two Bench", time="12:00")
    await set_status(rival, missed, "no_show")

    card = (await ask(office, "/scorecard", "TEST-TWO")).splitlines()
    assert card[0].startswith("Two Bench, the last 30 days")
    assert "No-show rate: 100% (1 of 1)" in card
    assert "Questions answered within 60 min: —" in card
    assert (await ask(office, "/scorecard")).startswith("Usage: /scorecard WORKSHOP_CODE.")
    assert (await ask(office, "/scorecard", "NOPE")).startswith("Unknown workshop “NOPE”.")
    customer = network.person(1003, "Carl")
    assert await ask(customer, "/scorecard", "TEST-TWO") == text_of(
        await answer(customer, "/stats")
    ), "refused like any head-office command"


async def test_treestats_count_how_often_each_fix_was_shown_and_helped(
    network: BotRunner,
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    carl = network.person(1003, "Carl")
    await carl.command("/repair")
    await carl.taps("Washing machine")
    await carl.taps("Won't drain")
    await carl.taps("✅ That fixed it")
    dora = network.person(1004, "Dora")
    await dora.command("/repair")
    await dora.taps("Washing machine")
    await dora.taps("Won't drain")
    await dora.taps("❌ Still broken")
    await dora.command("/cancel")
    eve = network.person(1005, "Eve")
    await eve.command("/repair")
    await eve.taps("Washing machine")
    await eve.taps("Won't drain")  # and leaves without a word

    lines = (await ask(office, "/treestats")).splitlines()
    assert lines[0] == "Fixes of the tree: how often each was shown and how often it helped"
    assert len(lines) == 2
    assert lines[1].startswith("Washing machine · Unplug the machine")
    assert lines[1].endswith(": shown 3, helped 1 (33%)")
    assert (await ask(office, "/treestats", "washer")).splitlines() == lines
    assert await ask(office, "/treestats", "phone") == "No customer has been shown a fix yet."
    assert (await ask(office, "/treestats", "toaster")).startswith("There is no category toaster.")


async def test_export_sends_a_workbook_with_typed_cells_and_a_csv_for_the_callers_excel(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    from openpyxl import load_workbook

    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    booked = await book(network.person(1001, "Anna"))
    await mechanic.command("/quote", f"{booked} 1500.50 pump")
    await mechanic.taps("Send")
    clock.advance(minutes=5)

    await network.person(HEAD_OFFICE, "Olga").command("/export")
    workbook_upload, csv_upload = (
        call.files["document"] for call in api.calls_of("sendDocument")[-2:]
    )
    sheet = load_workbook(io.BytesIO(workbook_upload.data)).active
    assert sheet is not None
    header, row = (list(values) for values in sheet.iter_rows(max_row=2, values_only=True))
    assert header == CSV_HEADER
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:X2"
    ticket = dict(zip(header, row, strict=True))
    assert ticket["ticket"] == booked and ticket["customer_id"] == 1001
    assert ticket["estimate"] == 1500.5 and sheet["L2"].data_type == "n"
    assert sheet["B2"].is_date and sheet["G2"].is_date
    assert csv_upload.data.decode("utf-8-sig").splitlines()[0] == ",".join(CSV_HEADER)

    russian = network.person(9100, "Ольга", language_code="ru")
    await network.person(HEAD_OFFICE, "Olga").command("/addadmin", "9100")
    await russian.command("/export")
    upload = api.calls_of("sendDocument")[-1].files["document"]
    lines = upload.data.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(CSV_HEADER), "a Russian Excel splits on semicolons"
    assert ";1500,50;RUB;" in lines[1]


async def test_export_is_a_csv_with_the_agreed_columns_and_the_tickets_of_the_period(
    network: BotRunner, api: FakeBotApi, clock: FakeClock
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    booked = await book(network.person(1001, "Anna"))
    await mechanic.command("/setstatus", f"{booked} received")
    await mechanic.command("/eta", f"{booked} 2026-11-30")
    await mechanic.command("/quote", f"{booked} 1500.50 pump")
    await mechanic.taps("Send")
    walked_in = await walk_in(mechanic, note="=1+1 noisy drum")
    clock.advance(minutes=5)

    export = await answer(office, "/export", "7")
    assert [message["document"]["file_name"][-5:] for message in export] == [".xlsx", "d.csv"]
    assert export[0]["caption"] == "Tickets of the last 7 days"
    header, *rows = csv_rows(api)
    assert header == CSV_HEADER
    assert [row[0] for row in rows] == [booked, walked_in], "oldest first"
    first = dict(zip(header, rows[0], strict=True))
    assert first["workshop_code"] == "TEST-ONE" and first["workshop"] == "One Bench"
    assert first["status"] == "received" and first["customer_id"] == "1001"
    assert first["customer_name"] == "Anna" and first["phone"] == "+79001112233"
    assert first["dropoff_local"].startswith("2026-11-27") and "09:00" in first["dropoff_local"]
    assert first["eta"] == "2026-11-30"
    assert (first["estimate"], first["estimate_currency"], first["estimate_answer"]) == (
        "1500.50",
        "RUB",
        "pending",
    )
    second = dict(zip(header, rows[1], strict=True))
    assert second["customer_id"] == "" and second["dropoff_local"] == ""
    assert not second["description"].startswith("="), "no formula for Excel to run"

    clock.advance(days=2)
    fresh = await walk_in(mechanic)
    clock.advance(minutes=5)
    await office.command("/export", "1")
    assert [row[0] for row in csv_rows(api)[1:]] == [fresh]


async def test_a_ticket_booked_just_before_an_export_is_in_it(
    network: BotRunner, api: FakeBotApi
) -> None:
    office = network.person(HEAD_OFFICE, "Olga")
    code = await book(network.person(1001, "Anna"))
    figures = await answer(office, "/stats")
    assert "Bookings: 1 (▲ from 0)" in figures[0]["text"].splitlines()

    await office.command("/export")
    assert [row[0] for row in csv_rows(api)[1:]] == [code], "the export misses what /stats counts"


# ------------------------------------------------------------- 8. staff hear about bookings


async def test_staff_hear_when_a_customer_books_and_when_they_cancel(network: BotRunner) -> None:
    mechanic = await hire(network, MECHANIC, "TEST-ONE", "Mike")
    rival = await hire(network, RIVAL, "TEST-TWO", "Rita")
    anna = network.person(1001, "Anna")
    code = await book(anna)

    news = [t for t in mechanic.texts() if code in t]
    assert len(news) == 1
    for detail in ("New booking", "Washing machine", "Fri 27 Nov", "09:00", "Anna", "+79001112233"):
        assert detail in news[0]

    await anna.command("/mybookings")
    await anna.taps(f"Cancel {code}")
    await anna.taps("Yes, cancel it")
    news = [t for t in mechanic.texts() if code in t]
    assert len(news) == 2
    assert "cancelled by the customer" in news[1] and "Fri 27 Nov" in news[1]
    assert not any(code in t for t in rival.texts()), "the other workshop hears nothing"
