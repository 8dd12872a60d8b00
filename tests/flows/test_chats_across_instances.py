"""Two instances on one PostgreSQL behind a load balancer: a chat's updates are handled once
each and in order, whichever instance received them, and those a dead instance stored are
taken up by the other within seconds."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from bot.runtime.shared_chats import LEASE_TTL, ORPHAN_AGE, RENEW_EVERY, SharedChats
from bot.storage.chat_leases import ChatLeases
from bot.storage.database import stamp
from tests.support.balancer import Balancer, behind, serving
from tests.support.bot_runner import SETTLE_TIMEOUT, BotRunner
from tests.support.clock import FakeClock

pytestmark = pytest.mark.postgresql




class Tries:
    """An instance's pauses for chats: between tries for one another instance holds (noted,
    and over at once), and between renewals of its own (each over when the test says)."""

    def __init__(self) -> None:
        self.asked: list[float] = []
        self._renewals: asyncio.Queue[None] = asyncio.Queue()

    async def __call__(self, seconds: float) -> None:
        if seconds == RENEW_EVERY:
            await self._renewals.get()
            return
        self.asked.append(seconds)
        await asyncio.sleep(0)

    def let_one_renewal_pass(self) -> None:
        self._renewals.put_nowait(None)


@pytest.fixture
async def instances(
    api: FakeBotApi, settings: Settings, clock: FakeClock, balancer: Balancer
) -> AsyncIterator[tuple[BotRunner, BotRunner]]:
    """Instances "a" and "b" behind the balancer, on one database."""
    shared = behind(settings, balancer)
    runners = {name: BotRunner(api, shared, clock, chat_sleep=Tries()) for name in ("a", "b")}
    async with serving(balancer, runners):
        yield runners["a"], runners["b"]


async def until(condition: Callable[[], object]) -> None:
    """Wait (by yielding to the event loop, not by timing) until `condition` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    while not condition():
        assert loop.time() < deadline, "never happened"
        await asyncio.sleep(0.001)


def received(runner: BotRunner, update_id: int) -> Callable[[], bool]:
    """Whether the instance has stored the update."""
    return lambda: runner.app is not None and (
        runner.app.bot_data["intake"].last_received >= update_id
    )


def tries(runner: BotRunner) -> Tries:
    sleep = runner.options["chat_sleep"]
    assert isinstance(sleep, Tries)
    return sleep


def sweeper(runner: BotRunner) -> SharedChats:
    assert runner.app is not None
    shared: SharedChats = runner.app.bot_data["shared_chats"]
    return shared


async def unhandled(runner: BotRunner) -> list[int]:
    assert runner.app is not None
    rows = await runner.app.bot_data["services"].db.fetch_all(
        "SELECT update_id FROM inbox WHERE handled_at IS NULL ORDER BY update_id"
    )
    return [row["update_id"] for row in rows]


async def test_a_customers_updates_alternating_between_instances_are_answered_in_order_once(
    instances: tuple[BotRunner, BotRunner], api: FakeBotApi, balancer: Balancer
) -> None:
    a, b = instances
    anna = a.person(3201, "Anna").user
    gate = api.hold(anna.chat_id)

    # Anna's /start reaches A, whose reply Telegram is slow to take.
    balancer.route = "a"
    anna.send_command("/start")
    await api.wait_for(lambda: api.held_calls(anna.chat_id) == 1)
    # Her /help reaches B, and her next /start A again, while A's first reply is on its way.
    balancer.route = "b"
    second = anna.send_command("/help")
    await until(received(b, second))
    balancer.route = "a"
    third = anna.send_command("/start")
    await until(received(a, third))
    await until(lambda: len(tries(b).asked) >= 3)
    assert api.held_calls(anna.chat_id) == 1, "B waits for the chat A holds"

    gate.set()
    await a.settle()
    await b.settle()

    replies = [message["text"] for message in api.sent_to(anna.chat_id)]
    assert len(replies) == 3, "each update answered once"
    assert "Anna" in replies[0]
    assert "/repair" in replies[1]
    assert "Anna" in replies[2]
    assert await unhandled(a) == []
    assert set(balancer.passed) == {"a", "b"}


async def lease_until(runner: BotRunner, chat_id: int) -> str | None:
    assert runner.app is not None
    row = await runner.app.bot_data["services"].db.fetch_one(
        "SELECT expires_at FROM chat_leases WHERE chat_id = ?", (chat_id,)
    )
    return None if row is None else str(row["expires_at"])


async def test_an_instance_whose_handlers_outlast_the_lease_keeps_the_chat_by_renewing_it(
    instances: tuple[BotRunner, BotRunner],
    api: FakeBotApi,
    balancer: Balancer,
    clock: FakeClock,
) -> None:
    a, b = instances
    boris = a.person(3401, "Boris").user
    gate = api.hold(boris.chat_id)
    balancer.route = "a"
    boris.send_command("/start")
    await api.wait_for(lambda: api.held_calls(boris.chat_id) == 1)

    # Telegram takes most of the lease to answer; A renews it meanwhile.
    clock.advance(seconds=LEASE_TTL.total_seconds() - 1)
    tries(a).let_one_renewal_pass()
    renewed = stamp(clock.now() + LEASE_TTL)
    await until_async(lambda: lease_until(a, boris.chat_id), renewed)
    clock.advance(seconds=LEASE_TTL.total_seconds() - 1)  # the first lease ran out
    balancer.route = "b"
    second = boris.send_command("/help")
    await until(received(b, second))
    await until(lambda: len(tries(b).asked) >= 3)
    assert api.held_calls(boris.chat_id) == 1, "B neither took the chat over nor began again"

    gate.set()
    await a.settle()
    await b.settle()
    replies = [message["text"] for message in api.sent_to(boris.chat_id)]
    assert len(replies) == 2
    assert "Boris" in replies[0]
    assert "/repair" in replies[1]


async def until_async(read: Callable[[], Awaitable[object]], wanted: object) -> None:
    """Wait (by yielding to the event loop) until `read()` gives `wanted`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    while await read() != wanted:
        assert loop.time() < deadline, "never happened"
        await asyncio.sleep(0.001)


async def test_updates_a_dead_instance_stored_are_handled_by_the_other_within_the_lease(
    instances: tuple[BotRunner, BotRunner],
    api: FakeBotApi,
    balancer: Balancer,
    clock: FakeClock,
) -> None:
    a, b = instances
    assert a.app is not None and b.app is not None
    carl = a.person(3301, "Carl").user
    dina = a.person(3302, "Dina").user

    # A stops dead: what reaches it is stored (and acknowledged), never handled; it had
    # taken Carl's chat just before.
    await a.app.stop()
    balancer.route = "a"
    carl.send_command("/start")
    last = dina.send_command("/start")
    await until(received(a, last))
    holder = a.app.bot_data["postman"].instance
    assert await ChatLeases(a.app.bot_data["services"].db).take(
        carl.chat_id, holder, clock.now(), LEASE_TTL
    )

    await sweeper(b).sweep()  # B first sees Dina's update, which nobody holds
    clock.advance(seconds=ORPHAN_AGE.total_seconds() - 1)
    await sweeper(b).sweep()
    await b.settle()
    assert api.sent_to(dina.chat_id) == [], "A might still be on its way to it"

    clock.advance(seconds=1)
    await sweeper(b).sweep()
    await b.settle()
    assert len(api.sent_to(dina.chat_id)) == 1, "nobody holds Dina's chat: B took her update up"
    assert api.sent_to(carl.chat_id) == [], "Carl's chat is still A's"

    clock.set(clock.now() + LEASE_TTL - ORPHAN_AGE)
    await sweeper(b).sweep()  # at once: a lease that ran out is proof enough
    await b.settle()
    assert len(api.sent_to(carl.chat_id)) == 1, "A's lease ran out: B took Carl's update up"
    assert await unhandled(b) == []

    # A comes back with both still queued: it finds them handled, and sends nothing again.
    await a.app.start()
    await a.settle()
    assert len(api.sent_to(carl.chat_id)) == 1
    assert len(api.sent_to(dina.chat_id)) == 1


async def test_an_update_a_dead_instance_left_that_fails_elsewhere_is_recorded_with_its_reason(
    instances: tuple[BotRunner, BotRunner],
    api: FakeBotApi,
    balancer: Balancer,
    clock: FakeClock,
) -> None:
    a, b = instances
    assert a.app is not None and b.app is not None
    elena = a.person(3501, "Elena").user
    await a.app.stop()
    balancer.route = "a"
    first = elena.send_command("/start")
    await until(received(a, first))

    api.fail_next("sendMessage", 400, "Bad Request: message text is empty")
    await sweeper(b).sweep()
    clock.advance(seconds=ORPHAN_AGE.total_seconds())
    await sweeper(b).sweep()
    await b.settle()
    balancer.route = "b"
    await b.person(3501, "Elena").command("/help")

    rows = await b.app.bot_data["services"].db.fetch_all(
        "SELECT failure, handled_at FROM inbox ORDER BY update_id"
    )
    assert [row["failure"] for row in rows] == ["BadRequest: Message text is empty", None]
    assert all(row["handled_at"] is not None for row in rows)
    assert "/repair" in api.sent_to(elena.chat_id)[-1]["text"], "the chat goes on"
    await a.app.start()


async def test_an_instance_starting_while_another_handles_an_update_leaves_it_to_that_one(
    instances: tuple[BotRunner, BotRunner], api: FakeBotApi, balancer: Balancer
) -> None:
    a, b = instances
    fedor = a.person(3601, "Fedor").user
    gate = api.hold(fedor.chat_id)
    balancer.route = "a"
    fedor.send_command("/start")
    await api.wait_for(lambda: api.held_calls(fedor.chat_id) == 1)

    # B starts again: it takes up whatever is stored and unhandled, A's update in hand too.
    await b.restart()
    await until(lambda: len(tries(b).asked) >= 3)
    assert api.held_calls(fedor.chat_id) == 1, "B waits for the chat A holds"

    gate.set()
    await a.settle()
    await b.settle()
    assert len(api.sent_to(fedor.chat_id)) == 1
